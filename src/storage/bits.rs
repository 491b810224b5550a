//! Plain bitsets over `u64` words, as stored in chunks.

#[must_use]
pub fn get(words: &[u64], i: u32) -> bool {
    words
        .get((i / 64) as usize)
        .is_some_and(|w| w >> (i % 64) & 1 == 1)
}

/// Sets bit `i`, growing the set as needed.
pub fn set(words: &mut Vec<u64>, i: u32) {
    let w = (i / 64) as usize;
    if words.len() <= w {
        words.resize(w + 1, 0);
    }
    words[w] |= 1 << (i % 64);
}

/// The positions of the set bits, ascending.
pub fn ones(words: &[u64]) -> impl Iterator<Item = u32> + '_ {
    words.iter().enumerate().flat_map(|(w, &word)| {
        let mut rest = word;
        std::iter::from_fn(move || {
            if rest == 0 {
                return None;
            }
            let bit = rest.trailing_zeros();
            rest &= rest - 1;
            #[allow(clippy::cast_possible_truncation)]
            Some(w as u32 * 64 + bit)
        })
    })
}

#[must_use]
pub fn count(words: &[u64]) -> u32 {
    words.iter().map(|w| w.count_ones()).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_get_and_iterate() {
        let mut words = Vec::new();
        for i in [0u32, 3, 63, 64, 200] {
            set(&mut words, i);
        }
        assert!(get(&words, 63) && get(&words, 200) && !get(&words, 1) && !get(&words, 10_000));
        assert_eq!(ones(&words).collect::<Vec<_>>(), vec![0, 3, 63, 64, 200]);
        assert_eq!(count(&words), 5);
    }
}

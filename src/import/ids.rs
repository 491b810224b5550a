//! The node ids of one id space: id text to provisional node id. Ids that are a common prefix
//! and a fixed number of digits (`cus-000042`, as most exports write them) live in a plain
//! vector indexed by the number, which costs no hashing and no allocation per id and keeps
//! lookups cache-friendly; any other id turns the map into a hash map of the texts.

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::hash::BuildHasherDefault;

use crate::storage::FxHasher;

const ABSENT: u64 = u64::MAX;
/// Numbers beyond this many digits do not fit the dense form.
const MAX_DIGITS: usize = 18;

/// Id text to provisional node id, for one id space.
#[derive(Debug, Default)]
pub struct IdMap {
    repr: Repr,
    len: usize,
}

#[derive(Debug, Default)]
enum Repr {
    #[default]
    Empty,
    /// Every id is `prefix` followed by exactly `width` digits; `slots[number]` is its value.
    Dense {
        prefix: Box<[u8]>,
        width: usize,
        slots: Vec<u64>,
    },
    Hashed(HashMap<Box<[u8]>, u64, BuildHasherDefault<FxHasher>>),
}

/// The prefix and the number of an id ending in digits.
fn split_number(id: &[u8]) -> Option<(&[u8], &[u8], u64)> {
    let digits = id.iter().rev().take_while(|b| b.is_ascii_digit()).count();
    if digits == 0 || digits > MAX_DIGITS {
        return None;
    }
    let (prefix, number) = id.split_at(id.len() - digits);
    let value = number
        .iter()
        .fold(0u64, |n, b| n * 10 + u64::from(b - b'0'));
    Some((prefix, number, value))
}

/// The slot of `number` when a dense map of `len` ids may grow to it: the vector stays within
/// a small multiple of the ids it holds.
fn dense_slot(number: u64, len: usize) -> Option<usize> {
    let slot = usize::try_from(number).ok()?;
    (slot < (len * 8).max(1 << 20)).then_some(slot)
}

impl IdMap {
    /// Adds an id; false (and no change) when the map has it already.
    pub fn insert(&mut self, id: &[u8], value: u64) -> bool {
        match &mut self.repr {
            Repr::Empty => {
                self.repr = match split_number(id) {
                    Some((prefix, digits, number)) if dense_slot(number, 0).is_some() => {
                        Repr::Dense {
                            prefix: prefix.into(),
                            width: digits.len(),
                            slots: Vec::new(),
                        }
                    }
                    _ => Repr::Hashed(HashMap::default()),
                };
                self.insert(id, value)
            }
            Repr::Dense {
                prefix,
                width,
                slots,
            } => {
                let fits = split_number(id).and_then(|(p, digits, number)| {
                    (p == &prefix[..] && digits.len() == *width)
                        .then(|| dense_slot(number, self.len))
                        .flatten()
                });
                let Some(slot) = fits else {
                    self.switch_to_hashing();
                    return self.insert(id, value);
                };
                if slot >= slots.len() {
                    slots.resize((slot + 1).max(slots.len() * 3 / 2), ABSENT);
                }
                if slots[slot] != ABSENT {
                    return false;
                }
                slots[slot] = value;
                self.len += 1;
                true
            }
            Repr::Hashed(map) => match map.entry(id.into()) {
                Entry::Occupied(_) => false,
                Entry::Vacant(entry) => {
                    entry.insert(value);
                    self.len += 1;
                    true
                }
            },
        }
    }

    #[must_use]
    pub fn get(&self, id: &[u8]) -> Option<u64> {
        match &self.repr {
            Repr::Empty => None,
            Repr::Dense {
                prefix,
                width,
                slots,
            } => {
                let (p, digits, number) = split_number(id)?;
                if p != &prefix[..] || digits.len() != *width {
                    return None;
                }
                let value = *slots.get(usize::try_from(number).ok()?)?;
                (value != ABSENT).then_some(value)
            }
            Repr::Hashed(map) => map.get(id).copied(),
        }
    }

    /// Every (id, value), in no particular order.
    #[must_use]
    pub fn into_entries(self) -> Vec<(Box<[u8]>, u64)> {
        match self.repr {
            Repr::Empty => Vec::new(),
            Repr::Dense {
                prefix,
                width,
                slots,
            } => slots
                .into_iter()
                .enumerate()
                .filter(|(_, value)| *value != ABSENT)
                .map(|(number, value)| {
                    let mut id = prefix.to_vec();
                    id.extend_from_slice(format!("{number:0width$}").as_bytes());
                    (id.into_boxed_slice(), value)
                })
                .collect(),
            Repr::Hashed(map) => map.into_iter().collect(),
        }
    }

    fn switch_to_hashing(&mut self) {
        let len = self.len;
        let entries = std::mem::take(self).into_entries();
        let mut map: HashMap<Box<[u8]>, u64, BuildHasherDefault<FxHasher>> =
            HashMap::with_capacity_and_hasher(entries.len() * 2, BuildHasherDefault::default());
        map.extend(entries);
        self.repr = Repr::Hashed(map);
        self.len = len;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dense_ids_and_others_are_found_alike() {
        let mut map = IdMap::default();
        assert!(map.insert(b"cus-0002", 2));
        assert!(map.insert(b"cus-0001", 1));
        assert!(!map.insert(b"cus-0001", 9), "duplicate");
        assert!(matches!(map.repr, Repr::Dense { .. }));
        assert_eq!(map.get(b"cus-0001"), Some(1));
        assert_eq!(map.get(b"cus-001"), None, "another width is another id");
        assert_eq!(map.get(b"cus-0003"), None);
        assert_eq!(map.get(b"xyz-0001"), None);
        assert!(map.insert(b"cus-1", 3));
        assert!(matches!(map.repr, Repr::Hashed(_)));
        assert_eq!(map.get(b"cus-0001"), Some(1));
        assert_eq!(map.get(b"cus-0002"), Some(2));
        assert_eq!(map.get(b"cus-1"), Some(3));
        assert!(!map.insert(b"cus-0002", 7), "duplicate after the change");
        assert_eq!(map.len, 3);

        let mut map = IdMap::default();
        assert!(map.insert(b"alice", 0));
        assert!(map.insert(b"7", 1));
        assert_eq!(map.get(b"alice"), Some(0));
        assert_eq!(map.get(b"7"), Some(1));
        let mut far = IdMap::default();
        assert!(far.insert(b"n1", 0));
        assert!(far.insert(b"n999999999999", 1), "too sparse for a vector");
        assert_eq!(far.get(b"n999999999999"), Some(1));
    }
}

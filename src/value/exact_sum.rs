//! `ExactSum`: float sums without rounding error until the end (aggregation, and the domain
//! procedures that add money).

/// An exact running sum of floats: non-overlapping partials whose total is the exact sum of
/// everything added (Shewchuk), rounded once at the end. Infinities and NaN, and sums that
/// overflow, are added plainly on the side, where they decide the result as they would in a
/// plain running sum.
#[derive(Debug, Default, Clone)]
pub struct ExactSum {
    /// Two partials are inline: sums of like-sized amounts rarely need more, and an
    /// aggregation keeps one sum per group.
    partials: smallvec::SmallVec<[f64; 2]>,
    special: Option<f64>,
}

impl std::ops::AddAssign<f64> for ExactSum {
    fn add_assign(&mut self, x: f64) {
        self.add(x);
    }
}

impl std::iter::Sum<f64> for ExactSum {
    fn sum<I: Iterator<Item = f64>>(iter: I) -> Self {
        let mut sum = ExactSum::default();
        iter.for_each(|x| sum.add(x));
        sum
    }
}

impl ExactSum {
    /// Adds `x` exactly.
    pub fn add(&mut self, x: f64) {
        if !x.is_finite() {
            self.special = Some(self.special.unwrap_or(0.0) + x);
            return;
        }
        let mut x = x;
        let mut kept = 0;
        for j in 0..self.partials.len() {
            let mut y = self.partials[j];
            if x.abs() < y.abs() {
                std::mem::swap(&mut x, &mut y);
            }
            let hi = x + y;
            if !hi.is_finite() {
                self.special = Some(self.special.unwrap_or(0.0) + hi);
                self.partials.clear();
                return;
            }
            let lo = y - (hi - x);
            if lo != 0.0 {
                self.partials[kept] = lo;
                kept += 1;
            }
            x = hi;
        }
        self.partials.truncate(kept);
        self.partials.push(x);
    }

    pub fn merge(&mut self, later: &ExactSum) {
        for &x in &later.partials {
            self.add(x);
        }
        if let Some(s) = later.special {
            self.special = Some(self.special.unwrap_or(0.0) + s);
        }
    }

    /// The exact sum, correctly rounded (the final step of `math.fsum`).
    #[must_use]
    pub fn total(&self) -> f64 {
        if let Some(special) = self.special {
            return special;
        }
        let p = &self.partials;
        let Some(mut n) = p.len().checked_sub(1) else {
            return 0.0;
        };
        let mut hi = p[n];
        let mut lo = 0.0;
        while n > 0 {
            let x = hi;
            n -= 1;
            let y = p[n];
            hi = x + y;
            lo = y - (hi - x);
            if lo != 0.0 {
                break;
            }
        }
        if n > 0 && ((lo < 0.0 && p[n - 1] < 0.0) || (lo > 0.0 && p[n - 1] > 0.0)) {
            let y = lo * 2.0;
            let x = hi + y;
            if y == x - hi {
                hi = x;
            }
        }
        hi
    }
}

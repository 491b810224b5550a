//! The memory budget of a statement. The operators that hold rows or values beyond the one
//! being pushed (sort, aggregation and its retaining accumulators, DISTINCT, UNION, eager
//! barriers, subquery results) charge what they keep and release it when they hand it on; a
//! charge past the limit fails the statement with `ExecError::MemoryLimit`, which names the
//! operator. Sizes are estimates (inline size plus heap payload), close enough to stop a
//! runaway statement long before the machine runs out, not an exact account.
//!
//! Knows nothing of plans or storage.

use crate::value::Value;

use super::ExecError;

/// Bytes a statement's holding operators may keep at once.
#[derive(Debug, Clone, Default)]
pub struct MemoryBudget {
    limit: Option<u64>,
    used: u64,
    /// The most held at once; only the tests read it.
    #[cfg(test)]
    peak: u64,
}

impl MemoryBudget {
    /// A budget of `limit` bytes; `None` for no limit.
    #[must_use]
    pub fn new(limit: Option<u64>) -> Self {
        MemoryBudget {
            limit,
            used: 0,
            #[cfg(test)]
            peak: 0,
        }
    }

    /// Takes `bytes` for `operator`, or fails when that would pass the limit.
    pub fn charge(&mut self, bytes: usize, operator: &'static str) -> Result<(), ExecError> {
        let bytes = u64::try_from(bytes).unwrap_or(u64::MAX);
        let used = self.used.saturating_add(bytes);
        if let Some(limit) = self.limit
            && used > limit
        {
            return Err(ExecError::MemoryLimit { operator, limit });
        }
        self.used = used;
        #[cfg(test)]
        {
            self.peak = self.peak.max(used);
        }
        Ok(())
    }

    /// Gives back what an operator charged once it no longer holds it.
    pub fn release(&mut self, bytes: usize) {
        self.used = self
            .used
            .saturating_sub(u64::try_from(bytes).unwrap_or(u64::MAX));
    }

    /// What may still be taken; `None` without a limit.
    #[must_use]
    pub fn remaining(&self) -> Option<u64> {
        self.limit.map(|l| l.saturating_sub(self.used))
    }

    /// The most the statement held at once, by this account.
    #[cfg(test)]
    #[must_use]
    pub fn peak(&self) -> u64 {
        self.peak
    }
}

/// The estimated size of a value: its inline size plus what it owns on the heap.
#[must_use]
pub fn value_size(value: &Value) -> usize {
    std::mem::size_of::<Value>() + heap_size(value)
}

fn heap_size(value: &Value) -> usize {
    match value {
        Value::String(s) => s.len() + 16,
        Value::List(items) => items.iter().map(value_size).sum(),
        // A B-tree map spends about twice its entries' size in nodes.
        Value::Map(map) => map
            .iter()
            .map(|(k, v)| 2 * (std::mem::size_of::<String>() + k.len() + value_size(v)))
            .sum(),
        Value::Node(n) => std::mem::size_of_val(&**n),
        Value::Relationship(r) => std::mem::size_of_val(&**r),
        Value::Path(p) => {
            std::mem::size_of_val(&**p)
                + p.nodes.len() * std::mem::size_of::<crate::value::Node>()
                + p.relationships.len() * std::mem::size_of::<crate::value::Relationship>()
        }
        _ => 0,
    }
}

/// The estimated size of a row held by an operator.
#[must_use]
pub fn row_size(row: &[Value]) -> usize {
    std::mem::size_of::<Vec<Value>>() + row.iter().map(value_size).sum::<usize>()
}

/// Half of this machine's memory (from `/proc/meminfo`): the default budget. `None` where
/// the figure cannot be read.
#[must_use]
pub fn default_limit() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = text.lines().find(|l| l.starts_with("MemTotal:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024 / 2)
}

/// Parses a size such as `512MB`, `4GB`, `1.5GiB` or `1000000` (bytes). Decimal units are
/// powers of 1000, binary units (`KiB`, `MiB`, `GiB`, `TiB`) powers of 1024.
pub fn parse_size(text: &str) -> Result<u64, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let number: f64 = number.parse().map_err(|_| {
        format!("`{text}` is not a size: give a number and a unit, as 512MB or 4GB")
    })?;
    let scale: f64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1.0,
        "k" | "kb" => 1e3,
        "m" | "mb" => 1e6,
        "g" | "gb" => 1e9,
        "t" | "tb" => 1e12,
        "kib" => 1024.0,
        "mib" => 1024.0 * 1024.0,
        "gib" => 1024.0 * 1024.0 * 1024.0,
        "tib" => 1024.0 * 1024.0 * 1024.0 * 1024.0,
        other => {
            return Err(format!(
                "unknown size unit `{other}` in `{text}`: use B, KB, MB, GB, TB or KiB, MiB, GiB, TiB"
            ));
        }
    };
    let bytes = number * scale;
    if !bytes.is_finite() || bytes < 1.0 {
        return Err(format!("`{text}` is not a usable memory size"));
    }
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    Ok(bytes.min(u64::MAX as f64) as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse_with_units_and_bad_ones_are_refused() {
        assert_eq!(parse_size("512MB"), Ok(512_000_000));
        assert_eq!(parse_size("4GB"), Ok(4_000_000_000));
        assert_eq!(parse_size("1GiB"), Ok(1 << 30));
        assert_eq!(parse_size(" 100 "), Ok(100));
        assert_eq!(parse_size("1.5kb"), Ok(1500));
        assert!(parse_size("lots").is_err());
        assert!(parse_size("12 parsecs").is_err());
        assert!(parse_size("0").is_err());
    }

    #[test]
    fn a_charge_past_the_limit_fails_and_names_the_operator() {
        let mut budget = MemoryBudget::new(Some(100));
        budget.charge(60, "sort").unwrap();
        let err = budget.charge(60, "sort").unwrap_err();
        assert!(matches!(
            err,
            ExecError::MemoryLimit {
                operator: "sort",
                limit: 100
            }
        ));
        budget.release(60);
        budget.charge(60, "sort").unwrap();
        assert_eq!(budget.peak(), 60);
    }
}

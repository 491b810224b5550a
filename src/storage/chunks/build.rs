//! Building chunks: typed property columns from values pushed in slot order (the most compact
//! encoding the values allow, strings dictionary-encoded where they repeat), node metadata and
//! CSR adjacency.

use super::*;

/// Builds one column from values pushed in ascending slot order, choosing the most compact
/// encoding the values allow.
#[derive(Debug, Default)]
pub(crate) enum ColumnBuilder {
    #[default]
    Empty,
    Bool {
        present: Vec<u64>,
        values: Vec<u64>,
    },
    Int {
        present: Vec<u64>,
        values: Vec<i64>,
    },
    Float {
        present: Vec<u64>,
        values: Vec<f64>,
    },
    /// Strings packed in one buffer: slot `i` is `bytes[ends[i - 1]..ends[i]]`, so a row costs
    /// no allocation until `finish` (which mostly builds a small dictionary).
    String {
        present: Vec<u64>,
        bytes: String,
        ends: Vec<usize>,
    },
    Date {
        present: Vec<u64>,
        values: Vec<i64>,
    },
    DateTimeUtc {
        present: Vec<u64>,
        seconds: Vec<i64>,
        nanos: Vec<u32>,
    },
    Mixed {
        values: Vec<StoredValue>,
    },
}

fn pad<T: Clone + Default>(values: &mut Vec<T>, slot: u32) {
    values.resize(slot as usize, T::default());
}

impl ColumnBuilder {
    /// Sets `slot` to `value`; slots must ascend. A null leaves the slot absent.
    pub fn push(&mut self, slot: u32, value: StoredValue) {
        if matches!(value, StoredValue::Null) {
            return;
        }
        if let ColumnBuilder::Empty = self {
            *self = match &value {
                StoredValue::Bool(_) => ColumnBuilder::Bool {
                    present: Vec::new(),
                    values: Vec::new(),
                },
                StoredValue::Int(_) => ColumnBuilder::Int {
                    present: Vec::new(),
                    values: Vec::new(),
                },
                StoredValue::Float(_) => ColumnBuilder::Float {
                    present: Vec::new(),
                    values: Vec::new(),
                },
                StoredValue::String(_) => ColumnBuilder::String {
                    present: Vec::new(),
                    bytes: String::new(),
                    ends: Vec::new(),
                },
                StoredValue::Date(_) => ColumnBuilder::Date {
                    present: Vec::new(),
                    values: Vec::new(),
                },
                StoredValue::DateTime(_, _, 0, None) => ColumnBuilder::DateTimeUtc {
                    present: Vec::new(),
                    seconds: Vec::new(),
                    nanos: Vec::new(),
                },
                _ => ColumnBuilder::Mixed { values: Vec::new() },
            };
        }
        let value = match (&mut *self, value) {
            (ColumnBuilder::Bool { present, values }, StoredValue::Bool(b)) => {
                bits::set(present, slot);
                if b {
                    bits::set(values, slot);
                }
                return;
            }
            (ColumnBuilder::Int { present, values }, StoredValue::Int(v))
            | (ColumnBuilder::Date { present, values }, StoredValue::Date(v)) => {
                bits::set(present, slot);
                pad(values, slot);
                values.push(v);
                return;
            }
            (ColumnBuilder::Float { present, values }, StoredValue::Float(v)) => {
                bits::set(present, slot);
                pad(values, slot);
                values.push(v);
                return;
            }
            (
                ColumnBuilder::String {
                    present,
                    bytes,
                    ends,
                },
                StoredValue::String(v),
            ) => {
                push_str(present, bytes, ends, slot, &v);
                return;
            }
            (
                ColumnBuilder::DateTimeUtc {
                    present,
                    seconds,
                    nanos,
                },
                StoredValue::DateTime(s, n, 0, None),
            ) => {
                bits::set(present, slot);
                pad(seconds, slot);
                pad(nanos, slot);
                seconds.push(s);
                nanos.push(n);
                return;
            }
            (ColumnBuilder::Mixed { values }, v) => {
                values.resize(slot as usize, StoredValue::Null);
                values.push(v);
                return;
            }
            (_, v) => v,
        };
        // The value does not fit the typed column: fall back to a mixed one.
        self.degrade();
        self.push(slot, value);
    }

    /// Sets `slot` to a string without the caller allocating it; as `push`.
    pub fn push_str(&mut self, slot: u32, value: &str) {
        if let ColumnBuilder::Empty = self {
            *self = ColumnBuilder::String {
                present: Vec::new(),
                bytes: String::new(),
                ends: Vec::new(),
            };
        }
        match self {
            ColumnBuilder::String {
                present,
                bytes,
                ends,
            } => push_str(present, bytes, ends, slot, value),
            _ => self.push(slot, StoredValue::String(value.to_owned())),
        }
    }

    fn degrade(&mut self) {
        let built = std::mem::take(self).finish(0);
        let mut values = Vec::new();
        if let Some(column) = built {
            let slots = column_len(&column);
            for slot in 0..slots {
                values.push(column_stored(&column, slot).unwrap_or(StoredValue::Null));
            }
        }
        while matches!(values.last(), Some(StoredValue::Null)) {
            values.pop();
        }
        *self = ColumnBuilder::Mixed { values };
    }

    /// The finished column, or `None` when every value was null.
    pub fn finish(self, _slots: u32) -> Option<ColumnChunk> {
        Some(match self {
            ColumnBuilder::Empty => return None,
            ColumnBuilder::Bool { present, values } => ColumnChunk::Bool { present, values },
            ColumnBuilder::Int { present, values } => ColumnChunk::Int { present, values },
            ColumnBuilder::Float { present, values } => ColumnChunk::Float { present, values },
            ColumnBuilder::Date { present, values } => ColumnChunk::Date { present, values },
            ColumnBuilder::DateTimeUtc {
                present,
                seconds,
                nanos,
            } => ColumnChunk::DateTimeUtc {
                present,
                seconds,
                nanos,
            },
            ColumnBuilder::Mixed { values } => ColumnChunk::Mixed { values },
            ColumnBuilder::String {
                present,
                bytes,
                ends,
            } => dictionary_encode(present, &bytes, &ends),
        })
    }
}

/// Slots a column covers (the slots beyond are absent).
#[allow(clippy::cast_possible_truncation)]
fn column_len(column: &ColumnChunk) -> u32 {
    match column {
        ColumnChunk::Bool { present, .. } => present.len() as u32 * 64,
        ColumnChunk::Int { values, .. } | ColumnChunk::Date { values, .. } => values.len() as u32,
        ColumnChunk::Float { values, .. } => values.len() as u32,
        ColumnChunk::DictString { codes, .. } => codes.len() as u32,
        ColumnChunk::String { values, .. } => values.len() as u32,
        ColumnChunk::DateTimeUtc { seconds, .. } => seconds.len() as u32,
        ColumnChunk::Mixed { values } => values.len() as u32,
    }
}

fn push_str(
    present: &mut Vec<u64>,
    bytes: &mut String,
    ends: &mut Vec<usize>,
    slot: u32,
    value: &str,
) {
    bits::set(present, slot);
    ends.resize(slot as usize, bytes.len());
    bytes.push_str(value);
    ends.push(bytes.len());
}

/// FxHash (as in rustc): a fast hash for short keys such as column strings and node ids. Not
/// resistant to flooding, which is fine for data the user loads into their own database.
#[derive(Default, Clone, Copy)]
pub struct FxHasher {
    hash: u64,
}

impl FxHasher {
    fn add(&mut self, word: u64) {
        self.hash = (self.hash.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

impl std::hash::Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(chunk);
            self.add(u64::from_le_bytes(word));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut word = [0u8; 8];
            word[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(word) ^ ((rest.len() as u64) << 59));
        }
    }

    fn write_usize(&mut self, n: usize) {
        self.add(n as u64);
    }

    fn finish(&self) -> u64 {
        self.hash.rotate_left(26)
    }
}

type FxBuild = std::hash::BuildHasherDefault<FxHasher>;

/// Strings repeat in most CRM columns (status, country, kind): when at most half of the values
/// are distinct, store each once and the slots as codes. A column whose first values are nearly
/// all distinct (names, ids, e-mails) is taken as unique without hashing the rest.
fn dictionary_encode(present: Vec<u64>, bytes: &str, ends: &[usize]) -> ColumnChunk {
    let value = |slot: usize| {
        let start = if slot == 0 { 0 } else { ends[slot - 1] };
        bytes.get(start..ends[slot]).unwrap_or_default()
    };
    let plain = |present: Vec<u64>| {
        // Absent slots share one empty string.
        let empty: Arc<str> = Arc::from("");
        ColumnChunk::String {
            values: (0..ends.len())
                .map(|slot| match value(slot) {
                    "" => empty.clone(),
                    text => Arc::from(text),
                })
                .collect(),
            present,
        }
    };
    let mut codes_of: HashMap<&str, u32, FxBuild> = HashMap::default();
    let mut codes = Vec::with_capacity(ends.len());
    let limit = ends.len() / 2;
    let mut seen = 0usize;
    for slot in 0..ends.len() {
        #[allow(clippy::cast_possible_truncation)]
        if bits::get(&present, slot as u32) {
            let next = codes_of.len() as u32;
            codes.push(*codes_of.entry(value(slot)).or_insert(next));
            seen += 1;
            if codes_of.len() > limit || (seen == 64 && codes_of.len() > 48) {
                return plain(present);
            }
        } else {
            codes.push(0);
        }
    }
    let mut dict: Vec<Arc<str>> = vec![Arc::from(""); codes_of.len()];
    for (value, code) in codes_of {
        dict[code as usize] = Arc::from(value);
    }
    ColumnChunk::DictString {
        present,
        dict,
        codes,
    }
}

/// Builds node metadata for a group.
pub(crate) fn node_meta_chunk(
    slots: u32,
    exists: Vec<u64>,
    labels: Vec<(u32, Vec<u64>)>,
) -> NodeMetaChunk {
    NodeMetaChunk {
        slots,
        exists,
        labels,
    }
}

/// Builds a CSR chunk from per-slot adjacency lists.
pub(crate) fn csr_chunk(
    slots: u32,
    mut lists: Vec<Vec<(u64, u64)>>,
) -> Result<CsrChunk, StorageError> {
    lists.resize(slots as usize, Vec::new());
    let total: usize = lists.iter().map(Vec::len).sum();
    let mut chunk = CsrChunk {
        offsets: Vec::with_capacity(lists.len() + 1),
        targets: Vec::with_capacity(total),
        rels: Vec::with_capacity(total),
    };
    chunk.offsets.push(0);
    for list in lists {
        for (target, rel) in list {
            chunk.targets.push(target);
            chunk.rels.push(rel);
        }
        chunk.offsets.push(
            u32::try_from(chunk.targets.len())
                .map_err(|_| StorageError::Capacity("relationships in one node group"))?,
        );
    }
    Ok(chunk)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_columns_round_trip_and_degrade_to_mixed() {
        let mut b = ColumnBuilder::default();
        b.push(1, StoredValue::Int(5));
        b.push(3, StoredValue::Int(-2));
        let col = b.finish(4).unwrap();
        assert!(matches!(col, ColumnChunk::Int { .. }));
        assert_eq!(column_value(&col, 0).unwrap(), Value::Null);
        assert_eq!(column_value(&col, 1).unwrap(), Value::Int(5));
        assert_eq!(column_value(&col, 3).unwrap(), Value::Int(-2));
        assert_eq!(column_value(&col, 100).unwrap(), Value::Null);

        let mut b = ColumnBuilder::default();
        b.push(0, StoredValue::Int(1));
        b.push(2, StoredValue::String("x".into()));
        let col = b.finish(3).unwrap();
        assert!(matches!(col, ColumnChunk::Mixed { .. }));
        assert_eq!(column_value(&col, 0).unwrap(), Value::Int(1));
        assert_eq!(column_value(&col, 1).unwrap(), Value::Null);
        assert_eq!(column_value(&col, 2).unwrap(), Value::String("x".into()));
    }

    #[test]
    fn repeated_strings_are_dictionary_encoded() {
        let mut b = ColumnBuilder::default();
        for slot in 0..10 {
            b.push(
                slot,
                StoredValue::String(if slot % 2 == 0 { "a" } else { "b" }.into()),
            );
        }
        let col = b.finish(10).unwrap();
        assert!(matches!(&col, ColumnChunk::DictString { dict, .. } if dict.len() == 2));
        assert_eq!(column_value(&col, 3).unwrap(), Value::String("b".into()));
    }
}

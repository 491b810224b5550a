//! Reading chunks through the cache, and building them: typed property columns (with
//! dictionary-encoded strings), node metadata, CSR adjacency and relationship endpoints.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use super::backend::Backend;
use super::bits;
use super::cache::{CacheKey, ChunkCache, ChunkKind, Decoded};
use super::codec::{self, from_stored};
use super::keys::{self, NodeChunkKind, RelChunkKind};
use super::records::{
    ColumnChunk, CsrChunk, IndexPageChunk, IndexRecord, NodeGroupRecord, NodeMetaChunk,
    RelGroupRecord, RelMetaChunk, StoredValue,
};
use super::{Direction, StorageError};
use crate::value::Value;

/// Reads chunks by their logical address and keeps them decoded in the cache.
pub(crate) struct Chunks {
    pub backend: Arc<dyn Backend>,
    pub cache: ChunkCache,
    /// Tells this store's chunks apart from another's in the per-thread memo.
    id: u64,
}

/// How many recently read chunks a thread remembers during a statement.
const MEMO_SLOTS: usize = 4096;

type MemoEntry = Option<(u64, CacheKey, Decoded)>;

/// A thread's memo: direct-mapped slots, and which ones are filled (to empty them cheaply).
#[derive(Default)]
struct Memo {
    slots: Vec<MemoEntry>,
    filled: Vec<usize>,
}

thread_local! {
    /// The chunks this thread read, by a hash of their address, while a statement runs
    /// (`MemoScope`): a read finds its chunk here without the shared cache's locking and
    /// reference counting, which several threads reading at once would contend on. Chunks
    /// never change under an address, so an entry is never stale.
    static MEMO: RefCell<Memo> = RefCell::new(Memo::default());
    static MEMO_DEPTH: Cell<u32> = const { Cell::new(0) };
}

/// While alive, chunk reads on this thread go through the per-thread memo; when the outermost
/// scope ends the memo is emptied, so it pins no chunk beyond the statement.
pub struct MemoScope(());

impl MemoScope {
    #[must_use]
    pub fn enter() -> MemoScope {
        MEMO_DEPTH.with(|d| d.set(d.get() + 1));
        MemoScope(())
    }
}

impl Drop for MemoScope {
    fn drop(&mut self) {
        let depth = MEMO_DEPTH.with(|d| {
            let depth = d.get().saturating_sub(1);
            d.set(depth);
            depth
        });
        if depth == 0 {
            MEMO.with(|m| {
                if let Ok(mut memo) = m.try_borrow_mut() {
                    let Memo { slots, filled } = &mut *memo;
                    for slot in filled.drain(..) {
                        slots[slot] = None;
                    }
                }
            });
        }
    }
}

fn memo_slot(key: &CacheKey) -> usize {
    let mixed = u64::from(key.0)
        ^ u64::from(key.1).wrapping_mul(0x9E37_79B9_7F4A_7C15)
        ^ key.2.wrapping_mul(0xC2B2_AE3D_27D4_EB4F)
        ^ u64::from(key.3).rotate_left(17)
        ^ u64::from(key.4).wrapping_mul(0x1656_67B1_9E37_79F9)
        ^ u64::from(key.5).rotate_left(41);
    #[allow(clippy::cast_possible_truncation)]
    let slot = (mixed ^ (mixed >> 29)) as usize % MEMO_SLOTS;
    slot
}

static NEXT_CHUNKS_ID: AtomicU64 = AtomicU64::new(1);

fn missing(what: &str) -> StorageError {
    StorageError::Corruption {
        what: what.to_owned(),
        detail: "chunk named by the manifest is missing".into(),
    }
}

impl Chunks {
    pub fn new(backend: Arc<dyn Backend>, cache: ChunkCache) -> Chunks {
        Chunks {
            backend,
            cache,
            id: NEXT_CHUNKS_ID.fetch_add(1, Ordering::Relaxed),
        }
    }

    /// `f` of a chunk from this thread's memo, the cache, or read and decoded. `key` is the
    /// cache's compact form of the stored key `stored_key` builds, so a hit allocates nothing,
    /// and a memo hit touches no shared counter.
    fn load_with<R>(
        &self,
        key: CacheKey,
        stored_key: impl FnOnce() -> Vec<u8>,
        what: &dyn Fn() -> String,
        decode: impl FnOnce(&[u8]) -> Result<Decoded, StorageError>,
        f: impl FnOnce(&Decoded) -> R,
    ) -> Result<R, StorageError> {
        let memo = MEMO_DEPTH.with(Cell::get) > 0;
        let slot = memo_slot(&key);
        let mut f = Some(f);
        if memo {
            let hit = MEMO.with(|m| {
                let memo = m.try_borrow().ok()?;
                match memo.slots.get(slot) {
                    Some(Some((id, k, decoded))) if *id == self.id && *k == key => {
                        f.take().map(|f| f(decoded))
                    }
                    _ => None,
                }
            });
            if let Some(result) = hit {
                return Ok(result);
            }
        }
        let decoded = match self.cache.get(&key) {
            Some(decoded) => decoded,
            None => {
                let bytes = self
                    .backend
                    .get(&stored_key())?
                    .ok_or_else(|| missing(&what()))?;
                let decoded = decode(&bytes)?;
                self.cache.insert(key, decoded.clone());
                decoded
            }
        };
        let Some(f) = f.take() else {
            return Err(missing(&what()));
        };
        let result = f(&decoded);
        if memo {
            MEMO.with(|m| {
                if let Ok(mut memo) = m.try_borrow_mut() {
                    if memo.slots.is_empty() {
                        memo.slots.resize_with(MEMO_SLOTS, || None);
                    }
                    if memo.slots[slot].is_none() {
                        memo.filled.push(slot);
                    }
                    memo.slots[slot] = Some((self.id, key, decoded));
                }
            });
        }
        Ok(result)
    }

    /// `f` of a chunk of type `T` (see `load_with`).
    fn load_typed<T: ChunkKind, R>(
        &self,
        key: CacheKey,
        stored_key: impl FnOnce() -> Vec<u8>,
        what: &dyn Fn() -> String,
        f: impl FnOnce(&Arc<T>) -> R,
    ) -> Result<R, StorageError> {
        self.load_with(
            key,
            stored_key,
            what,
            |b| Ok(T::wrap(Arc::new(codec::decode(b, what)?))),
            |d| T::pick(d).map(f),
        )?
        .ok_or_else(|| missing(&what()))
    }

    /// A chunk from the memo, the cache, or read and decoded.
    fn load(
        &self,
        key: CacheKey,
        stored_key: impl FnOnce() -> Vec<u8>,
        what: &dyn Fn() -> String,
        decode: impl FnOnce(&[u8]) -> Result<Decoded, StorageError>,
    ) -> Result<Decoded, StorageError> {
        self.load_with(key, stored_key, what, decode, Decoded::clone)
    }

    pub fn node_meta(
        &self,
        group: u32,
        record: &NodeGroupRecord,
    ) -> Result<Arc<NodeMetaChunk>, StorageError> {
        self.with_node_meta(group, record, Arc::clone)
    }

    /// `f` of the chunk `node_meta` returns, without taking a reference to it.
    pub fn with_node_meta<R>(
        &self,
        group: u32,
        record: &NodeGroupRecord,
        f: impl FnOnce(&Arc<NodeMetaChunk>) -> R,
    ) -> Result<R, StorageError> {
        let what = || format!("metadata chunk of node group {group}");
        let g = record.generation;
        let key = (
            keys::TAG_NODE_GROUP,
            group,
            g,
            NodeChunkKind::Meta as u8,
            0,
            0,
        );
        let stored = || keys::node_chunk_key(group, g, NodeChunkKind::Meta, 0, 0);
        self.load_typed(key, stored, &what, f)
    }

    pub fn node_column(
        &self,
        group: u32,
        record: &NodeGroupRecord,
        key_id: u32,
    ) -> Result<Arc<ColumnChunk>, StorageError> {
        self.with_node_column(group, record, key_id, Arc::clone)
    }

    /// `f` of the chunk `node_column` returns, without taking a reference to it.
    pub fn with_node_column<R>(
        &self,
        group: u32,
        record: &NodeGroupRecord,
        key_id: u32,
        f: impl FnOnce(&Arc<ColumnChunk>) -> R,
    ) -> Result<R, StorageError> {
        let what = || format!("column {key_id} of node group {group}");
        let g = record.generation;
        let key = (
            keys::TAG_NODE_GROUP,
            group,
            g,
            NodeChunkKind::Column as u8,
            key_id,
            0,
        );
        let stored = || keys::node_chunk_key(group, g, NodeChunkKind::Column, key_id, 0);
        self.load_typed(key, stored, &what, f)
    }

    /// `f` of the adjacency chunk of `rel_type` in direction `dir`.
    pub fn with_csr<R>(
        &self,
        group: u32,
        record: &NodeGroupRecord,
        rel_type: u32,
        dir: Direction,
        f: impl FnOnce(&Arc<CsrChunk>) -> R,
    ) -> Result<R, StorageError> {
        let what = || format!("adjacency chunk ({rel_type}, {dir:?}) of node group {group}");
        let g = record.generation;
        let d = u32::from(dir_code(dir));
        let key = (
            keys::TAG_NODE_GROUP,
            group,
            g,
            NodeChunkKind::Csr as u8,
            rel_type,
            d,
        );
        let stored = || keys::node_chunk_key(group, g, NodeChunkKind::Csr, rel_type, d);
        self.load_typed(key, stored, &what, f)
    }

    pub fn rel_meta(
        &self,
        group: u32,
        record: &RelGroupRecord,
    ) -> Result<Arc<RelMetaChunk>, StorageError> {
        self.with_rel_meta(group, record, Arc::clone)
    }

    /// `f` of the chunk `rel_meta` returns, without taking a reference to it.
    pub fn with_rel_meta<R>(
        &self,
        group: u32,
        record: &RelGroupRecord,
        f: impl FnOnce(&Arc<RelMetaChunk>) -> R,
    ) -> Result<R, StorageError> {
        let what = || format!("metadata chunk of relationship group {group}");
        let g = record.generation;
        let key = (
            keys::TAG_REL_GROUP,
            group,
            g,
            RelChunkKind::Meta as u8,
            0,
            0,
        );
        let stored = || keys::rel_chunk_key(group, g, RelChunkKind::Meta, 0);
        self.load_typed(key, stored, &what, f)
    }

    pub fn rel_column(
        &self,
        group: u32,
        record: &RelGroupRecord,
        key_id: u32,
    ) -> Result<Arc<ColumnChunk>, StorageError> {
        self.with_rel_column(group, record, key_id, Arc::clone)
    }

    /// `f` of the chunk `rel_column` returns, without taking a reference to it.
    pub fn with_rel_column<R>(
        &self,
        group: u32,
        record: &RelGroupRecord,
        key_id: u32,
        f: impl FnOnce(&Arc<ColumnChunk>) -> R,
    ) -> Result<R, StorageError> {
        let what = || format!("column {key_id} of relationship group {group}");
        let g = record.generation;
        let key = (
            keys::TAG_REL_GROUP,
            group,
            g,
            RelChunkKind::Column as u8,
            key_id,
            0,
        );
        let stored = || keys::rel_chunk_key(group, g, RelChunkKind::Column, key_id);
        self.load_typed(key, stored, &what, f)
    }

    pub fn index_page(
        &self,
        index: &IndexRecord,
        page_pos: usize,
    ) -> Result<Arc<IndexPageChunk>, StorageError> {
        let page = &index.pages[page_pos];
        let what = || format!("page {} of index `{}`", page.page, index.name);
        let key = (keys::TAG_INDEX, index.id, page.generation, 0, page.page, 0);
        let stored = || keys::index_page_key(index.id, page.page, page.generation);
        match self.load(key, stored, &what, |b| {
            Ok(Decoded::Page(Arc::new(codec::decode(b, &what)?)))
        })? {
            Decoded::Page(p) => Ok(p),
            _ => Err(missing(&what())),
        }
    }
}

/// The stored code of a direction; only `Outgoing` and `Incoming` are stored.
#[must_use]
pub(crate) fn dir_code(dir: Direction) -> u8 {
    match dir {
        Direction::Outgoing | Direction::Both => 0,
        Direction::Incoming => 1,
    }
}

/// Whether the value of `slot` in a column equals `value` as `=` decides; `None` when the slot
/// holds no value. Strings, integers and booleans compare in place, without a copy.
pub(crate) fn column_equals(
    column: &ColumnChunk,
    slot: u32,
    value: &Value,
) -> Result<Option<Option<bool>>, StorageError> {
    let i = slot as usize;
    let present = |bits: &[u64]| bits::get(bits, slot);
    Ok(match (column, value) {
        (
            ColumnChunk::DictString {
                present: p,
                dict,
                codes,
            },
            Value::String(s),
        ) => {
            if !present(p) {
                return Ok(None);
            }
            let entry = codes.get(i).and_then(|&code| dict.get(code as usize));
            match entry {
                Some(entry) => Some(Some(**entry == **s)),
                None => return column_value(column, slot).map(|v| Some(v.eq_cypher(value))),
            }
        }
        (ColumnChunk::Int { present: p, values }, Value::Int(x))
            if present(p) && i < values.len() =>
        {
            Some(Some(values[i] == *x))
        }
        (ColumnChunk::Bool { present: p, values }, Value::Bool(x)) if present(p) => {
            Some(Some(bits::get(values, slot) == *x))
        }
        _ => {
            let found = column_value(column, slot)?;
            if found.is_null() {
                None
            } else {
                Some(found.eq_cypher(value))
            }
        }
    })
}

/// The value of `slot` in a column, `Null` when absent.
pub(crate) fn column_value(column: &ColumnChunk, slot: u32) -> Result<Value, StorageError> {
    let i = slot as usize;
    let bad = || StorageError::Corruption {
        what: "property column".into(),
        detail: format!("slot {slot} out of range"),
    };
    Ok(match column {
        ColumnChunk::Bool { present, values } => {
            if !bits::get(present, slot) {
                return Ok(Value::Null);
            }
            Value::Bool(bits::get(values, slot))
        }
        ColumnChunk::Int { present, values } => {
            if !bits::get(present, slot) {
                return Ok(Value::Null);
            }
            Value::Int(*values.get(i).ok_or_else(bad)?)
        }
        ColumnChunk::Float { present, values } => {
            if !bits::get(present, slot) {
                return Ok(Value::Null);
            }
            Value::Float(*values.get(i).ok_or_else(bad)?)
        }
        ColumnChunk::DictString {
            present,
            dict,
            codes,
        } => {
            if !bits::get(present, slot) {
                return Ok(Value::Null);
            }
            let code = *codes.get(i).ok_or_else(bad)?;
            Value::String(dict.get(code as usize).ok_or_else(bad)?.clone())
        }
        ColumnChunk::String { present, values } => {
            if !bits::get(present, slot) {
                return Ok(Value::Null);
            }
            Value::String(values.get(i).ok_or_else(bad)?.clone())
        }
        ColumnChunk::Date { present, values } => {
            if !bits::get(present, slot) {
                return Ok(Value::Null);
            }
            from_stored(&StoredValue::Date(*values.get(i).ok_or_else(bad)?))?
        }
        ColumnChunk::DateTimeUtc {
            present,
            seconds,
            nanos,
        } => {
            if !bits::get(present, slot) {
                return Ok(Value::Null);
            }
            from_stored(&StoredValue::DateTime(
                *seconds.get(i).ok_or_else(bad)?,
                *nanos.get(i).ok_or_else(bad)?,
                0,
                None,
            ))?
        }
        ColumnChunk::Mixed { values } => match values.get(i) {
            None => Value::Null,
            Some(v) => from_stored(v)?,
        },
    })
}

/// The stored value of `slot` in a column, `Null` when absent; used by checkpoints and indexes.
pub(crate) fn column_stored(column: &ColumnChunk, slot: u32) -> Result<StoredValue, StorageError> {
    match column {
        ColumnChunk::Mixed { values } => Ok(values
            .get(slot as usize)
            .cloned()
            .unwrap_or(StoredValue::Null)),
        other => codec::to_stored(&column_value(other, slot)?),
    }
}

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

/// The neighbours of `slot` in a CSR chunk as (target, relationship) pairs.
pub(crate) fn csr_slice(
    chunk: &CsrChunk,
    slot: u32,
) -> Result<impl Iterator<Item = (u64, u64)> + '_, StorageError> {
    let bad = || StorageError::Corruption {
        what: "adjacency chunk".into(),
        detail: format!("bad offsets at slot {slot}"),
    };
    let start = *chunk.offsets.get(slot as usize).ok_or_else(bad)? as usize;
    let end = *chunk.offsets.get(slot as usize + 1).ok_or_else(bad)? as usize;
    if start > end || end > chunk.targets.len() || end > chunk.rels.len() {
        return Err(bad());
    }
    Ok(chunk.targets[start..end]
        .iter()
        .copied()
        .zip(chunk.rels[start..end].iter().copied()))
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

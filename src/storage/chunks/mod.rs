//! Reading chunks through the cache: typed property columns, node metadata, CSR adjacency and
//! relationship endpoints. Building them is in `build.rs`.

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

mod build;

pub use build::FxHasher;
pub(crate) use build::{ColumnBuilder, csr_chunk, node_meta_chunk};

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

//! Decoded chunks, shared between readers, under a memory budget.

use std::sync::Arc;

use quick_cache::Weighter;

use super::records::{
    ColumnChunk, CsrChunk, IndexPageChunk, NodeMetaChunk, RelMetaChunk, StoredValue,
};

/// A decoded chunk. Keys include the chunk's generation, so an entry never goes stale.
#[derive(Clone)]
pub(crate) enum Decoded {
    NodeMeta(Arc<NodeMetaChunk>),
    Column(Arc<ColumnChunk>),
    Csr(Arc<CsrChunk>),
    RelMeta(Arc<RelMetaChunk>),
    Page(Arc<IndexPageChunk>),
}

/// A chunk type the cache holds: how it sits in `Decoded`.
pub(crate) trait ChunkKind: serde::de::DeserializeOwned {
    fn wrap(chunk: Arc<Self>) -> Decoded;
    fn pick(decoded: &Decoded) -> Option<&Arc<Self>>;
}

macro_rules! chunk_kind {
    ($($ty:ty => $variant:ident),* $(,)?) => {
        $(impl ChunkKind for $ty {
            fn wrap(chunk: Arc<Self>) -> Decoded {
                Decoded::$variant(chunk)
            }
            fn pick(decoded: &Decoded) -> Option<&Arc<Self>> {
                match decoded {
                    Decoded::$variant(chunk) => Some(chunk),
                    _ => None,
                }
            }
        })*
    };
}

chunk_kind! {
    NodeMetaChunk => NodeMeta,
    ColumnChunk => Column,
    CsrChunk => Csr,
    RelMetaChunk => RelMeta,
    IndexPageChunk => Page,
}

#[derive(Clone, Default)]
pub(crate) struct ChunkWeighter;

fn stored_weight(value: &StoredValue) -> u64 {
    32 + match value {
        StoredValue::String(s) => s.len() as u64,
        StoredValue::DateTime(_, _, _, Some(z)) => z.len() as u64,
        StoredValue::List(items) => items.iter().map(stored_weight).sum(),
        _ => 0,
    }
}

fn strings_weight(strings: &[std::sync::Arc<str>]) -> u64 {
    strings.iter().map(|s| 32 + s.len() as u64).sum()
}

/// A chunk's address in the cache: (tag, group or index, generation, kind, a, b), the same
/// fields as its stored key, without the allocation.
pub(crate) type CacheKey = (u8, u32, u64, u8, u32, u32);

impl Weighter<CacheKey, Decoded> for ChunkWeighter {
    fn weight(&self, _key: &CacheKey, value: &Decoded) -> u64 {
        let body = match value {
            Decoded::NodeMeta(m) => {
                8 * (m.exists.len() + m.labels.iter().map(|(_, b)| b.len() + 2).sum::<usize>())
                    as u64
            }
            Decoded::Column(c) => match c.as_ref() {
                ColumnChunk::Bool { present, values } => 8 * (present.len() + values.len()) as u64,
                ColumnChunk::Int { present, values } | ColumnChunk::Date { present, values } => {
                    8 * (present.len() + values.len()) as u64
                }
                ColumnChunk::Float { present, values } => 8 * (present.len() + values.len()) as u64,
                ColumnChunk::DictString {
                    present,
                    dict,
                    codes,
                } => 8 * present.len() as u64 + strings_weight(dict) + 4 * codes.len() as u64,
                ColumnChunk::String { present, values } => {
                    8 * present.len() as u64 + strings_weight(values)
                }
                ColumnChunk::DateTimeUtc {
                    present,
                    seconds,
                    nanos,
                } => 8 * (present.len() + seconds.len()) as u64 + 4 * nanos.len() as u64,
                ColumnChunk::Mixed { values } => values.iter().map(stored_weight).sum(),
            },
            Decoded::Csr(c) => {
                4 * c.offsets.len() as u64 + 8 * (c.targets.len() + c.rels.len()) as u64
            }
            Decoded::RelMeta(m) => 8 * (m.exists.len() + m.src.len() + m.dst.len()) as u64,
            Decoded::Page(p) => p.keys.iter().map(|k| 32 + k.len() as u64).sum::<u64>(),
        };
        96 + body
    }
}

pub(crate) type ChunkCache = quick_cache::sync::Cache<CacheKey, Decoded, ChunkWeighter>;

pub(crate) fn new_cache(budget_bytes: u64) -> ChunkCache {
    ChunkCache::with_weighter(4096, budget_bytes, ChunkWeighter)
}

//! Bulk loading into an empty database: rows become column chunks as they arrive, relationships
//! become CSR chunks at the end, and nothing goes through the log. The manifest is written
//! last, so an interrupted load leaves the database as empty as it was (the unreferenced chunks
//! are swept at the next open).
//!
//! `LabelBatch` and `RelBatch` are `Send` and independent, so an importer may fill them on
//! several threads and hand them to the loader in any order.

use rayon::slice::ParallelSliceMut;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;

use super::backend::{Backend, Batch};
use super::bits;
use super::catalog::{Catalog, NameKind};
use super::checkpoint::{INDEX_PAGE_ENTRIES, write_pages};
use super::chunks::ColumnBuilder;
use super::codec::{self, index_key};
use super::keys::{self, NodeChunkKind, RelChunkKind};
use super::read::join;
use super::records::{
    CsrChunk, IndexRecord, Manifest, NodeGroupRecord, NodeMetaChunk, RelGroupRecord, RelMetaChunk,
    StoredValue,
};
use super::state::State;
use super::store::{Store, WriterPermit};
use super::write::WriteTxn;
use super::{GROUP_SIZE, StorageError};

mod finish;

/// Encoded column chunks of one full group, keyed by property key.
struct GroupBuf {
    slots: u32,
    columns: Vec<(u32, Vec<u8>)>,
}

fn finish_group(
    keys: &[u32],
    builders: &mut [ColumnBuilder],
    slots: u32,
) -> Result<GroupBuf, StorageError> {
    let mut columns = Vec::new();
    for (key, builder) in keys.iter().zip(builders.iter_mut()) {
        if let Some(column) = std::mem::take(builder).finish(slots) {
            columns.push((*key, codec::encode(&column)?));
        }
    }
    Ok(GroupBuf { slots, columns })
}

/// One value of a row for `push_fields`: a string may be borrowed from the caller's buffer, so
/// a loader allocates nothing per string field.
#[derive(Debug, Clone, PartialEq)]
pub enum Field<'a> {
    Null,
    Str(&'a str),
    Value(StoredValue),
}

fn push_field(builder: &mut ColumnBuilder, slot: u32, field: &mut Field<'_>) {
    match std::mem::replace(field, Field::Null) {
        Field::Null => {}
        Field::Str(s) => builder.push_str(slot, s),
        Field::Value(value) => builder.push(slot, value),
    }
}

/// Index keys with a number each (a row, then a node id), in one byte buffer: a bulk load of
/// millions of nodes keeps about 16 bytes per key beside its bytes, rather than a vector and
/// an allocation per key.
#[derive(Default)]
struct KeyArena {
    bytes: Vec<u8>,
    /// (start of the key in `bytes`, number), in insertion order; a key ends where the next
    /// one starts.
    entries: Vec<(u64, u64)>,
}

impl KeyArena {
    fn push(&mut self, key: &[u8], number: u64) {
        self.entries.push((self.bytes.len() as u64, number));
        self.bytes.extend_from_slice(key);
    }

    fn len(&self) -> usize {
        self.entries.len()
    }

    #[allow(clippy::cast_possible_truncation)]
    fn key(&self, i: usize) -> &[u8] {
        let start = self.entries[i].0 as usize;
        let end = self
            .entries
            .get(i + 1)
            .map_or(self.bytes.len(), |e| e.0 as usize);
        &self.bytes[start..end]
    }

    fn number(&self, i: usize) -> u64 {
        self.entries[i].1
    }

    /// Appends every key of `other` with its number mapped through `map`.
    fn extend_mapped(&mut self, other: &KeyArena, map: impl Fn(u64) -> u64) {
        let base = self.bytes.len() as u64;
        self.bytes.extend_from_slice(&other.bytes);
        self.entries.extend(
            other
                .entries
                .iter()
                .map(|&(start, n)| (base + start, map(n))),
        );
    }

    /// The positions of the entries in (key, number) order.
    fn sorted(&self) -> Result<Vec<u32>, StorageError> {
        let len =
            u32::try_from(self.len()).map_err(|_| StorageError::Capacity("ids in one label"))?;
        let mut order: Vec<u32> = (0..len).collect();
        order.par_sort_unstable_by(|&a, &b| {
            let (a, b) = (a as usize, b as usize);
            self.key(a)
                .cmp(self.key(b))
                .then(self.number(a).cmp(&self.number(b)))
        });
        Ok(order)
    }
}

/// The rows of one label, in order; row `i` becomes node `first + i` of `add_nodes`.
pub struct LabelBatch {
    label: u32,
    keys: Vec<u32>,
    id_position: Option<usize>,
    rows: u32,
    builders: Vec<ColumnBuilder>,
    groups: Vec<GroupBuf>,
    /// The `id` of each row that has one, keyed for the index, with its row.
    id_entries: KeyArena,
    /// (row, label) of labels beyond the batch's own, rows ascending.
    extra_labels: Vec<(u32, u32)>,
}

impl LabelBatch {
    /// Adds a row: `values[i]` is the value of `keys[i]` (`Null` when absent).
    #[cfg(test)]
    pub fn push_row(&mut self, values: Vec<StoredValue>) -> Result<(), StorageError> {
        let slot = self.rows % GROUP_SIZE;
        for (i, value) in values.into_iter().enumerate().take(self.keys.len()) {
            if Some(i) == self.id_position
                && let Some(key) = index_key(&value)
            {
                self.id_entries.push(&key, u64::from(self.rows));
            }
            self.builders[i].push(slot, value);
        }
        self.end_row()
    }

    /// Adds a row as `push_row` does, taking the values out of `fields` (left all `Null`).
    pub fn push_fields(&mut self, fields: &mut [Field<'_>]) -> Result<(), StorageError> {
        let slot = self.rows % GROUP_SIZE;
        for (i, (field, builder)) in fields.iter_mut().zip(&mut self.builders).enumerate() {
            if Some(i) == self.id_position {
                let key = match field {
                    Field::Null => None,
                    Field::Str(s) => index_key(&StoredValue::String((*s).to_owned())),
                    Field::Value(value) => index_key(value),
                };
                if let Some(key) = key {
                    self.id_entries.push(&key, u64::from(self.rows));
                }
            }
            push_field(builder, slot, field);
        }
        self.end_row()
    }

    fn end_row(&mut self) -> Result<(), StorageError> {
        self.rows = self
            .rows
            .checked_add(1)
            .ok_or(StorageError::Capacity("nodes in one label"))?;
        if self.rows.is_multiple_of(GROUP_SIZE) {
            self.groups
                .push(finish_group(&self.keys, &mut self.builders, GROUP_SIZE)?);
        }
        Ok(())
    }

    #[must_use]
    pub fn rows(&self) -> u32 {
        self.rows
    }

    /// Gives row `row` (already pushed) a label beyond the batch's own.
    pub fn add_label(&mut self, row: u32, label: u32) {
        if label != self.label && row < self.rows {
            self.extra_labels.push((row, label));
        }
    }

    fn finish(mut self) -> Result<Self, StorageError> {
        self.extra_labels.sort_unstable();
        self.extra_labels.dedup();
        let rest = self.rows % GROUP_SIZE;
        if rest > 0 {
            self.groups
                .push(finish_group(&self.keys, &mut self.builders, rest)?);
        }
        Ok(self)
    }
}

/// The relationships of one type, in order; row `i` becomes relationship `first + i`.
pub struct RelBatch {
    rel_type: u32,
    keys: Vec<u32>,
    rows: u32,
    builders: Vec<ColumnBuilder>,
    groups: Vec<GroupBuf>,
    src: Vec<u64>,
    dst: Vec<u64>,
}

impl RelBatch {
    /// Rewrites every endpoint through `map`: for loaders that parse relationships before they
    /// know the node ids `add_nodes` will hand out, and push provisional ids meanwhile.
    pub fn map_endpoints(&mut self, mut map: impl FnMut(u64) -> u64) {
        for id in self.src.iter_mut().chain(self.dst.iter_mut()) {
            *id = map(*id);
        }
    }

    /// Adds a relationship from node `src` to node `dst`, taking the value of `keys[i]` out of
    /// `fields[i]`.
    pub fn push_fields(
        &mut self,
        src: u64,
        dst: u64,
        fields: &mut [Field<'_>],
    ) -> Result<(), StorageError> {
        let slot = self.rows % GROUP_SIZE;
        for (field, builder) in fields.iter_mut().zip(&mut self.builders) {
            push_field(builder, slot, field);
        }
        self.end_row(src, dst)
    }

    fn end_row(&mut self, src: u64, dst: u64) -> Result<(), StorageError> {
        self.src.push(src);
        self.dst.push(dst);
        self.rows = self
            .rows
            .checked_add(1)
            .ok_or(StorageError::Capacity("relationships in one batch"))?;
        if self.rows.is_multiple_of(GROUP_SIZE) {
            self.groups
                .push(finish_group(&self.keys, &mut self.builders, GROUP_SIZE)?);
        }
        Ok(())
    }

    #[must_use]
    pub fn rows(&self) -> u32 {
        self.rows
    }
}

/// What a bulk load wrote.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BulkStats {
    pub nodes: u64,
    pub relationships: u64,
    pub chunks: u64,
    pub bytes: u64,
}

/// Loads a graph into an empty database. Nothing is visible until `finish`.
pub struct BulkLoader {
    store: Store,
    _permit: WriterPermit,
    catalog: Catalog,
    node_groups: Vec<NodeGroupRecord>,
    rel_groups: Vec<RelGroupRecord>,
    /// Chunks built and not yet written, and their bytes: written once they pass
    /// `write_threshold`, so the load does not keep every column of the graph in memory.
    chunks: Vec<(Vec<u8>, Vec<u8>)>,
    held_bytes: usize,
    write_threshold: usize,
    /// Keys of the chunks written before `finish` (removed again if the load fails), and
    /// their bytes.
    written: Vec<Vec<u8>>,
    written_bytes: u64,
    /// Every relationship: source, target, and type and id in one (`Edge`).
    edges: Vec<Edge>,
    /// Per label, the `id` index keys of its nodes, with node ids.
    id_entries: BTreeMap<u32, KeyArena>,
    nodes: u64,
}

impl Store {
    /// Starts a bulk load; the database must be empty and stays locked for writing until the
    /// loader is finished or dropped.
    pub fn bulk_loader(&self) -> Result<BulkLoader, StorageError> {
        let txn = self.begin_write()?;
        let state = self.inner.current();
        let empty = state.last_seq == 0
            && state.manifest.node_groups.is_empty()
            && state.manifest.rel_groups.is_empty()
            && state.overlay.ops == 0
            && state.manifest.catalog.labels.is_empty()
            && state.manifest.catalog.types.is_empty();
        if !empty {
            return Err(StorageError::NotEmpty);
        }
        let WriteTxn { mut permit, .. } = txn;
        let permit = permit.take().ok_or(StorageError::ReadOnly)?;
        Ok(BulkLoader {
            store: self.clone(),
            _permit: permit,
            catalog: Catalog::from_record(&state.manifest.catalog),
            node_groups: Vec::new(),
            rel_groups: Vec::new(),
            chunks: Vec::new(),
            held_bytes: 0,
            write_threshold: HELD_CHUNK_BYTES,
            written: Vec::new(),
            written_bytes: 0,
            edges: Vec::new(),
            id_entries: BTreeMap::new(),
            nodes: 0,
        })
    }
}

impl Drop for BulkLoader {
    /// A load given up before `finish` removes the chunks it wrote (best effort: anything
    /// left is unreferenced and swept at the next open).
    fn drop(&mut self) {
        if self.written.is_empty() {
            return;
        }
        let keys = std::mem::take(&mut self.written);
        let removed = self
            .store
            .inner
            .chunks
            .backend
            .apply(keys.into_iter().map(|k| (k, None)).collect());
        if removed.is_ok() {
            self.store
                .inner
                .unreferenced_possible
                .store(false, Ordering::Release);
        }
    }
}

/// A relationship while adjacency is built: (source, target, type << 44 | relationship id).
/// Relationship ids take 44 bits (a u32 group and a 12-bit slot), so a type below 2^20 fits
/// beside one, and the load keeps 24 bytes per relationship rather than 32.
type Edge = (u64, u64, u64);

const REL_BITS: u32 = 44;
const REL_MASK: u64 = (1 << REL_BITS) - 1;

fn edge_type(e: &Edge) -> u32 {
    #[allow(clippy::cast_possible_truncation)]
    let rel_type = (e.2 >> REL_BITS) as u32;
    rel_type
}

/// Chunks built during a load are written once they reach this many bytes.
const HELD_CHUNK_BYTES: usize = 64 << 20;

impl BulkLoader {
    /// Writes the chunks built so far once they reach `bytes` (default 64 MiB): lower keeps
    /// less in memory during the load, at the cost of more, smaller writes.
    pub fn write_after(&mut self, bytes: usize) {
        self.write_threshold = bytes;
    }

    /// Keeps a built chunk for writing; writes the chunks kept once they are many.
    fn hold(&mut self, key: Vec<u8>, bytes: Vec<u8>) -> Result<(), StorageError> {
        self.held_bytes += bytes.len();
        self.chunks.push((key, bytes));
        if self.held_bytes >= self.write_threshold {
            self.write_held()?;
        }
        Ok(())
    }

    /// Writes the chunks kept. From the first one written until the manifest names them (or
    /// they are removed again), the store holds chunks its manifest does not name, so it
    /// must not be closed as clean.
    fn write_held(&mut self) -> Result<(), StorageError> {
        let chunks = std::mem::take(&mut self.chunks);
        self.store
            .inner
            .unreferenced_possible
            .store(true, Ordering::Release);
        let keys: Vec<Vec<u8>> = chunks.iter().map(|(k, _)| k.clone()).collect();
        self.store
            .inner
            .chunks
            .backend
            .apply(chunks.into_iter().map(|(k, v)| (k, Some(v))).collect())?;
        self.written.extend(keys);
        self.written_bytes += self.held_bytes as u64;
        self.held_bytes = 0;
        Ok(())
    }

    fn intern(&mut self, kind: NameKind, name: &str) -> u32 {
        match self.catalog.id(kind, name) {
            Some(id) => id,
            None => self.catalog.push(kind, name.to_owned()),
        }
    }

    pub fn label(&mut self, name: &str) -> u32 {
        self.intern(NameKind::Label, name)
    }

    pub fn rel_type(&mut self, name: &str) -> u32 {
        self.intern(NameKind::Type, name)
    }

    pub fn key(&mut self, name: &str) -> u32 {
        self.intern(NameKind::Key, name)
    }

    /// A batch of nodes with `label` and the properties `keys`, in that column order.
    #[must_use]
    pub fn label_batch(&self, label: u32, keys: Vec<u32>) -> LabelBatch {
        let id_key = self.catalog.id(NameKind::Key, "id");
        let id_position = id_key.and_then(|id| keys.iter().position(|k| *k == id));
        let builders = keys.iter().map(|_| ColumnBuilder::default()).collect();
        LabelBatch {
            label,
            keys,
            id_position,
            rows: 0,
            builders,
            groups: Vec::new(),
            id_entries: KeyArena::default(),
            extra_labels: Vec::new(),
        }
    }

    /// A batch of relationships of `rel_type` with the properties `keys`.
    #[must_use]
    pub fn rel_batch(&self, rel_type: u32, keys: Vec<u32>) -> RelBatch {
        let builders = keys.iter().map(|_| ColumnBuilder::default()).collect();
        RelBatch {
            rel_type,
            keys,
            rows: 0,
            builders,
            groups: Vec::new(),
            src: Vec::new(),
            dst: Vec::new(),
        }
    }

    /// The id the first row of the next `add_nodes` will get; rows follow consecutively.
    #[must_use]
    pub fn next_node_id(&self) -> u64 {
        #[allow(clippy::cast_possible_truncation)]
        join(self.node_groups.len() as u32, 0)
    }

    /// Adds a batch of nodes; returns the id of its first row (the others follow in order).
    pub fn add_nodes(&mut self, batch: LabelBatch) -> Result<u64, StorageError> {
        let mut batch = batch.finish()?;
        let first = self.next_node_id();
        let mut extra_pos = 0;
        for (i, buf) in std::mem::take(&mut batch.groups).into_iter().enumerate() {
            let group = u32::try_from(self.node_groups.len())
                .map_err(|_| StorageError::Capacity("node groups"))?;
            let mut set = Vec::new();
            for slot in 0..buf.slots {
                bits::set(&mut set, slot);
            }
            // Labels beyond the batch's own, for the rows of this group.
            #[allow(clippy::cast_possible_truncation)]
            let base = (i as u32) << super::GROUP_SHIFT;
            let mut extra: BTreeMap<u32, (Vec<u64>, u32)> = BTreeMap::new();
            while let Some(&(row, label)) = batch.extra_labels.get(extra_pos) {
                if row >= base + buf.slots {
                    break;
                }
                let (bitset, count) = extra.entry(label).or_default();
                bits::set(bitset, row - base);
                *count += 1;
                extra_pos += 1;
            }
            let mut labels = vec![(batch.label, set.clone())];
            let mut label_counts = vec![(batch.label, buf.slots)];
            for (label, (bitset, count)) in extra {
                labels.push((label, bitset));
                label_counts.push((label, count));
            }
            let meta = NodeMetaChunk {
                slots: buf.slots,
                exists: set,
                labels,
            };
            self.hold(
                keys::node_chunk_key(group, 1, NodeChunkKind::Meta, 0, 0),
                codec::encode(&meta)?,
            )?;
            let mut record = NodeGroupRecord {
                owner: Some(batch.label),
                generation: 1,
                slots: buf.slots,
                live: buf.slots,
                labels: label_counts,
                ..NodeGroupRecord::default()
            };
            for (key, bytes) in buf.columns {
                record.columns.push(key);
                self.hold(
                    keys::node_chunk_key(group, 1, NodeChunkKind::Column, key, 0),
                    bytes,
                )?;
            }
            debug_assert_eq!(u64::from(group), (first >> super::GROUP_SHIFT) + i as u64);
            self.node_groups.push(record);
        }
        // A node is found by its id under each of its labels.
        // Rows with an id ascend in the batch's entries.
        for &(row, label) in &batch.extra_labels {
            if let Ok(pos) = batch
                .id_entries
                .entries
                .binary_search_by_key(&u64::from(row), |&(_, r)| r)
            {
                let key = batch.id_entries.key(pos);
                self.id_entries
                    .entry(label)
                    .or_default()
                    .push(key, first + u64::from(row));
            }
        }
        let entries = self.id_entries.entry(batch.label).or_default();
        if entries.len() == 0 {
            for entry in &mut batch.id_entries.entries {
                entry.1 += first;
            }
            *entries = batch.id_entries;
        } else {
            entries.extend_mapped(&batch.id_entries, |row| first + row);
        }
        self.nodes += u64::from(batch.rows);
        Ok(first)
    }

    /// Adds a batch of relationships; returns the id of the first.
    pub fn add_relationships(&mut self, batch: RelBatch) -> Result<u64, StorageError> {
        let RelBatch {
            rel_type,
            keys: columns_keys,
            rows,
            mut builders,
            mut groups,
            src,
            dst,
        } = batch;
        if u64::from(rel_type) >= 1 << (64 - REL_BITS) {
            return Err(StorageError::Capacity(
                "relationship types in one bulk load",
            ));
        }
        let rest = rows % GROUP_SIZE;
        if rest > 0 {
            groups.push(finish_group(&columns_keys, &mut builders, rest)?);
        }
        #[allow(clippy::cast_possible_truncation)]
        let first = join(self.rel_groups.len() as u32, 0);
        let mut row = 0usize;
        for buf in groups {
            let group = u32::try_from(self.rel_groups.len())
                .map_err(|_| StorageError::Capacity("relationship groups"))?;
            let end = row + buf.slots as usize;
            let mut meta = RelMetaChunk {
                slots: buf.slots,
                exists: Vec::new(),
                src: src[row..end].to_vec(),
                dst: dst[row..end].to_vec(),
            };
            for slot in 0..buf.slots {
                bits::set(&mut meta.exists, slot);
                let i = row + slot as usize;
                self.edges.push((
                    src[i],
                    dst[i],
                    (u64::from(rel_type) << REL_BITS) | join(group, slot),
                ));
            }
            self.hold(
                keys::rel_chunk_key(group, 1, RelChunkKind::Meta, 0),
                codec::encode(&meta)?,
            )?;
            let mut record = RelGroupRecord {
                rel_type,
                generation: 1,
                slots: buf.slots,
                live: buf.slots,
                columns: Vec::new(),
            };
            for (key, bytes) in buf.columns {
                record.columns.push(key);
                self.hold(
                    keys::rel_chunk_key(group, 1, RelChunkKind::Column, key),
                    bytes,
                )?;
            }
            self.rel_groups.push(record);
            row = end;
        }
        Ok(first)
    }
}

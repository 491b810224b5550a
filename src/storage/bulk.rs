//! Bulk loading into an empty database: rows become column chunks as they arrive, relationships
//! become CSR chunks at the end, and nothing goes through the log. The manifest is written
//! last, so an interrupted load leaves the database as empty as it was (the unreferenced chunks
//! are swept at the next open).
//!
//! `LabelBatch` and `RelBatch` are `Send` and independent, so an importer may fill them on
//! several threads and hand them to the loader in any order.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::backend::Batch;
use super::bits;
use super::catalog::{Catalog, NameKind};
use super::checkpoint::write_pages;
use super::chunks::{ColumnBuilder, csr_chunk};
use super::codec::{self, index_key};
use super::keys::{self, NodeChunkKind, RelChunkKind};
use super::read::join;
use super::records::{
    IndexRecord, Manifest, NodeGroupRecord, NodeMetaChunk, RelGroupRecord, RelMetaChunk,
    StoredValue,
};
use super::state::State;
use super::store::{Store, WriterPermit};
use super::write::WriteTxn;
use super::{GROUP_SIZE, StorageError};

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

/// The rows of one label, in order; row `i` becomes node `first + i` of `add_nodes`.
pub struct LabelBatch {
    label: u32,
    keys: Vec<u32>,
    id_position: Option<usize>,
    rows: u32,
    builders: Vec<ColumnBuilder>,
    groups: Vec<GroupBuf>,
    id_entries: Vec<(Vec<u8>, u32)>,
    /// (row, label) of labels beyond the batch's own, rows ascending.
    extra_labels: Vec<(u32, u32)>,
}

impl LabelBatch {
    /// Adds a row: `values[i]` is the value of `keys[i]` (`Null` when absent).
    pub fn push_row(&mut self, values: Vec<StoredValue>) -> Result<(), StorageError> {
        let slot = self.rows % GROUP_SIZE;
        for (i, value) in values.into_iter().enumerate().take(self.keys.len()) {
            if Some(i) == self.id_position
                && let Some(key) = index_key(&value)
            {
                self.id_entries.push((key, self.rows));
            }
            self.builders[i].push(slot, value);
        }
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

    /// Adds a relationship from node `src` to node `dst` with `values[i]` for `keys[i]`.
    pub fn push_row(
        &mut self,
        src: u64,
        dst: u64,
        values: Vec<StoredValue>,
    ) -> Result<(), StorageError> {
        let slot = self.rows % GROUP_SIZE;
        for (i, value) in values.into_iter().enumerate().take(self.keys.len()) {
            self.builders[i].push(slot, value);
        }
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
    chunks: Vec<(Vec<u8>, Vec<u8>)>,
    /// (source, type, target, relationship) of every relationship.
    edges: Vec<(u64, u32, u64, u64)>,
    id_entries: BTreeMap<u32, Vec<(Vec<u8>, u64)>>,
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
            edges: Vec::new(),
            id_entries: BTreeMap::new(),
            nodes: 0,
        })
    }
}

impl BulkLoader {
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
            id_entries: Vec::new(),
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
            self.chunks.push((
                keys::node_chunk_key(group, 1, NodeChunkKind::Meta, 0, 0),
                codec::encode(&meta)?,
            ));
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
                self.chunks.push((
                    keys::node_chunk_key(group, 1, NodeChunkKind::Column, key, 0),
                    bytes,
                ));
            }
            debug_assert_eq!(u64::from(group), (first >> super::GROUP_SHIFT) + i as u64);
            self.node_groups.push(record);
        }
        // A node is found by its id under each of its labels.
        for &(row, label) in &batch.extra_labels {
            if let Ok(pos) = batch.id_entries.binary_search_by_key(&row, |(_, r)| *r) {
                let key = batch.id_entries[pos].0.clone();
                self.id_entries
                    .entry(label)
                    .or_default()
                    .push((key, first + u64::from(row)));
            }
        }
        let entries = self.id_entries.entry(batch.label).or_default();
        entries.extend(
            batch
                .id_entries
                .into_iter()
                .map(|(k, row)| (k, first + u64::from(row))),
        );
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
                self.edges
                    .push((src[i], rel_type, dst[i], join(group, slot)));
            }
            self.chunks.push((
                keys::rel_chunk_key(group, 1, RelChunkKind::Meta, 0),
                codec::encode(&meta)?,
            ));
            let mut record = RelGroupRecord {
                rel_type,
                generation: 1,
                slots: buf.slots,
                live: buf.slots,
                columns: Vec::new(),
            };
            for (key, bytes) in buf.columns {
                record.columns.push(key);
                self.chunks.push((
                    keys::rel_chunk_key(group, 1, RelChunkKind::Column, key),
                    bytes,
                ));
            }
            self.rel_groups.push(record);
            row = end;
        }
        Ok(first)
    }

    /// Builds adjacency and indexes, writes everything, then the manifest; the graph is
    /// visible when this returns. `progress(done, total)` is called as chunks are written.
    pub fn finish(mut self, progress: &mut dyn FnMut(u64, u64)) -> Result<BulkStats, StorageError> {
        let relationships = self.edges.len() as u64;
        for outgoing in [true, false] {
            // Order by (node, type) so each group's CSR chunks are contiguous runs; a stable
            // sort keeps each node's relationships in input order.
            let key = |e: &(u64, u32, u64, u64)| if outgoing { (e.0, e.1) } else { (e.2, e.1) };
            self.edges.sort_by_key(key);
            let mut per_group: BTreeMap<(u32, u32), Vec<Vec<(u64, u64)>>> = BTreeMap::new();
            let flush = |per_group: &mut BTreeMap<(u32, u32), Vec<Vec<(u64, u64)>>>,
                         loader: &mut Self|
             -> Result<(), StorageError> {
                for ((group, rel_type), lists) in std::mem::take(per_group) {
                    let record = loader
                        .node_groups
                        .get_mut(group as usize)
                        .ok_or(StorageError::NodeNotFound(join(group, 0)))?;
                    let chunk = csr_chunk(record.slots, lists)?;
                    let dir = u8::from(!outgoing);
                    record.csr.push((rel_type, dir));
                    loader.chunks.push((
                        keys::node_chunk_key(group, 1, NodeChunkKind::Csr, rel_type, dir.into()),
                        codec::encode(&chunk)?,
                    ));
                }
                Ok(())
            };
            let edges = std::mem::take(&mut self.edges);
            let mut current_group = None;
            for edge in &edges {
                let (node, rel_type) = key(edge);
                let other = if outgoing { edge.2 } else { edge.0 };
                let (group, slot) = super::read::split(node);
                if current_group != Some(group) {
                    flush(&mut per_group, &mut self)?;
                    current_group = Some(group);
                }
                let lists = per_group.entry((group, rel_type)).or_default();
                if lists.len() <= slot as usize {
                    lists.resize(slot as usize + 1, Vec::new());
                }
                lists[slot as usize].push((other, edge.3));
            }
            flush(&mut per_group, &mut self)?;
            self.edges = edges;
        }
        self.edges = Vec::new();
        for record in &mut self.node_groups {
            record.csr.sort_unstable();
        }

        // Every label's `id` is indexed.
        let id_key = self.key("id");
        let mut indexes = Vec::new();
        let mut next_index_id = 0;
        #[allow(clippy::cast_possible_truncation)]
        for label in 0..self.catalog.names(NameKind::Label).len() as u32 {
            let mut entries = self.id_entries.remove(&label).unwrap_or_default();
            entries.sort_unstable();
            let mut batch: Batch = Vec::new();
            let mut next_page = 0;
            let pages = write_pages(next_index_id, &entries, &mut next_page, 1, &mut batch)?;
            self.chunks
                .extend(batch.into_iter().filter_map(|(k, v)| v.map(|v| (k, v))));
            let name = format!(
                "id_{}",
                self.catalog.name(NameKind::Label, label).unwrap_or("?")
            );
            indexes.push(IndexRecord {
                id: next_index_id,
                name,
                label,
                key: id_key,
                implicit: true,
                pages,
                next_page,
            });
            next_index_id += 1;
        }

        let manifest = Manifest {
            generation: 1,
            log_applied: 0,
            catalog: self.catalog.to_record(),
            node_groups: std::mem::take(&mut self.node_groups),
            rel_groups: std::mem::take(&mut self.rel_groups),
            indexes,
            constraints: Vec::new(),
            next_index_id,
        };
        let backend = Arc::clone(&self.store.inner.chunks.backend);
        let total = self.chunks.len() as u64;
        let mut stats = BulkStats {
            nodes: self.nodes,
            relationships,
            chunks: total,
            bytes: 0,
        };
        let mut batch: Batch = Vec::new();
        let mut batch_bytes = 0usize;
        let mut written_keys = Vec::new();
        let mut done = 0u64;
        let chunks = std::mem::take(&mut self.chunks);
        let result = (|| {
            for (key, value) in chunks {
                batch_bytes += value.len();
                stats.bytes += value.len() as u64;
                written_keys.push(key.clone());
                batch.push((key, Some(value)));
                done += 1;
                if batch_bytes > 32 << 20 {
                    backend.apply(std::mem::take(&mut batch))?;
                    batch_bytes = 0;
                    progress(done, total);
                }
            }
            batch.push((keys::MANIFEST.to_vec(), Some(codec::encode(&manifest)?)));
            backend.apply(std::mem::take(&mut batch))?;
            progress(done, total);
            Ok::<_, StorageError>(())
        })();
        if let Err(e) = result {
            // Leave the database as it was: remove what was written (best effort; anything left
            // is unreferenced and swept at the next open).
            let _ = backend.apply(written_keys.into_iter().map(|k| (k, None)).collect());
            return Err(e);
        }
        self.store
            .inner
            .publish_bulk(State::from_manifest(Arc::new(manifest)));
        Ok(stats)
    }
}

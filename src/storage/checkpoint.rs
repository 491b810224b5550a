//! Folding the overlay into the base: every node group, relationship group and index page the
//! overlay touches is written anew under the next generation, and the new manifest goes in the
//! same atomic batch, which also drops the log records now folded in. The replaced chunks are
//! returned as garbage, to be deleted once no snapshot reads them.

use std::collections::{BTreeMap, BTreeSet};

use super::StorageError;
use super::backend::Batch;
use super::bits;
use super::chunks::{Chunks, ColumnBuilder, csr_chunk, node_meta_chunk};
use super::codec::{self, index_key, to_stored};
use super::keys::{self, NodeChunkKind, RelChunkKind};
use super::read::{View, join, split};
use super::records::{
    IndexPageChunk, IndexPageRecord, IndexRecord, Manifest, NodeGroupRecord, RelGroupRecord,
    RelMetaChunk,
};
use super::state::{NodeEntry, RelEntry, State};
use super::traits::Direction;

/// Entries per index page after a split; a page splits when it passes twice this.
pub(crate) const INDEX_PAGE_ENTRIES: usize = 4096;

pub(crate) struct Outcome {
    pub manifest: Manifest,
    pub batch: Batch,
    pub garbage: Vec<Vec<u8>>,
}

pub(crate) fn run(state: &State, chunks: &Chunks) -> Result<Outcome, StorageError> {
    let view = View { state, chunks };
    let old = state.manifest.as_ref();
    let generation = old.generation + 1;
    let mut batch: Batch = Vec::new();
    let mut garbage = Vec::new();

    // Node groups whose nodes, labels, properties or adjacency changed.
    let overlay = &state.overlay;
    let mut dirty_nodes: BTreeSet<u32> = BTreeSet::new();
    for id in overlay.nodes.keys().chain(overlay.adj.keys()) {
        dirty_nodes.insert(split(*id).0);
    }
    let mut dirty_rels: BTreeSet<u32> = BTreeSet::new();
    for (id, entry) in &overlay.rels {
        dirty_rels.insert(split(*id).0);
        if let RelEntry::Deleted { src, dst, .. } = entry {
            dirty_nodes.insert(split(*src).0);
            dirty_nodes.insert(split(*dst).0);
        }
    }

    let mut node_groups = old.node_groups.clone();
    for (group, alloc) in state.node_alloc.iter().enumerate() {
        if node_groups.len() <= group {
            node_groups.push(NodeGroupRecord {
                owner: alloc.owner,
                ..NodeGroupRecord::default()
            });
        }
    }
    for &group in &dirty_nodes {
        let slots = state.node_alloc.get(group as usize).map_or(0, |a| a.slots);
        let previous = node_groups[group as usize].clone();
        let record = write_node_group(&view, group, slots, previous.owner, generation, &mut batch)?;
        garbage.extend(node_group_keys(group, &previous));
        node_groups[group as usize] = record;
    }

    let mut rel_groups = old.rel_groups.clone();
    for (group, alloc) in state.rel_alloc.iter().enumerate() {
        if rel_groups.len() <= group {
            rel_groups.push(RelGroupRecord {
                rel_type: alloc.rel_type,
                ..RelGroupRecord::default()
            });
        }
    }
    for &group in &dirty_rels {
        let slots = state.rel_alloc.get(group as usize).map_or(0, |a| a.slots);
        let previous = rel_groups[group as usize].clone();
        let record = write_rel_group(
            &view,
            group,
            slots,
            previous.rel_type,
            generation,
            &mut batch,
        )?;
        garbage.extend(rel_group_keys(group, &previous));
        rel_groups[group as usize] = record;
    }

    let mut indexes = Vec::new();
    for def in &state.schema.indexes {
        let previous = old.indexes.iter().find(|r| r.id == def.id);
        let record = match previous {
            Some(previous) if def.built => {
                update_index(&view, previous, generation, &mut batch, &mut garbage)?
            }
            _ => {
                if let Some(previous) = previous {
                    garbage.extend(index_keys(previous));
                }
                build_index(
                    &view,
                    def.id,
                    &def.name,
                    def.label,
                    def.key,
                    def.implicit,
                    generation,
                    &mut batch,
                )?
            }
        };
        indexes.push(record);
    }
    for dropped in old
        .indexes
        .iter()
        .filter(|r| !state.schema.indexes.iter().any(|d| d.id == r.id))
    {
        garbage.extend(index_keys(dropped));
    }

    let manifest = Manifest {
        generation,
        log_applied: state.last_seq,
        catalog: state.catalog.to_record(),
        node_groups,
        rel_groups,
        indexes,
        constraints: state.schema.constraints.clone(),
        next_index_id: state.schema.next_index_id,
    };
    batch.push((keys::MANIFEST.to_vec(), Some(codec::encode(&manifest)?)));
    for seq in old.log_applied + 1..=state.last_seq {
        batch.push((keys::log_key(seq).to_vec(), None));
    }
    Ok(Outcome {
        manifest,
        batch,
        garbage,
    })
}

fn node_group_keys(group: u32, record: &NodeGroupRecord) -> Vec<Vec<u8>> {
    if record.generation == 0 {
        return Vec::new();
    }
    let g = record.generation;
    let mut keys = vec![keys::node_chunk_key(group, g, NodeChunkKind::Meta, 0, 0)];
    keys.extend(
        record
            .columns
            .iter()
            .map(|&k| keys::node_chunk_key(group, g, NodeChunkKind::Column, k, 0)),
    );
    keys.extend(
        record
            .csr
            .iter()
            .map(|&(t, d)| keys::node_chunk_key(group, g, NodeChunkKind::Csr, t, d.into())),
    );
    keys
}

fn rel_group_keys(group: u32, record: &RelGroupRecord) -> Vec<Vec<u8>> {
    if record.generation == 0 {
        return Vec::new();
    }
    let g = record.generation;
    let mut keys = vec![keys::rel_chunk_key(group, g, RelChunkKind::Meta, 0)];
    keys.extend(
        record
            .columns
            .iter()
            .map(|&k| keys::rel_chunk_key(group, g, RelChunkKind::Column, k)),
    );
    keys
}

fn index_keys(record: &IndexRecord) -> Vec<Vec<u8>> {
    record
        .pages
        .iter()
        .map(|p| keys::index_page_key(record.id, p.page, p.generation))
        .collect()
}

/// Writes a node group's chunks as the merged view sees it.
fn write_node_group(
    view: &View<'_>,
    group: u32,
    slots: u32,
    owner: Option<u32>,
    generation: u64,
    batch: &mut Batch,
) -> Result<NodeGroupRecord, StorageError> {
    let mut exists = Vec::new();
    let mut labels: BTreeMap<u32, Vec<u64>> = BTreeMap::new();
    let mut columns: BTreeMap<u32, ColumnBuilder> = BTreeMap::new();
    let mut csr: BTreeMap<(u32, u8), Vec<Vec<(u64, u64)>>> = BTreeMap::new();
    let mut live = 0u32;
    let mut edges = Vec::new();
    for slot in 0..slots {
        let id = join(group, slot);
        let Some(node) = view.node_state(id)? else {
            continue;
        };
        live += 1;
        bits::set(&mut exists, slot);
        for &label in &node.labels {
            bits::set(labels.entry(label).or_default(), slot);
        }
        for (key, value) in &node.props {
            columns
                .entry(*key)
                .or_default()
                .push(slot, to_stored(value)?);
        }
        edges.clear();
        view.expand(id, Direction::Outgoing, &[], &mut edges)?;
        view.expand(id, Direction::Incoming, &[], &mut edges)?;
        for edge in &edges {
            let dir = u8::from(edge.direction == Direction::Incoming);
            let lists = csr.entry((edge.rel_type, dir)).or_default();
            if lists.len() <= slot as usize {
                lists.resize(slot as usize + 1, Vec::new());
            }
            lists[slot as usize].push((edge.other.0, edge.rel.0));
        }
    }
    let mut record = NodeGroupRecord {
        owner,
        generation,
        slots,
        live,
        ..NodeGroupRecord::default()
    };
    let label_sets: Vec<(u32, Vec<u64>)> = labels.into_iter().collect();
    record.labels = label_sets
        .iter()
        .map(|(l, set)| (*l, bits::count(set)))
        .collect();
    let meta = node_meta_chunk(slots, exists, label_sets);
    batch.push((
        keys::node_chunk_key(group, generation, NodeChunkKind::Meta, 0, 0),
        Some(codec::encode(&meta)?),
    ));
    for (key, builder) in columns {
        if let Some(column) = builder.finish(slots) {
            record.columns.push(key);
            batch.push((
                keys::node_chunk_key(group, generation, NodeChunkKind::Column, key, 0),
                Some(codec::encode(&column)?),
            ));
        }
    }
    for ((rel_type, dir), lists) in csr {
        record.csr.push((rel_type, dir));
        let chunk = csr_chunk(slots, lists)?;
        batch.push((
            keys::node_chunk_key(group, generation, NodeChunkKind::Csr, rel_type, dir.into()),
            Some(codec::encode(&chunk)?),
        ));
    }
    Ok(record)
}

fn write_rel_group(
    view: &View<'_>,
    group: u32,
    slots: u32,
    rel_type: u32,
    generation: u64,
    batch: &mut Batch,
) -> Result<RelGroupRecord, StorageError> {
    let mut meta = RelMetaChunk {
        slots,
        ..RelMetaChunk::default()
    };
    let mut columns: BTreeMap<u32, ColumnBuilder> = BTreeMap::new();
    let mut live = 0;
    for slot in 0..slots {
        let id = join(group, slot);
        let state = view.rel_state(id)?;
        meta.src.push(state.as_ref().map_or(0, |r| r.src));
        meta.dst.push(state.as_ref().map_or(0, |r| r.dst));
        let Some(rel) = state else { continue };
        live += 1;
        bits::set(&mut meta.exists, slot);
        for (key, value) in &rel.props {
            columns
                .entry(*key)
                .or_default()
                .push(slot, to_stored(value)?);
        }
    }
    let mut record = RelGroupRecord {
        rel_type,
        generation,
        slots,
        live,
        columns: Vec::new(),
    };
    batch.push((
        keys::rel_chunk_key(group, generation, RelChunkKind::Meta, 0),
        Some(codec::encode(&meta)?),
    ));
    for (key, builder) in columns {
        if let Some(column) = builder.finish(slots) {
            record.columns.push(key);
            batch.push((
                keys::rel_chunk_key(group, generation, RelChunkKind::Column, key),
                Some(codec::encode(&column)?),
            ));
        }
    }
    Ok(record)
}

/// Splits sorted entries into pages and writes them.
pub(crate) fn write_pages(
    index: u32,
    entries: &[(Vec<u8>, u64)],
    next_page: &mut u32,
    generation: u64,
    batch: &mut Batch,
) -> Result<Vec<IndexPageRecord>, StorageError> {
    let mut pages = Vec::new();
    for part in entries.chunks(INDEX_PAGE_ENTRIES) {
        let chunk = IndexPageChunk {
            keys: part.iter().map(|(k, _)| k.clone()).collect(),
            nodes: part.iter().map(|(_, n)| *n).collect(),
        };
        let page = *next_page;
        *next_page += 1;
        batch.push((
            keys::index_page_key(index, page, generation),
            Some(codec::encode(&chunk)?),
        ));
        #[allow(clippy::cast_possible_truncation)]
        pages.push(IndexPageRecord {
            page,
            generation,
            first_key: part[0].0.clone(),
            first_node: part[0].1,
            entries: part.len() as u32,
        });
    }
    Ok(pages)
}

/// Builds an index from scratch over the merged view.
#[allow(clippy::too_many_arguments)]
fn build_index(
    view: &View<'_>,
    id: u32,
    name: &str,
    label: u32,
    key: u32,
    implicit: bool,
    generation: u64,
    batch: &mut Batch,
) -> Result<IndexRecord, StorageError> {
    let mut entries = Vec::new();
    for node in view.nodes_with_label(Some(label))? {
        if let Some(k) = index_key(&to_stored(&view.node_property(node.0, key)?)?) {
            entries.push((k, node.0));
        }
    }
    entries.sort_unstable();
    let mut next_page = 0;
    let pages = write_pages(id, &entries, &mut next_page, generation, batch)?;
    Ok(IndexRecord {
        id,
        name: name.to_owned(),
        label,
        key,
        implicit,
        pages,
        next_page,
    })
}

/// Applies the overlay's changes to an index's pages, rewriting only the pages they touch.
fn update_index(
    view: &View<'_>,
    previous: &IndexRecord,
    generation: u64,
    batch: &mut Batch,
    garbage: &mut Vec<Vec<u8>>,
) -> Result<IndexRecord, StorageError> {
    let state = view.state;
    let (label, key) = (previous.label, previous.key);
    let mut removals = Vec::new();
    let mut additions = Vec::new();
    for (&id, entry) in &state.overlay.nodes {
        let before = if view.base_node_exists(id)? && view.base_node_labels(id)?.contains(&label) {
            index_key(&view.base_node_stored_property(id, key)?)
        } else {
            None
        };
        let after = match entry {
            NodeEntry::Live(node) if node.labels.contains(&label) => match node.property(key) {
                Some(value) => index_key(&to_stored(value)?),
                None => None,
            },
            _ => None,
        };
        if before != after {
            if let Some(k) = before {
                removals.push((k, id));
            }
            if let Some(k) = after {
                additions.push((k, id));
            }
        }
    }
    let mut record = previous.clone();
    if removals.is_empty() && additions.is_empty() {
        return Ok(record);
    }
    // Route each change to the page whose range holds it.
    let page_of = |entry: &(Vec<u8>, u64)| -> usize {
        record
            .pages
            .partition_point(|p| {
                (p.first_key.as_slice(), p.first_node) <= (entry.0.as_slice(), entry.1)
            })
            .saturating_sub(1)
    };
    let mut per_page: BTreeMap<usize, (Vec<(Vec<u8>, u64)>, Vec<(Vec<u8>, u64)>)> = BTreeMap::new();
    if record.pages.is_empty() {
        per_page.insert(0, (Vec::new(), additions));
    } else {
        for entry in removals {
            per_page.entry(page_of(&entry)).or_default().0.push(entry);
        }
        for entry in additions {
            per_page.entry(page_of(&entry)).or_default().1.push(entry);
        }
    }
    let mut new_pages: Vec<IndexPageRecord> = Vec::new();
    let mut next_page = record.next_page;
    let page_count = record.pages.len().max(1);
    for pos in 0..page_count {
        let Some((removed, added)) = per_page.remove(&pos) else {
            new_pages.push(record.pages[pos].clone());
            continue;
        };
        let mut entries: Vec<(Vec<u8>, u64)> = match record.pages.get(pos) {
            Some(page) => {
                garbage.push(keys::index_page_key(record.id, page.page, page.generation));
                let chunk = view.chunks.index_page(&record, pos)?;
                chunk
                    .keys
                    .iter()
                    .cloned()
                    .zip(chunk.nodes.iter().copied())
                    .collect()
            }
            None => Vec::new(),
        };
        let removed: BTreeSet<(Vec<u8>, u64)> = removed.into_iter().collect();
        entries.retain(|e| !removed.contains(e));
        entries.extend(added);
        entries.sort_unstable();
        entries.dedup();
        if entries.is_empty() {
            continue;
        }
        let target = if entries.len() > 2 * INDEX_PAGE_ENTRIES {
            INDEX_PAGE_ENTRIES
        } else {
            entries.len()
        };
        for part in entries.chunks(target) {
            new_pages.extend(write_pages(
                record.id,
                part,
                &mut next_page,
                generation,
                batch,
            )?);
        }
    }
    record.pages = new_pages;
    record.next_page = next_page;
    Ok(record)
}

//! Reading one state: the overlay where it speaks, the base chunks elsewhere. `View` does the
//! work; `Snapshot` (a reader's frozen state) and `WriteTxn` expose it as `GraphRead`.

use std::sync::Arc;

use super::bits;
use super::catalog::NameKind;
use super::chunks::{self, Chunks, column_equals, column_stored, column_value, csr_slice};
use super::codec::{self, index_key};
use super::records::{NodeGroupRecord, RelGroupRecord, StoredValue};
use super::state::{NodeEntry, NodeState, RelEntry, RelState, State};
use super::traits::{ConstraintInfo, Direction, Edge, IndexInfo, RelInfo};
use super::{GROUP_SHIFT, GROUP_SIZE, StorageError};
use crate::value::{NodeId, RelId, Value};

mod base;
mod graph_read;

pub(crate) use graph_read::impl_graph_read;

/// A borrowed state plus the chunks it reads.
#[derive(Clone, Copy)]
pub(crate) struct View<'a> {
    pub state: &'a State,
    pub chunks: &'a Chunks,
}

/// Splits an id into (group, slot).
#[must_use]
#[allow(clippy::cast_possible_truncation)]
pub(crate) fn split(id: u64) -> (u32, u32) {
    (
        (id >> GROUP_SHIFT) as u32,
        (id & u64::from(GROUP_SIZE - 1)) as u32,
    )
}

#[must_use]
pub(crate) fn join(group: u32, slot: u32) -> u64 {
    (u64::from(group) << GROUP_SHIFT) | u64::from(slot)
}

impl<'a> View<'a> {
    /// What the overlay says of node `id`; an empty overlay (a read after a checkpoint, the
    /// usual case) answers without hashing.
    fn overlay_node(&self, id: u64) -> Option<&'a NodeEntry> {
        let nodes = &self.state.overlay.nodes;
        if nodes.is_empty() {
            None
        } else {
            nodes.get(&id)
        }
    }

    /// What the overlay says of relationship `id`.
    fn overlay_rel(&self, id: u64) -> Option<&'a RelEntry> {
        let rels = &self.state.overlay.rels;
        if rels.is_empty() { None } else { rels.get(&id) }
    }

    pub fn node_group(&self, group: u32) -> Option<&'a NodeGroupRecord> {
        self.state
            .manifest
            .node_groups
            .get(group as usize)
            .filter(|g| g.generation > 0)
    }

    pub fn rel_group(&self, group: u32) -> Option<&'a RelGroupRecord> {
        self.state
            .manifest
            .rel_groups
            .get(group as usize)
            .filter(|g| g.generation > 0)
    }

    /// The current state of a node (overlay first), or `None` when it does not exist.
    pub fn node_state(&self, id: u64) -> Result<Option<NodeState>, StorageError> {
        match self.overlay_node(id) {
            Some(NodeEntry::Live(state)) => Ok(Some(state.as_ref().clone())),
            Some(NodeEntry::Deleted) => Ok(None),
            None => self.base_node_state(id),
        }
    }

    pub fn rel_state(&self, id: u64) -> Result<Option<RelState>, StorageError> {
        match self.overlay_rel(id) {
            Some(RelEntry::Live(state)) => Ok(Some(state.as_ref().clone())),
            Some(RelEntry::Deleted { .. }) => Ok(None),
            None => self.base_rel_state(id),
        }
    }

    pub fn node_exists(&self, id: u64) -> Result<bool, StorageError> {
        match self.overlay_node(id) {
            Some(NodeEntry::Live(_)) => Ok(true),
            Some(NodeEntry::Deleted) => Ok(false),
            None => self.base_node_exists(id),
        }
    }

    pub fn node_labels(&self, id: u64) -> Result<Vec<u32>, StorageError> {
        match self.overlay_node(id) {
            Some(NodeEntry::Live(state)) => Ok(state.labels.clone()),
            Some(NodeEntry::Deleted) => Err(StorageError::NodeNotFound(id)),
            None if self.base_node_exists(id)? => self.base_node_labels(id),
            None => Err(StorageError::NodeNotFound(id)),
        }
    }

    pub fn node_has_label(&self, id: u64, label: u32) -> Result<bool, StorageError> {
        match self.overlay_node(id) {
            Some(NodeEntry::Live(state)) => Ok(state.labels.contains(&label)),
            Some(NodeEntry::Deleted) => Ok(false),
            None => {
                let (group, slot) = split(id);
                let Some(record) = self.node_group(group) else {
                    return Ok(false);
                };
                let Some(&(_, carrying)) = record.labels.iter().find(|(l, _)| *l == label) else {
                    return Ok(false);
                };
                if record.live == record.slots && carrying == record.slots {
                    // Every slot in use is a live node with the label (as after a bulk load).
                    return Ok(slot < record.slots);
                }
                self.chunks.with_node_meta(group, record, |meta| {
                    bits::get(&meta.exists, slot)
                        && meta
                            .labels
                            .iter()
                            .any(|(l, set)| *l == label && bits::get(set, slot))
                })
            }
        }
    }

    pub fn node_property(&self, id: u64, key: u32) -> Result<Value, StorageError> {
        match self.overlay_node(id) {
            Some(NodeEntry::Live(state)) => Ok(state.property(key).cloned().unwrap_or(Value::Null)),
            Some(NodeEntry::Deleted) => Err(StorageError::NodeNotFound(id)),
            None => {
                // Base columns hold values of live nodes only, so a value found proves the node
                // exists; only an absent one needs the existence check.
                let value = self.base_node_property(id, key)?;
                if !value.is_null() || self.base_node_exists(id)? {
                    Ok(value)
                } else {
                    Err(StorageError::NodeNotFound(id))
                }
            }
        }
    }

    /// `node_property(id, key)` of each of `ids`, appended to `out`; a run of ids of one group
    /// with no changes in the overlay finds its column once.
    pub fn node_property_of_each(
        &self,
        ids: &[NodeId],
        key: u32,
        out: &mut Vec<Value>,
    ) -> Result<(), StorageError> {
        let mut i = 0;
        while i < ids.len() {
            let id = ids[i].0;
            if self.overlay_node(id).is_some() {
                out.push(self.node_property(id, key)?);
                i += 1;
                continue;
            }
            let (group, _) = split(id);
            let mut end = i + 1;
            while end < ids.len()
                && split(ids[end].0).0 == group
                && self.overlay_node(ids[end].0).is_none()
            {
                end += 1;
            }
            let first = out.len();
            let run = &ids[i..end];
            match self.node_group(group).filter(|r| r.columns.contains(&key)) {
                Some(record) => self.chunks.with_node_column(group, record, key, |c| {
                    for id in run {
                        out.push(column_value(c, split(id.0).1)?);
                    }
                    Ok::<_, StorageError>(())
                })??,
                None => out.extend(run.iter().map(|_| Value::Null)),
            }
            // Base columns hold values of live nodes only: an absent value needs the check.
            for (id, value) in run.iter().zip(&out[first..]) {
                if value.is_null() && !self.base_node_exists(id.0)? {
                    return Err(StorageError::NodeNotFound(id.0));
                }
            }
            i = end;
        }
        Ok(())
    }

    /// `node_property(id, key)?.eq_cypher(value)`, comparing base values in their column.
    pub fn node_property_equals(
        &self,
        id: u64,
        key: u32,
        value: &Value,
    ) -> Result<Option<bool>, StorageError> {
        if self.overlay_node(id).is_some() {
            return Ok(self.node_property(id, key)?.eq_cypher(value));
        }
        let (group, slot) = split(id);
        let found = match self.node_group(group) {
            Some(record) if record.columns.contains(&key) => {
                self.chunks
                    .with_node_column(group, record, key, |c| column_equals(c, slot, value))??
            }
            _ => None,
        };
        match found {
            Some(equal) => Ok(equal),
            // Absent: null, if the node exists.
            None if self.base_node_exists(id)? => Ok(None),
            None => Err(StorageError::NodeNotFound(id)),
        }
    }

    pub fn node_properties(&self, id: u64) -> Result<Vec<(u32, Value)>, StorageError> {
        match self.overlay_node(id) {
            Some(NodeEntry::Live(state)) => Ok(state.props.clone()),
            Some(NodeEntry::Deleted) => Err(StorageError::NodeNotFound(id)),
            None if self.base_node_exists(id)? => self.base_node_properties(id),
            None => Err(StorageError::NodeNotFound(id)),
        }
    }

    /// Base nodes of one group that carry `label` (every live one when `None`), skipping the
    /// ids the overlay speaks for.
    fn base_group_nodes(
        &self,
        group: u32,
        label: Option<u32>,
        out: &mut Vec<u64>,
    ) -> Result<(), StorageError> {
        let Some(record) = self.node_group(group) else {
            return Ok(());
        };
        if let Some(label) = label
            && !record.labels.iter().any(|(l, _)| *l == label)
        {
            return Ok(());
        }
        let meta = self.chunks.node_meta(group, record)?;
        let set: &[u64] = match label {
            None => &meta.exists,
            Some(label) => match meta.labels.iter().find(|(l, _)| *l == label) {
                Some((_, set)) => set,
                None => return Ok(()),
            },
        };
        let overlay = &self.state.overlay.nodes;
        for slot in bits::ones(set) {
            let id = join(group, slot);
            if bits::get(&meta.exists, slot) && (overlay.is_empty() || !overlay.contains_key(&id)) {
                out.push(id);
            }
        }
        Ok(())
    }

    pub fn nodes_with_label(&self, label: Option<u32>) -> Result<Vec<NodeId>, StorageError> {
        let mut ids = Vec::new();
        #[allow(clippy::cast_possible_truncation)]
        for group in 0..self.state.manifest.node_groups.len() as u32 {
            self.base_group_nodes(group, label, &mut ids)?;
        }
        let overlay = &self.state.overlay;
        match label {
            Some(label) => {
                if let Some(set) = overlay.by_label.get(&label) {
                    ids.extend(set.iter().copied());
                }
            }
            None => ids.extend(
                overlay
                    .nodes
                    .iter()
                    .filter(|(_, e)| matches!(e, NodeEntry::Live(_)))
                    .map(|(id, _)| *id),
            ),
        }
        ids.sort_unstable();
        ids.dedup();
        Ok(ids.into_iter().map(NodeId).collect())
    }

    pub fn nodes_by_property(
        &self,
        label: u32,
        key: u32,
        value: &Value,
    ) -> Result<Vec<NodeId>, StorageError> {
        let stored = match codec::to_stored(value) {
            Ok(stored) => stored,
            // A map or a node can equal no stored property.
            Err(_) => return Ok(Vec::new()),
        };
        let Some(wanted) = index_key(&stored) else {
            return Ok(Vec::new());
        };
        let index = self.state.schema.index_for(label, key).filter(|i| i.built);
        let mut ids = Vec::new();
        match index {
            Some(def) => {
                if let Some(record) = self.state.manifest.indexes.iter().find(|r| r.id == def.id) {
                    self.base_index_seek(record, &wanted, &mut ids)?;
                }
                if let Some(entries) = self.state.overlay.index_entries.get(&def.id) {
                    for (k, id) in entries.range((wanted.clone(), 0)..) {
                        if *k != wanted {
                            break;
                        }
                        ids.push(*id);
                    }
                }
            }
            None => {
                for node in self.nodes_with_label(Some(label))? {
                    let found = codec::to_stored(&self.node_property(node.0, key)?)?;
                    if index_key(&found).as_ref() == Some(&wanted) {
                        ids.push(node.0);
                    }
                }
            }
        }
        ids.sort_unstable();
        ids.dedup();
        Ok(ids.into_iter().map(NodeId).collect())
    }

    /// Base index entries equal to `wanted`, for ids the overlay does not speak for.
    fn base_index_seek(
        &self,
        record: &super::records::IndexRecord,
        wanted: &[u8],
        out: &mut Vec<u64>,
    ) -> Result<(), StorageError> {
        // The first page that can hold `wanted` is the last one starting strictly before it (an
        // equal run may begin on the previous page).
        let start = record
            .pages
            .partition_point(|p| p.first_key.as_slice() < wanted)
            .saturating_sub(1);
        for pos in start..record.pages.len() {
            if record.pages[pos].first_key.as_slice() > wanted {
                break;
            }
            let page = self.chunks.index_page(record, pos)?;
            let from = page.keys.partition_point(|k| k.as_slice() < wanted);
            for i in from..page.keys.len() {
                if page.keys[i] != wanted {
                    break;
                }
                let id = *page.nodes.get(i).ok_or_else(|| StorageError::Corruption {
                    what: format!("page of index `{}`", record.name),
                    detail: "fewer nodes than keys".into(),
                })?;
                if self.overlay_node(id).is_none() {
                    out.push(id);
                }
            }
        }
        Ok(())
    }

    pub fn count_nodes(&self, label: Option<u32>) -> Result<u64, StorageError> {
        let base: i64 = match label {
            None => self
                .state
                .manifest
                .node_groups
                .iter()
                .map(|g| i64::from(g.live))
                .sum(),
            Some(label) => self
                .state
                .manifest
                .node_groups
                .iter()
                .flat_map(|g| g.labels.iter())
                .filter(|(l, _)| *l == label)
                .map(|(_, n)| i64::from(*n))
                .sum(),
        };
        let delta = match label {
            None => self.state.overlay.node_count_delta,
            Some(label) => self
                .state
                .overlay
                .label_count_delta
                .get(&label)
                .copied()
                .unwrap_or(0),
        };
        Ok(u64::try_from(base + delta).unwrap_or(0))
    }

    pub fn count_relationships(&self, rel_type: Option<u32>) -> Result<u64, StorageError> {
        let groups = self.state.manifest.rel_groups.iter();
        let base: i64 = match rel_type {
            None => groups.map(|g| i64::from(g.live)).sum(),
            Some(t) => groups
                .filter(|g| g.rel_type == t)
                .map(|g| i64::from(g.live))
                .sum(),
        };
        let delta = match rel_type {
            None => self.state.overlay.rel_count_delta,
            Some(t) => self
                .state
                .overlay
                .type_count_delta
                .get(&t)
                .copied()
                .unwrap_or(0),
        };
        Ok(u64::try_from(base + delta).unwrap_or(0))
    }

    pub fn relationship(&self, id: u64) -> Result<Option<RelInfo>, StorageError> {
        match self.overlay_rel(id) {
            Some(RelEntry::Live(r)) => Ok(Some(RelInfo {
                rel_type: r.rel_type,
                start: NodeId(r.src),
                end: NodeId(r.dst),
            })),
            Some(RelEntry::Deleted { .. }) => Ok(None),
            None => self.base_rel(id),
        }
    }

    pub fn rel_property(&self, id: u64, key: u32) -> Result<Value, StorageError> {
        match self.overlay_rel(id) {
            Some(RelEntry::Live(r)) => Ok(r
                .props
                .binary_search_by_key(&key, |(k, _)| *k)
                .map_or(Value::Null, |i| r.props[i].1.clone())),
            Some(RelEntry::Deleted { .. }) => Err(StorageError::RelationshipNotFound(id)),
            None => {
                let (group, slot) = split(id);
                let Some(record) = self.rel_group(group) else {
                    return Err(StorageError::RelationshipNotFound(id));
                };
                // As for nodes: a value in a base column proves the relationship exists.
                let value = if record.columns.contains(&key) {
                    self.chunks
                        .with_rel_column(group, record, key, |c| column_value(c, slot))??
                } else {
                    Value::Null
                };
                if !value.is_null() || self.base_rel_exists(id)? {
                    Ok(value)
                } else {
                    Err(StorageError::RelationshipNotFound(id))
                }
            }
        }
    }

    /// `rel_property(id, key)?.eq_cypher(value)`, comparing base values in their column.
    pub fn rel_property_equals(
        &self,
        id: u64,
        key: u32,
        value: &Value,
    ) -> Result<Option<bool>, StorageError> {
        if self.overlay_rel(id).is_some() {
            return Ok(self.rel_property(id, key)?.eq_cypher(value));
        }
        let (group, slot) = split(id);
        let Some(record) = self.rel_group(group) else {
            return Err(StorageError::RelationshipNotFound(id));
        };
        let found = if record.columns.contains(&key) {
            self.chunks
                .with_rel_column(group, record, key, |c| column_equals(c, slot, value))??
        } else {
            None
        };
        match found {
            Some(equal) => Ok(equal),
            None if self.base_rel_exists(id)? => Ok(None),
            None => Err(StorageError::RelationshipNotFound(id)),
        }
    }

    pub fn rel_properties(&self, id: u64) -> Result<Vec<(u32, Value)>, StorageError> {
        match self.rel_state(id)? {
            Some(state) => Ok(state.props),
            None => Err(StorageError::RelationshipNotFound(id)),
        }
    }

    pub fn expand(
        &self,
        node: u64,
        direction: Direction,
        types: &[u32],
        out: &mut Vec<Edge>,
    ) -> Result<(), StorageError> {
        let overlay = &self.state.overlay;
        let push = |out: &mut Vec<Edge>, rel_type: u32, outgoing: bool, other: u64, rel: u64| {
            // With `Both`, a self-loop is found once from each end: keep only the outgoing sighting.
            if direction == Direction::Both && !outgoing && other == node {
                return;
            }
            out.push(Edge {
                rel: RelId(rel),
                rel_type,
                other: NodeId(other),
                direction: if outgoing {
                    Direction::Outgoing
                } else {
                    Direction::Incoming
                },
            });
        };
        if !matches!(self.overlay_node(node), Some(NodeEntry::Deleted)) {
            self.base_adjacency(node, direction, types, |rel_type, outgoing, other, rel| {
                if overlay.rels.is_empty()
                    || !matches!(overlay.rels.get(&rel), Some(RelEntry::Deleted { .. }))
                {
                    push(out, rel_type, outgoing, other, rel);
                }
            })?;
        }
        if let Some(entries) = (!overlay.adj.is_empty())
            .then(|| overlay.adj.get(&node))
            .flatten()
        {
            for entry in entries {
                if !types.is_empty() && !types.contains(&entry.rel_type) {
                    continue;
                }
                let wanted = match direction {
                    Direction::Outgoing => entry.outgoing,
                    Direction::Incoming => !entry.outgoing,
                    Direction::Both => true,
                };
                if wanted {
                    push(out, entry.rel_type, entry.outgoing, entry.other, entry.rel);
                }
            }
        }
        Ok(())
    }

    pub fn all_relationships(&self) -> Result<Vec<RelId>, StorageError> {
        let mut ids = Vec::new();
        let overlay = &self.state.overlay;
        for (group, record) in self.state.manifest.rel_groups.iter().enumerate() {
            if record.generation == 0 {
                continue;
            }
            #[allow(clippy::cast_possible_truncation)]
            let meta = self.chunks.rel_meta(group as u32, record)?;
            for slot in bits::ones(&meta.exists) {
                #[allow(clippy::cast_possible_truncation)]
                let id = join(group as u32, slot);
                if !overlay.rels.contains_key(&id) {
                    ids.push(id);
                }
            }
        }
        ids.extend(
            overlay
                .rels
                .iter()
                .filter(|(_, e)| matches!(e, RelEntry::Live(_)))
                .map(|(id, _)| *id),
        );
        ids.sort_unstable();
        Ok(ids.into_iter().map(RelId).collect())
    }

    pub fn indexes(&self) -> Vec<IndexInfo> {
        let catalog = &self.state.catalog;
        self.state
            .schema
            .indexes
            .iter()
            .map(|i| IndexInfo {
                name: i.name.clone(),
                label: catalog
                    .name(NameKind::Label, i.label)
                    .unwrap_or("?")
                    .to_owned(),
                key: catalog.name(NameKind::Key, i.key).unwrap_or("?").to_owned(),
                implicit: i.implicit,
                online: i.built,
            })
            .collect()
    }

    pub fn constraints(&self) -> Vec<ConstraintInfo> {
        let catalog = &self.state.catalog;
        self.state
            .schema
            .constraints
            .iter()
            .map(|c| ConstraintInfo {
                name: c.name.clone(),
                label: catalog
                    .name(NameKind::Label, c.label)
                    .unwrap_or("?")
                    .to_owned(),
                key: catalog.name(NameKind::Key, c.key).unwrap_or("?").to_owned(),
                kind: c.kind,
            })
            .collect()
    }
}

/// A reader's frozen state: what was committed when it began, unaffected by later writes.
#[derive(Clone)]
pub struct Snapshot {
    pub(crate) state: Arc<State>,
    pub(crate) chunks: Arc<Chunks>,
}

impl Snapshot {
    pub(crate) fn view(&self) -> View<'_> {
        View {
            state: &self.state,
            chunks: &self.chunks,
        }
    }

    pub(crate) fn state_ref(&self) -> &State {
        &self.state
    }

    /// The sequence number of the last transaction this snapshot includes.
    #[must_use]
    pub fn sequence(&self) -> u64 {
        self.state.last_seq
    }
}

impl_graph_read!(Snapshot, sync);

#[allow(unused_imports)]
use chunks as _;

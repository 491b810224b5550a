//! Write transactions: each change becomes an `Op`, applied at once to the transaction's private
//! copy of the state and appended to the list that commit writes as one log record. Replay at
//! open applies the same ops through the same `apply`, so the two paths cannot disagree.
//!
//! Over 800 lines, kept whole: every `Op` beside its `apply` and the `GraphWrite` method that
//! makes it, which is what keeps commit and replay in step.

use std::sync::Arc;

use super::catalog::NameKind;
use super::chunks::Chunks;
use super::codec::{self, from_stored, index_key, to_stored};
use super::read::{View, impl_graph_read, join, split};
use super::records::{ConstraintKind, ConstraintRecord, Op, StoredValue};
use super::state::{
    AdjEntry, IndexDef, NodeAlloc, NodeEntry, NodeState, RelAlloc, RelEntry, RelState, State,
};
use super::store::{StoreInner, WriterPermit};
use super::traits::{Direction, GraphRead, GraphWrite};
use super::{GROUP_SIZE, StorageError};
use crate::value::{NodeId, RelId, Value};

/// An open write transaction. Dropping it without `commit` rolls it back.
pub struct WriteTxn {
    pub(crate) inner: Arc<StoreInner>,
    pub(crate) state: State,
    pub(crate) ops: Vec<Op>,
    /// Nodes created or changed, for constraint checks at commit.
    pub(crate) touched: Vec<u64>,
    /// A schema change that needs a checkpoint to build an index.
    pub(crate) needs_checkpoint: bool,
    pub(crate) permit: Option<WriterPermit>,
}

/// The state of a transaction at one point, to return to with `rollback_to`.
#[derive(Clone)]
pub struct Savepoint {
    state: State,
    ops: usize,
    touched: usize,
    needs_checkpoint: bool,
}

impl WriteTxn {
    pub(crate) fn view(&self) -> View<'_> {
        View {
            state: &self.state,
            chunks: &self.inner.chunks,
        }
    }

    pub(crate) fn state_ref(&self) -> &State {
        &self.state
    }

    /// Marks the current point; O(1).
    #[must_use]
    pub fn savepoint(&self) -> Savepoint {
        Savepoint {
            state: self.state.clone(),
            ops: self.ops.len(),
            touched: self.touched.len(),
            needs_checkpoint: self.needs_checkpoint,
        }
    }

    /// Undoes every change made since `savepoint`.
    pub fn rollback_to(&mut self, savepoint: Savepoint) {
        self.state = savepoint.state;
        self.ops.truncate(savepoint.ops);
        self.touched.truncate(savepoint.touched);
        self.needs_checkpoint = savepoint.needs_checkpoint;
    }

    /// True when the transaction has changed nothing.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.ops.is_empty()
    }

    /// Checks constraints, writes the transaction durably as one log record and publishes it.
    pub fn commit(mut self) -> Result<(), StorageError> {
        self.check_constraints()?;
        let inner = Arc::clone(&self.inner);
        let permit = self.permit.take();
        let result = inner.commit(
            std::mem::take(&mut self.ops),
            self.state.clone(),
            self.needs_checkpoint,
        );
        drop(permit);
        result
    }

    /// Discards every change.
    pub fn rollback(self) {}

    fn check_constraints(&self) -> Result<(), StorageError> {
        let schema = &self.state.schema;
        if schema.constraints.is_empty() {
            return Ok(());
        }
        let mut touched = self.touched.clone();
        touched.sort_unstable();
        touched.dedup();
        let view = self.view();
        for id in touched {
            let Some(NodeEntry::Live(node)) = self.state.overlay.nodes.get(&id) else {
                continue;
            };
            for constraint in &schema.constraints {
                if !node.labels.contains(&constraint.label) {
                    continue;
                }
                let label = self.label_name(constraint.label).unwrap_or("?").to_owned();
                let key = self.key_name(constraint.key).unwrap_or("?").to_owned();
                match (constraint.kind, node.property(constraint.key)) {
                    (ConstraintKind::NotNull, None) => {
                        return Err(StorageError::NotNullViolation {
                            node: id,
                            label,
                            key,
                        });
                    }
                    (ConstraintKind::Unique, Some(value)) => {
                        let same =
                            view.nodes_by_property(constraint.label, constraint.key, value)?;
                        if let Some(other) = same.iter().find(|n| n.0 != id) {
                            return Err(StorageError::UniqueViolation {
                                node: other.0,
                                label,
                                key,
                                value: value.to_string(),
                            });
                        }
                    }
                    _ => {}
                }
            }
        }
        Ok(())
    }

    fn push(&mut self, op: Op) -> Result<(), StorageError> {
        apply(&mut self.state, &self.inner.chunks, &op)?;
        self.ops.push(op);
        Ok(())
    }

    fn intern(&mut self, kind: NameKind, name: &str) -> Result<u32, StorageError> {
        if let Some(id) = self.state.catalog.id(kind, name) {
            return Ok(id);
        }
        let id = u32::try_from(self.state.catalog.next_id(kind))
            .map_err(|_| StorageError::Capacity("names"))?;
        let name = name.to_owned();
        self.push(match kind {
            NameKind::Label => Op::InternLabel {
                id,
                name: name.clone(),
            },
            NameKind::Type => Op::InternType {
                id,
                name: name.clone(),
            },
            NameKind::Key => Op::InternKey {
                id,
                name: name.clone(),
            },
        })?;
        if kind == NameKind::Label {
            // Every label's `id` is indexed: the CRM looks nodes up by it all the time.
            let key = self.intern(NameKind::Key, "id")?;
            let index = self.state.schema.next_index_id;
            self.push(Op::CreateIndex {
                id: index,
                name: format!("id_{name}"),
                label: id,
                key,
                implicit: true,
            })?;
        }
        Ok(id)
    }

    fn check_label(&self, kind: NameKind, id: u32) -> Result<(), StorageError> {
        if self.state.catalog.name(kind, id).is_some() {
            Ok(())
        } else {
            Err(StorageError::UnknownName(id))
        }
    }

    fn stored_props(
        &self,
        properties: Vec<(u32, Value)>,
    ) -> Result<Vec<(u32, StoredValue)>, StorageError> {
        let mut props = Vec::with_capacity(properties.len());
        for (key, value) in properties {
            self.check_label(NameKind::Key, key)?;
            if !value.is_null() {
                props.push((key, to_stored(&value)?));
            }
        }
        props.sort_by_key(|(k, _)| *k);
        props.dedup_by_key(|(k, _)| *k);
        Ok(props)
    }

    fn require_node(&self, node: NodeId) -> Result<(), StorageError> {
        if self.view().node_exists(node.0)? {
            Ok(())
        } else {
            Err(StorageError::NodeNotFound(node.0))
        }
    }

    fn require_rel(&self, rel: RelId) -> Result<RelState, StorageError> {
        self.view()
            .rel_state(rel.0)?
            .ok_or(StorageError::RelationshipNotFound(rel.0))
    }

    fn next_node_id(&self, owner: Option<u32>) -> Result<u64, StorageError> {
        if let Some(&group) = self.state.open_node_group.get(&owner)
            && let Some(alloc) = self.state.node_alloc.get(group as usize)
            && alloc.slots < GROUP_SIZE
        {
            return Ok(join(group, alloc.slots));
        }
        let group = u32::try_from(self.state.node_alloc.len())
            .map_err(|_| StorageError::Capacity("node groups"))?;
        Ok(join(group, 0))
    }

    fn next_rel_id(&self, rel_type: u32) -> Result<u64, StorageError> {
        if let Some(&group) = self.state.open_rel_group.get(&rel_type)
            && let Some(alloc) = self.state.rel_alloc.get(group as usize)
            && alloc.slots < GROUP_SIZE
        {
            return Ok(join(group, alloc.slots));
        }
        let group = u32::try_from(self.state.rel_alloc.len())
            .map_err(|_| StorageError::Capacity("relationship groups"))?;
        Ok(join(group, 0))
    }
}

impl_graph_read!(WriteTxn);

impl GraphWrite for WriteTxn {
    fn intern_label(&mut self, name: &str) -> Result<u32, StorageError> {
        self.intern(NameKind::Label, name)
    }

    fn intern_type(&mut self, name: &str) -> Result<u32, StorageError> {
        self.intern(NameKind::Type, name)
    }

    fn intern_key(&mut self, name: &str) -> Result<u32, StorageError> {
        self.intern(NameKind::Key, name)
    }

    fn create_node(
        &mut self,
        labels: &[u32],
        properties: Vec<(u32, Value)>,
    ) -> Result<NodeId, StorageError> {
        let mut unique_labels = Vec::with_capacity(labels.len());
        for &label in labels {
            self.check_label(NameKind::Label, label)?;
            if !unique_labels.contains(&label) {
                unique_labels.push(label);
            }
        }
        let props = self.stored_props(properties)?;
        let id = self.next_node_id(unique_labels.first().copied())?;
        self.push(Op::CreateNode {
            id,
            labels: unique_labels,
            props,
        })?;
        self.touched.push(id);
        Ok(NodeId(id))
    }

    fn set_node_property(
        &mut self,
        node: NodeId,
        key: u32,
        value: Value,
    ) -> Result<(), StorageError> {
        self.require_node(node)?;
        self.check_label(NameKind::Key, key)?;
        let value = to_stored(&value)?;
        self.push(Op::SetNodeProperty {
            id: node.0,
            key,
            value,
        })?;
        self.touched.push(node.0);
        Ok(())
    }

    fn add_label(&mut self, node: NodeId, label: u32) -> Result<bool, StorageError> {
        self.require_node(node)?;
        self.check_label(NameKind::Label, label)?;
        if self.view().node_has_label(node.0, label)? {
            return Ok(false);
        }
        self.push(Op::AddLabel { id: node.0, label })?;
        self.touched.push(node.0);
        Ok(true)
    }

    fn remove_label(&mut self, node: NodeId, label: u32) -> Result<bool, StorageError> {
        self.require_node(node)?;
        if !self.view().node_has_label(node.0, label)? {
            return Ok(false);
        }
        self.push(Op::RemoveLabel { id: node.0, label })?;
        Ok(true)
    }

    fn delete_node(&mut self, node: NodeId) -> Result<(), StorageError> {
        self.require_node(node)?;
        let mut edges = Vec::new();
        self.view()
            .expand(node.0, Direction::Both, &[], &mut edges)?;
        if !edges.is_empty() {
            return Err(StorageError::NodeHasRelationships(node.0));
        }
        self.push(Op::DeleteNode { id: node.0 })
    }

    fn detach_delete_node(&mut self, node: NodeId) -> Result<u64, StorageError> {
        self.require_node(node)?;
        let mut edges = Vec::new();
        self.view()
            .expand(node.0, Direction::Both, &[], &mut edges)?;
        let mut rels: Vec<u64> = edges.iter().map(|e| e.rel.0).collect();
        rels.sort_unstable();
        rels.dedup();
        for &rel in &rels {
            self.push(Op::DeleteRel { id: rel })?;
        }
        self.push(Op::DeleteNode { id: node.0 })?;
        Ok(rels.len() as u64)
    }

    fn create_relationship(
        &mut self,
        rel_type: u32,
        start: NodeId,
        end: NodeId,
        properties: Vec<(u32, Value)>,
    ) -> Result<RelId, StorageError> {
        self.check_label(NameKind::Type, rel_type)?;
        self.require_node(start)?;
        self.require_node(end)?;
        let props = self.stored_props(properties)?;
        let id = self.next_rel_id(rel_type)?;
        self.push(Op::CreateRel {
            id,
            rel_type,
            src: start.0,
            dst: end.0,
            props,
        })?;
        Ok(RelId(id))
    }

    fn set_rel_property(&mut self, rel: RelId, key: u32, value: Value) -> Result<(), StorageError> {
        self.require_rel(rel)?;
        self.check_label(NameKind::Key, key)?;
        let value = to_stored(&value)?;
        self.push(Op::SetRelProperty {
            id: rel.0,
            key,
            value,
        })
    }

    fn delete_relationship(&mut self, rel: RelId) -> Result<(), StorageError> {
        self.require_rel(rel)?;
        self.push(Op::DeleteRel { id: rel.0 })
    }

    fn create_index(
        &mut self,
        name: Option<&str>,
        label: &str,
        key: &str,
    ) -> Result<String, StorageError> {
        let label_id = self.intern_label(label)?;
        let key_id = self.intern_key(key)?;
        let name = name.map_or_else(|| format!("index_{label}_{key}"), str::to_owned);
        if let Some(existing) = self.state.schema.index_for(label_id, key_id) {
            return Err(StorageError::AlreadyExists {
                what: "index",
                name: existing.name.clone(),
            });
        }
        if self.state.schema.indexes.iter().any(|i| i.name == name) {
            return Err(StorageError::AlreadyExists {
                what: "index",
                name,
            });
        }
        let id = self.state.schema.next_index_id;
        self.push(Op::CreateIndex {
            id,
            name: name.clone(),
            label: label_id,
            key: key_id,
            implicit: false,
        })?;
        self.needs_checkpoint = true;
        Ok(name)
    }

    fn drop_index(&mut self, name: &str) -> Result<(), StorageError> {
        let Some(index) = self.state.schema.indexes.iter().find(|i| i.name == name) else {
            return Err(StorageError::NoSuchSchemaObject {
                what: "index",
                name: name.to_owned(),
            });
        };
        if index.implicit {
            return Err(StorageError::Protected(name.to_owned()));
        }
        let id = index.id;
        self.push(Op::DropIndex { id })
    }

    fn create_constraint(
        &mut self,
        name: Option<&str>,
        label: &str,
        key: &str,
        kind: ConstraintKind,
    ) -> Result<String, StorageError> {
        let label_id = self.intern_label(label)?;
        let key_id = self.intern_key(key)?;
        let suffix = match kind {
            ConstraintKind::Unique => "unique",
            ConstraintKind::NotNull => "not_null",
        };
        let name = name.map_or_else(
            || format!("constraint_{label}_{key}_{suffix}"),
            str::to_owned,
        );
        if self.state.schema.constraints.iter().any(|c| c.name == name) {
            return Err(StorageError::AlreadyExists {
                what: "constraint",
                name,
            });
        }
        if let Some(same) = self
            .state
            .schema
            .constraints
            .iter()
            .find(|c| c.label == label_id && c.key == key_id && c.kind == kind)
        {
            return Err(StorageError::AlreadyExists {
                what: "constraint",
                name: same.name.clone(),
            });
        }
        // The existing data must already satisfy the constraint.
        let mut seen = std::collections::HashMap::new();
        for node in self.view().nodes_with_label(Some(label_id))? {
            let value = self.view().node_property(node.0, key_id)?;
            match kind {
                ConstraintKind::NotNull if value.is_null() => {
                    return Err(StorageError::NotNullViolation {
                        node: node.0,
                        label: label.to_owned(),
                        key: key.to_owned(),
                    });
                }
                ConstraintKind::Unique if !value.is_null() => {
                    let Some(k) = index_key(&to_stored(&value)?) else {
                        continue;
                    };
                    if let Some(other) = seen.insert(k, node.0) {
                        return Err(StorageError::UniqueViolation {
                            node: other,
                            label: label.to_owned(),
                            key: key.to_owned(),
                            value: value.to_string(),
                        });
                    }
                }
                _ => {}
            }
        }
        if kind == ConstraintKind::Unique && self.state.schema.index_for(label_id, key_id).is_none()
        {
            let id = self.state.schema.next_index_id;
            self.push(Op::CreateIndex {
                id,
                name: format!("{name}_index"),
                label: label_id,
                key: key_id,
                implicit: true,
            })?;
            self.needs_checkpoint = true;
        }
        self.push(Op::CreateConstraint {
            name: name.clone(),
            label: label_id,
            key: key_id,
            kind,
        })?;
        Ok(name)
    }

    fn drop_constraint(&mut self, name: &str) -> Result<(), StorageError> {
        if !self.state.schema.constraints.iter().any(|c| c.name == name) {
            return Err(StorageError::NoSuchSchemaObject {
                what: "constraint",
                name: name.to_owned(),
            });
        }
        self.push(Op::DropConstraint {
            name: name.to_owned(),
        })
    }
}

// ---- applying ops -------------------------------------------------------------------------------

fn log_corrupt(detail: String) -> StorageError {
    StorageError::Corruption {
        what: "log record".into(),
        detail,
    }
}

fn values(props: &[(u32, StoredValue)]) -> Result<Vec<(u32, Value)>, StorageError> {
    props
        .iter()
        .map(|(k, v)| Ok((*k, from_stored(v)?)))
        .collect()
}

fn value_key(value: &Value) -> Option<Vec<u8>> {
    index_key(&codec::to_stored(value).ok()?)
}

/// Replaces the overlay's record of a node, keeping `by_label` and `index_entries` in step.
/// `old` is the state currently registered in the overlay (`None` for a node the overlay does not
/// hold yet).
fn put_node(state: &mut State, id: u64, old: Option<&NodeState>, new: Option<NodeState>) {
    let schema = Arc::clone(&state.schema);
    let overlay = &mut state.overlay;
    if let Some(old) = old {
        for &label in &old.labels {
            if let Some(set) = overlay.by_label.get_mut(&label) {
                set.remove(&id);
            }
            for index in schema.indexes_on_label(label) {
                if let Some(key) = old.property(index.key).and_then(value_key)
                    && let Some(entries) = overlay.index_entries.get_mut(&index.id)
                {
                    entries.remove(&(key, id));
                }
            }
        }
    }
    match new {
        Some(new) => {
            for &label in &new.labels {
                overlay.by_label.entry(label).or_default().insert(id);
                for index in schema.indexes_on_label(label) {
                    if let Some(key) = new.property(index.key).and_then(value_key) {
                        overlay
                            .index_entries
                            .entry(index.id)
                            .or_default()
                            .insert((key, id));
                    }
                }
            }
            overlay.nodes.insert(id, NodeEntry::Live(Arc::new(new)));
        }
        None => {
            overlay.nodes.insert(id, NodeEntry::Deleted);
        }
    }
}

/// The node's current state and whether the overlay already holds it.
fn current_node(
    state: &State,
    chunks: &Chunks,
    id: u64,
) -> Result<(NodeState, bool), StorageError> {
    match state.overlay.nodes.get(&id) {
        Some(NodeEntry::Live(node)) => Ok((node.as_ref().clone(), true)),
        Some(NodeEntry::Deleted) => Err(StorageError::NodeNotFound(id)),
        None => View { state, chunks }
            .base_node_state(id)?
            .map(|node| (node, false))
            .ok_or(StorageError::NodeNotFound(id)),
    }
}

fn update_node(
    state: &mut State,
    chunks: &Chunks,
    id: u64,
    change: impl FnOnce(&mut NodeState),
) -> Result<(), StorageError> {
    let (old, registered) = current_node(state, chunks, id)?;
    let mut new = old.clone();
    change(&mut new);
    put_node(state, id, registered.then_some(&old), Some(new));
    Ok(())
}

fn bump(map: &mut imbl::HashMap<u32, i64>, key: u32, by: i64) {
    *map.entry(key).or_insert(0) += by;
}

/// Applies one op to a state. Used by live transactions and by replay.
pub(crate) fn apply(state: &mut State, chunks: &Chunks, op: &Op) -> Result<(), StorageError> {
    state.overlay.ops += 1;
    match op {
        Op::InternLabel { id, name } | Op::InternType { id, name } | Op::InternKey { id, name } => {
            let kind = match op {
                Op::InternLabel { .. } => NameKind::Label,
                Op::InternType { .. } => NameKind::Type,
                _ => NameKind::Key,
            };
            if *id as usize != state.catalog.next_id(kind) || state.catalog.id(kind, name).is_some()
            {
                return Err(log_corrupt(format!(
                    "name `{name}` interned out of sequence"
                )));
            }
            Arc::make_mut(&mut state.catalog).push(kind, name.clone());
        }
        Op::CreateNode { id, labels, props } => {
            let (group, slot) = split(*id);
            let owner = labels.first().copied();
            while state.node_alloc.len() <= group as usize {
                state.node_alloc.push_back(NodeAlloc { owner, slots: 0 });
            }
            let alloc = &mut state.node_alloc[group as usize];
            if slot < alloc.slots {
                return Err(log_corrupt(format!("node id {id} reused")));
            }
            alloc.slots = slot + 1;
            let group_owner = alloc.owner;
            state.open_node_group.insert(group_owner, group);
            // Labels are kept ascending by id, the order the base's label bitmaps give back, so
            // a checkpoint does not reorder them.
            let mut sorted = labels.clone();
            sorted.sort_unstable();
            sorted.dedup();
            let node = NodeState {
                labels: sorted,
                props: values(props)?,
            };
            state.overlay.node_count_delta += 1;
            for &label in labels {
                bump(&mut state.overlay.label_count_delta, label, 1);
            }
            put_node(state, *id, None, Some(node));
        }
        Op::SetNodeProperty { id, key, value } => {
            let value = from_stored(value)?;
            update_node(state, chunks, *id, |node| {
                node.set_property(*key, value);
            })?;
        }
        Op::AddLabel { id, label } => {
            update_node(state, chunks, *id, |node| {
                if let Err(at) = node.labels.binary_search(label) {
                    node.labels.insert(at, *label);
                }
            })?;
            bump(&mut state.overlay.label_count_delta, *label, 1);
        }
        Op::RemoveLabel { id, label } => {
            update_node(state, chunks, *id, |node| {
                node.labels.retain(|l| l != label)
            })?;
            bump(&mut state.overlay.label_count_delta, *label, -1);
        }
        Op::DeleteNode { id } => {
            let (old, registered) = current_node(state, chunks, *id)?;
            state.overlay.node_count_delta -= 1;
            for &label in &old.labels {
                bump(&mut state.overlay.label_count_delta, label, -1);
            }
            put_node(state, *id, registered.then_some(&old), None);
            state.overlay.adj.remove(id);
        }
        Op::CreateRel {
            id,
            rel_type,
            src,
            dst,
            props,
        } => {
            let (group, slot) = split(*id);
            while state.rel_alloc.len() <= group as usize {
                state.rel_alloc.push_back(RelAlloc {
                    rel_type: *rel_type,
                    slots: 0,
                });
            }
            let alloc = &mut state.rel_alloc[group as usize];
            if slot < alloc.slots || alloc.rel_type != *rel_type {
                return Err(log_corrupt(format!("relationship id {id} reused")));
            }
            alloc.slots = slot + 1;
            state.open_rel_group.insert(*rel_type, group);
            let rel = RelState {
                rel_type: *rel_type,
                src: *src,
                dst: *dst,
                props: values(props)?,
            };
            state
                .overlay
                .rels
                .insert(*id, RelEntry::Live(Arc::new(rel)));
            state
                .overlay
                .adj
                .entry(*src)
                .or_default()
                .push_back(AdjEntry {
                    rel_type: *rel_type,
                    outgoing: true,
                    other: *dst,
                    rel: *id,
                });
            state
                .overlay
                .adj
                .entry(*dst)
                .or_default()
                .push_back(AdjEntry {
                    rel_type: *rel_type,
                    outgoing: false,
                    other: *src,
                    rel: *id,
                });
            state.overlay.rel_count_delta += 1;
            bump(&mut state.overlay.type_count_delta, *rel_type, 1);
        }
        Op::SetRelProperty { id, key, value } => {
            let mut rel = View { state, chunks }
                .rel_state(*id)?
                .ok_or(StorageError::RelationshipNotFound(*id))?;
            let value = from_stored(value)?;
            match rel.props.binary_search_by_key(key, |(k, _)| *k) {
                Ok(i) if value.is_null() => {
                    rel.props.remove(i);
                }
                Ok(i) => rel.props[i].1 = value,
                Err(_) if value.is_null() => {}
                Err(i) => rel.props.insert(i, (*key, value)),
            }
            state
                .overlay
                .rels
                .insert(*id, RelEntry::Live(Arc::new(rel)));
        }
        Op::DeleteRel { id } => {
            let rel = View { state, chunks }
                .rel_state(*id)?
                .ok_or(StorageError::RelationshipNotFound(*id))?;
            for end in [rel.src, rel.dst] {
                if let Some(entries) = state.overlay.adj.get_mut(&end) {
                    entries.retain(|e| e.rel != *id);
                }
            }
            state.overlay.rels.insert(
                *id,
                RelEntry::Deleted {
                    rel_type: rel.rel_type,
                    src: rel.src,
                    dst: rel.dst,
                },
            );
            state.overlay.rel_count_delta -= 1;
            bump(&mut state.overlay.type_count_delta, rel.rel_type, -1);
        }
        Op::CreateIndex {
            id,
            name,
            label,
            key,
            implicit,
        } => {
            // An index on a label no base node carries is complete from the start.
            let base_has_label = state
                .manifest
                .node_groups
                .iter()
                .any(|g| g.labels.iter().any(|(l, n)| l == label && *n > 0));
            let schema = Arc::make_mut(&mut state.schema);
            schema.indexes.push(IndexDef {
                id: *id,
                name: name.clone(),
                label: *label,
                key: *key,
                implicit: *implicit,
                built: !base_has_label,
            });
            schema.next_index_id = schema.next_index_id.max(id + 1);
            let mut entries = imbl::OrdSet::new();
            if let Some(members) = state.overlay.by_label.get(label) {
                for node in members {
                    if let Some(NodeEntry::Live(n)) = state.overlay.nodes.get(node)
                        && let Some(k) = n.property(*key).and_then(value_key)
                    {
                        entries.insert((k, *node));
                    }
                }
            }
            state.overlay.index_entries.insert(*id, entries);
        }
        Op::DropIndex { id } => {
            Arc::make_mut(&mut state.schema)
                .indexes
                .retain(|i| i.id != *id);
            state.overlay.index_entries.remove(id);
        }
        Op::CreateConstraint {
            name,
            label,
            key,
            kind,
        } => {
            Arc::make_mut(&mut state.schema)
                .constraints
                .push(ConstraintRecord {
                    name: name.clone(),
                    label: *label,
                    key: *key,
                    kind: *kind,
                });
        }
        Op::DropConstraint { name } => {
            Arc::make_mut(&mut state.schema)
                .constraints
                .retain(|c| c.name != *name);
        }
    }
    Ok(())
}

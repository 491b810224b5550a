//! The in-memory part of a database state: the catalog and schema as of the latest commit, the
//! allocation of ids, and the overlay of changes made since the last checkpoint.
//!
//! Everything here is a persistent (structurally shared) collection, so a snapshot is an O(1)
//! clone, a write transaction works on its own copy, and a savepoint is another clone.
//!
//! **Invariant (overlay authority):** a node or relationship present in the overlay is described
//! completely by it: for every live overlay node, `by_label` lists it under each of its labels
//! and `index_entries` holds its key for each index on one of its labels. Base chunks are
//! consulted only for ids the overlay does not mention.

use std::sync::Arc;

use imbl::{HashMap, OrdSet, Vector};

use super::catalog::Catalog;
use super::records::{ConstraintRecord, Manifest};
use crate::value::Value;

/// A node as the overlay holds it: labels and properties ascending by id, as the base holds them.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct NodeState {
    pub labels: Vec<u32>,
    pub props: Vec<(u32, Value)>,
}

impl NodeState {
    pub fn property(&self, key: u32) -> Option<&Value> {
        self.props
            .binary_search_by_key(&key, |(k, _)| *k)
            .ok()
            .map(|i| &self.props[i].1)
    }

    /// Sets or (with `Null`) removes a property; returns the old value.
    pub fn set_property(&mut self, key: u32, value: Value) -> Option<Value> {
        match self.props.binary_search_by_key(&key, |(k, _)| *k) {
            Ok(i) if value.is_null() => Some(self.props.remove(i).1),
            Ok(i) => Some(std::mem::replace(&mut self.props[i].1, value)),
            Err(_) if value.is_null() => None,
            Err(i) => {
                self.props.insert(i, (key, value));
                None
            }
        }
    }
}

/// A relationship as the overlay holds it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct RelState {
    pub rel_type: u32,
    pub src: u64,
    pub dst: u64,
    pub props: Vec<(u32, Value)>,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum NodeEntry {
    Live(Arc<NodeState>),
    Deleted,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) enum RelEntry {
    Live(Arc<RelState>),
    /// Deleted; the endpoints are kept so a checkpoint knows which adjacency chunks change.
    Deleted {
        rel_type: u32,
        src: u64,
        dst: u64,
    },
}

/// A relationship created since the last checkpoint, seen from one of its ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct AdjEntry {
    pub rel_type: u32,
    pub outgoing: bool,
    pub other: u64,
    pub rel: u64,
}

/// Changes since the last checkpoint.
#[derive(Debug, Clone, Default)]
pub(crate) struct Overlay {
    pub nodes: HashMap<u64, NodeEntry>,
    pub rels: HashMap<u64, RelEntry>,
    /// Relationships created in the overlay, by each of their endpoints.
    pub adj: HashMap<u64, Vector<AdjEntry>>,
    /// Live overlay nodes by label.
    pub by_label: HashMap<u32, OrdSet<u64>>,
    /// (index key, node) of live overlay nodes, per index id.
    pub index_entries: HashMap<u32, OrdSet<(Vec<u8>, u64)>>,
    /// Changes in nodes and relationships since the checkpoint, per label / type and in all.
    pub label_count_delta: HashMap<u32, i64>,
    pub type_count_delta: HashMap<u32, i64>,
    pub node_count_delta: i64,
    pub rel_count_delta: i64,
    /// Ops applied since the checkpoint: the measure that triggers the next one.
    pub ops: usize,
}

/// An index as the schema holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct IndexDef {
    pub id: u32,
    pub name: String,
    pub label: u32,
    pub key: u32,
    pub implicit: bool,
    /// True when the manifest's pages hold every base node: lookups may use it.
    pub built: bool,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Schema {
    pub indexes: Vec<IndexDef>,
    pub constraints: Vec<ConstraintRecord>,
    pub next_index_id: u32,
}

impl Schema {
    pub fn indexes_on_label(&self, label: u32) -> impl Iterator<Item = &IndexDef> {
        self.indexes.iter().filter(move |i| i.label == label)
    }

    pub fn index_for(&self, label: u32, key: u32) -> Option<&IndexDef> {
        self.indexes
            .iter()
            .find(|i| i.label == label && i.key == key)
    }
}

/// Allocation state of one node group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct NodeAlloc {
    pub owner: Option<u32>,
    pub slots: u32,
}

/// Allocation state of one relationship group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RelAlloc {
    pub rel_type: u32,
    pub slots: u32,
}

/// One consistent state of the database: base (manifest) plus overlay.
#[derive(Debug, Clone)]
pub(crate) struct State {
    pub manifest: Arc<Manifest>,
    pub catalog: Arc<Catalog>,
    pub schema: Arc<Schema>,
    pub overlay: Overlay,
    pub node_alloc: Vector<NodeAlloc>,
    pub rel_alloc: Vector<RelAlloc>,
    /// The group new nodes with this first label (or none) go to.
    pub open_node_group: HashMap<Option<u32>, u32>,
    pub open_rel_group: HashMap<u32, u32>,
    /// The sequence number of the last committed transaction.
    pub last_seq: u64,
}

impl State {
    /// The state a manifest describes, with an empty overlay.
    pub fn from_manifest(manifest: Arc<Manifest>) -> Self {
        let catalog = Arc::new(Catalog::from_record(&manifest.catalog));
        let schema = Arc::new(Schema {
            indexes: manifest
                .indexes
                .iter()
                .map(|i| IndexDef {
                    id: i.id,
                    name: i.name.clone(),
                    label: i.label,
                    key: i.key,
                    implicit: i.implicit,
                    built: true,
                })
                .collect(),
            constraints: manifest.constraints.clone(),
            next_index_id: manifest.next_index_id,
        });
        let mut open_node_group = HashMap::new();
        let node_alloc: Vector<NodeAlloc> = manifest
            .node_groups
            .iter()
            .map(|g| NodeAlloc {
                owner: g.owner,
                slots: g.slots,
            })
            .collect();
        for (group, alloc) in node_alloc.iter().enumerate() {
            #[allow(clippy::cast_possible_truncation)]
            open_node_group.insert(alloc.owner, group as u32);
        }
        let mut open_rel_group = HashMap::new();
        let rel_alloc: Vector<RelAlloc> = manifest
            .rel_groups
            .iter()
            .map(|g| RelAlloc {
                rel_type: g.rel_type,
                slots: g.slots,
            })
            .collect();
        for (group, alloc) in rel_alloc.iter().enumerate() {
            #[allow(clippy::cast_possible_truncation)]
            open_rel_group.insert(alloc.rel_type, group as u32);
        }
        State {
            last_seq: manifest.log_applied,
            manifest,
            catalog,
            schema,
            overlay: Overlay::default(),
            node_alloc,
            rel_alloc,
            open_node_group,
            open_rel_group,
        }
    }
}

//! The narrow interface through which the executor reads and writes the graph.
//!
//! Every method may fail with a `StorageError` (corruption, i/o); none panics on bad ids.

use super::StorageError;
use super::catalog::{KeyId, LabelId, TypeId};
use super::records::ConstraintKind;
use crate::value::{NodeId, RelId, Value};

/// Which way a relationship is followed from a node.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Direction {
    Outgoing,
    Incoming,
    Both,
}

/// One relationship seen from a node: its id, type, the node at the other end, and the
/// direction in which it was found (`Outgoing` when the node is its start).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Edge {
    pub rel: RelId,
    pub rel_type: TypeId,
    pub other: NodeId,
    pub direction: Direction,
}

/// A relationship's type and endpoints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RelInfo {
    pub rel_type: TypeId,
    pub start: NodeId,
    pub end: NodeId,
}

/// A property index as the schema lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexInfo {
    pub name: String,
    pub label: String,
    pub key: String,
    /// Created by the engine for every label's `id` or for a uniqueness constraint.
    pub implicit: bool,
    /// False between `CREATE INDEX` and the checkpoint that builds it; lookups still work.
    pub online: bool,
}

/// A constraint as the schema lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConstraintInfo {
    pub name: String,
    pub label: String,
    pub key: String,
    pub kind: ConstraintKind,
}

/// Reading the graph at one consistent state.
pub trait GraphRead {
    fn label_id(&self, name: &str) -> Option<LabelId>;
    fn type_id(&self, name: &str) -> Option<TypeId>;
    fn key_id(&self, name: &str) -> Option<KeyId>;
    fn label_name(&self, id: LabelId) -> Option<&str>;
    fn type_name(&self, id: TypeId) -> Option<&str>;
    fn key_name(&self, id: KeyId) -> Option<&str>;
    /// Every label, relationship type or property key name ever used, in id order.
    fn label_names(&self) -> &[String];
    fn type_names(&self) -> &[String];
    fn key_names(&self) -> &[String];

    fn node_exists(&self, node: NodeId) -> Result<bool, StorageError>;
    /// The node's labels, ascending by label id (the order in which the database first saw
    /// each label); an error if the node does not exist.
    fn node_labels(&self, node: NodeId) -> Result<Vec<LabelId>, StorageError>;
    fn node_has_label(&self, node: NodeId, label: LabelId) -> Result<bool, StorageError>;
    /// A property, `Null` when absent.
    fn node_property(&self, node: NodeId, key: KeyId) -> Result<Value, StorageError>;
    /// Whether a property equals `value` as `=` decides (`None`: null, or not comparable),
    /// without copying the property: a filter on a string property compares in place.
    fn node_property_equals(
        &self,
        node: NodeId,
        key: KeyId,
        value: &Value,
    ) -> Result<Option<bool>, StorageError> {
        Ok(self.node_property(node, key)?.eq_cypher(value))
    }
    /// Property `key` of each of `nodes`, appended to `out` in order: what `node_property`
    /// gives for each, with the column of a run of nodes of one group found once.
    fn node_property_of_each(
        &self,
        nodes: &[NodeId],
        key: KeyId,
        out: &mut Vec<Value>,
    ) -> Result<(), StorageError> {
        for &node in nodes {
            out.push(self.node_property(node, key)?);
        }
        Ok(())
    }
    /// Every property, by key id ascending.
    fn node_properties(&self, node: NodeId) -> Result<Vec<(KeyId, Value)>, StorageError>;
    /// Every node, ascending by id.
    fn all_nodes(&self) -> Result<Vec<NodeId>, StorageError>;
    /// The nodes carrying a label, ascending by id.
    fn nodes_with_label(&self, label: LabelId) -> Result<Vec<NodeId>, StorageError>;
    /// The nodes with `label` whose `key` equals `value` (an index seek where an index exists,
    /// otherwise a scan), ascending by id.
    fn nodes_by_property(
        &self,
        label: LabelId,
        key: KeyId,
        value: &Value,
    ) -> Result<Vec<NodeId>, StorageError>;
    /// True when a built index on (label, key) answers `nodes_by_property` without a scan.
    fn has_index(&self, label: LabelId, key: KeyId) -> bool;
    /// Number of nodes, or of nodes with a label.
    fn count_nodes(&self, label: Option<LabelId>) -> Result<u64, StorageError>;

    /// This graph as one that several threads may read at once (a snapshot), or `None`.
    fn as_sync(&self) -> Option<&(dyn GraphRead + Sync)> {
        None
    }

    /// A relationship's type and endpoints, `None` when it does not exist.
    fn relationship(&self, rel: RelId) -> Result<Option<RelInfo>, StorageError>;
    fn rel_property(&self, rel: RelId, key: KeyId) -> Result<Value, StorageError>;
    /// `rel_property(rel, key)?.eq_cypher(value)`; stores may compare without reading the
    /// value out.
    fn rel_property_equals(
        &self,
        rel: RelId,
        key: KeyId,
        value: &Value,
    ) -> Result<Option<bool>, StorageError> {
        Ok(self.rel_property(rel, key)?.eq_cypher(value))
    }
    fn rel_properties(&self, rel: RelId) -> Result<Vec<(KeyId, Value)>, StorageError>;
    /// Appends to `out` the relationships of `node` in `direction` whose type is in `types`
    /// (every type when empty). With `Both`, a self-loop is reported once.
    fn expand(
        &self,
        node: NodeId,
        direction: Direction,
        types: &[TypeId],
        out: &mut Vec<Edge>,
    ) -> Result<(), StorageError>;
    /// Every relationship, ascending by id.
    fn all_relationships(&self) -> Result<Vec<RelId>, StorageError>;
    /// Number of relationships, or of relationships of a type.
    fn count_relationships(&self, rel_type: Option<TypeId>) -> Result<u64, StorageError>;

    fn indexes(&self) -> Vec<IndexInfo>;
    fn constraints(&self) -> Vec<ConstraintInfo>;
}

/// Changing the graph inside a write transaction. Changes are visible to the transaction's own
/// reads at once and to everyone else after commit.
pub trait GraphWrite: GraphRead {
    fn intern_label(&mut self, name: &str) -> Result<LabelId, StorageError>;
    fn intern_type(&mut self, name: &str) -> Result<TypeId, StorageError>;
    fn intern_key(&mut self, name: &str) -> Result<KeyId, StorageError>;

    /// Creates a node; null properties are skipped.
    fn create_node(
        &mut self,
        labels: &[LabelId],
        properties: Vec<(KeyId, Value)>,
    ) -> Result<NodeId, StorageError>;
    /// Sets a property; `Null` removes it.
    fn set_node_property(
        &mut self,
        node: NodeId,
        key: KeyId,
        value: Value,
    ) -> Result<(), StorageError>;
    /// Adds a label; returns false when the node had it already.
    fn add_label(&mut self, node: NodeId, label: LabelId) -> Result<bool, StorageError>;
    /// Removes a label; returns false when the node did not have it.
    fn remove_label(&mut self, node: NodeId, label: LabelId) -> Result<bool, StorageError>;
    /// Deletes a node that has no relationships.
    fn delete_node(&mut self, node: NodeId) -> Result<(), StorageError>;
    /// Deletes a node and its relationships; returns how many relationships went with it.
    fn detach_delete_node(&mut self, node: NodeId) -> Result<u64, StorageError>;

    fn create_relationship(
        &mut self,
        rel_type: TypeId,
        start: NodeId,
        end: NodeId,
        properties: Vec<(KeyId, Value)>,
    ) -> Result<RelId, StorageError>;
    fn set_rel_property(
        &mut self,
        rel: RelId,
        key: KeyId,
        value: Value,
    ) -> Result<(), StorageError>;
    fn delete_relationship(&mut self, rel: RelId) -> Result<(), StorageError>;

    /// Creates an index on (label, key); `name` defaults to `index_<label>_<key>`.
    fn create_index(
        &mut self,
        name: Option<&str>,
        label: &str,
        key: &str,
    ) -> Result<String, StorageError>;
    fn drop_index(&mut self, name: &str) -> Result<(), StorageError>;
    /// Creates a constraint after checking the existing data satisfies it.
    fn create_constraint(
        &mut self,
        name: Option<&str>,
        label: &str,
        key: &str,
        kind: ConstraintKind,
    ) -> Result<String, StorageError>;
    fn drop_constraint(&mut self, name: &str) -> Result<(), StorageError>;
}

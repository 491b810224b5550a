//! The shared vocabulary: `Value` (every openCypher value), graph ids, and the runtime
//! `Node`, `Relationship` and `Path` values. It knows nothing of syntax, plans or storage.
//!
//! Equality and ordering follow openCypher: `eq_cypher`/`cmp_cypher` are the ternary (null-aware)
//! comparisons of expressions, `order` is the total order of ORDER BY, and `Value`'s own
//! `PartialEq`/`Eq`/`Hash` are the grouping equivalence used by DISTINCT and aggregation keys.

mod compare;
pub mod temporal;

use std::collections::BTreeMap;
use std::fmt;

pub use temporal::{Date, DateTime, Duration, LocalDateTime, LocalTime, Time};

/// A node's internal id: dense, stable for the node's life, never reused while it lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
pub struct NodeId(pub u64);

/// A relationship's internal id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
pub struct RelId(pub u64);

impl fmt::Display for NodeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl fmt::Display for RelId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// A map value: keys in sorted order, which makes printing and comparison deterministic.
pub type Map = BTreeMap<String, Value>;

/// Every value a property can hold or an expression can produce.
#[derive(Debug, Clone)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    String(String),
    Date(Date),
    LocalTime(LocalTime),
    Time(Time),
    LocalDateTime(LocalDateTime),
    DateTime(DateTime),
    Duration(Duration),
    List(Vec<Value>),
    Map(Map),
    Node(Box<Node>),
    Relationship(Box<Relationship>),
    Path(Box<Path>),
}

/// A node as a query returns it: id, labels and properties at the time it was read.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub id: NodeId,
    pub labels: Vec<String>,
    pub properties: Map,
}

/// A relationship as a query returns it.
#[derive(Debug, Clone, PartialEq)]
pub struct Relationship {
    pub id: RelId,
    pub rel_type: String,
    pub start: NodeId,
    pub end: NodeId,
    pub properties: Map,
}

/// A path: `nodes.len() == relationships.len() + 1`; relationship `i` joins nodes `i` and `i + 1`
/// in either direction.
#[derive(Debug, Clone, PartialEq)]
pub struct Path {
    pub nodes: Vec<Node>,
    pub relationships: Vec<Relationship>,
}

//! The shared vocabulary: `Value` (every openCypher value), graph ids, and the runtime
//! `Node`, `Relationship` and `Path` values. It knows nothing of syntax, plans or storage.
//!
//! Equality and ordering follow openCypher: `eq_cypher`/`compare_cypher` are the ternary
//! (null-aware) comparisons of expressions, `order` is the total order of ORDER BY, and
//! `Value`'s own `PartialEq`/`Eq`/`Hash` are the grouping equivalence used by DISTINCT and
//! aggregation keys (`compare.rs`).
//!
//! Also here: the TCK display format and `toString` (`display.rs`), serde in both directions
//! and `from_value`/`to_value` for typed rows and parameters (`serde.rs`), borrowing typed reads
//! (`convert.rs`), the temporal model (`temporal.rs` and `temporal/`), and `ValueError`, whose
//! `kind()` maps each failure to openCypher's TypeError, ArgumentError or ArithmeticError
//! (`error.rs`). Tests: `tests/value.rs`, with temporal cases as data in `tests/data/value/`.

mod compare;
mod convert;
mod display;
mod error;
mod exact_sum;
mod scalar;
mod serde;
pub mod temporal;

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

pub use self::serde::{from_value, to_value};
pub use compare::ComparisonOp;
pub use convert::FromValueRef;
pub use display::format_float;
pub use error::{ValueError, ValueErrorKind};
pub use exact_sum::ExactSum;
pub use scalar::ScalarType;
pub use temporal::{Date, DateTime, Duration, LocalDateTime, LocalTime, TemporalUnit, Time, Zone};

/// A node's internal id: dense, stable for the node's life, never reused while it lives.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    ::serde::Serialize,
    ::serde::Deserialize,
)]
pub struct NodeId(pub u64);

/// A relationship's internal id.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    ::serde::Serialize,
    ::serde::Deserialize,
)]
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

/// A list value: shared, copy on write. It reads as a `Vec<Value>`; cloning it copies a
/// pointer; `make_mut` copies the items only when another value shares them.
#[derive(Debug, Clone, Default)]
pub struct List(Arc<Vec<Value>>);

impl List {
    /// The items, to change: copied first if another value shares them.
    pub fn make_mut(&mut self) -> &mut Vec<Value> {
        Arc::make_mut(&mut self.0)
    }

    /// The items, taken without copying when no other value shares them.
    #[must_use]
    pub fn into_vec(self) -> Vec<Value> {
        Arc::unwrap_or_clone(self.0)
    }

    /// Whether two lists share their items.
    #[must_use]
    pub fn ptr_eq(a: &List, b: &List) -> bool {
        Arc::ptr_eq(&a.0, &b.0)
    }
}

impl std::ops::Deref for List {
    type Target = Vec<Value>;
    fn deref(&self) -> &Vec<Value> {
        &self.0
    }
}

impl From<Vec<Value>> for List {
    fn from(items: Vec<Value>) -> Self {
        List(Arc::new(items))
    }
}

impl FromIterator<Value> for List {
    fn from_iter<I: IntoIterator<Item = Value>>(iter: I) -> Self {
        List(Arc::new(iter.into_iter().collect()))
    }
}

impl<'a> IntoIterator for &'a List {
    type Item = &'a Value;
    type IntoIter = std::slice::Iter<'a, Value>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

/// The items of a list by value: moved out when no other value shares them, else cloned one
/// at a time as they are taken.
#[derive(Debug)]
pub enum ListItems {
    Owned(std::vec::IntoIter<Value>),
    Shared(List, usize),
}

impl Iterator for ListItems {
    type Item = Value;
    fn next(&mut self) -> Option<Value> {
        match self {
            ListItems::Owned(items) => items.next(),
            ListItems::Shared(list, at) => {
                let item = list.get(*at).cloned();
                *at += 1;
                item
            }
        }
    }
}

impl IntoIterator for List {
    type Item = Value;
    type IntoIter = ListItems;
    fn into_iter(self) -> ListItems {
        match Arc::try_unwrap(self.0) {
            Ok(items) => ListItems::Owned(items.into_iter()),
            Err(shared) => ListItems::Shared(List(shared), 0),
        }
    }
}

/// A map value: keys in sorted order, which makes printing and comparison deterministic.
pub type Map = BTreeMap<String, Value>;

/// A map value: shared, copy on write. It reads as a `Map`; cloning it copies a pointer;
/// `make_mut` copies the entries only when another value shares them.
#[derive(Debug, Clone, Default)]
pub struct SharedMap(Arc<Map>);

impl SharedMap {
    /// The entries, to change: copied first if another value shares them.
    pub fn make_mut(&mut self) -> &mut Map {
        Arc::make_mut(&mut self.0)
    }

    /// The entries, taken without copying when no other value shares them.
    #[must_use]
    pub fn into_map(self) -> Map {
        Arc::unwrap_or_clone(self.0)
    }

    /// Whether two maps share their entries.
    #[must_use]
    pub fn ptr_eq(a: &SharedMap, b: &SharedMap) -> bool {
        Arc::ptr_eq(&a.0, &b.0)
    }
}

impl std::ops::Deref for SharedMap {
    type Target = Map;
    fn deref(&self) -> &Map {
        &self.0
    }
}

impl From<Map> for SharedMap {
    fn from(map: Map) -> Self {
        SharedMap(Arc::new(map))
    }
}

impl FromIterator<(String, Value)> for SharedMap {
    fn from_iter<I: IntoIterator<Item = (String, Value)>>(iter: I) -> Self {
        SharedMap(Arc::new(iter.into_iter().collect()))
    }
}

impl<'a> IntoIterator for &'a SharedMap {
    type Item = (&'a String, &'a Value);
    type IntoIter = std::collections::btree_map::Iter<'a, String, Value>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

impl IntoIterator for SharedMap {
    type Item = (String, Value);
    type IntoIter = std::collections::btree_map::IntoIter<String, Value>;
    fn into_iter(self) -> Self::IntoIter {
        self.into_map().into_iter()
    }
}

/// Every value a property can hold or an expression can produce.
#[derive(Debug, Clone)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    /// Shared and immutable: cloning a string value copies a pointer.
    String(Arc<str>),
    Date(Date),
    LocalTime(LocalTime),
    Time(Time),
    LocalDateTime(LocalDateTime),
    DateTime(DateTime),
    Duration(Duration),
    /// Shared and immutable (copy on write): cloning a list copies a pointer.
    List(List),
    /// Shared and immutable (copy on write): cloning a map copies a pointer.
    Map(SharedMap),
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

impl Value {
    /// The openCypher type name: `NULL`, `BOOLEAN`, `INTEGER`, `FLOAT`, `STRING`, `DATE`,
    /// `LOCAL TIME`, `ZONED TIME`, `LOCAL DATETIME`, `ZONED DATETIME`, `DURATION`, `LIST`, `MAP`,
    /// `NODE`, `RELATIONSHIP`, `PATH` (the names of GQL and Neo4j's `valueType`).
    #[must_use]
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "NULL",
            Value::Bool(_) => "BOOLEAN",
            Value::Int(_) => "INTEGER",
            Value::Float(_) => "FLOAT",
            Value::String(_) => "STRING",
            Value::Date(_) => "DATE",
            Value::LocalTime(_) => "LOCAL TIME",
            Value::Time(_) => "ZONED TIME",
            Value::LocalDateTime(_) => "LOCAL DATETIME",
            Value::DateTime(_) => "ZONED DATETIME",
            Value::Duration(_) => "DURATION",
            Value::List(_) => "LIST",
            Value::Map(_) => "MAP",
            Value::Node(_) => "NODE",
            Value::Relationship(_) => "RELATIONSHIP",
            Value::Path(_) => "PATH",
        }
    }

    #[must_use]
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    #[must_use]
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    #[must_use]
    pub fn as_int(&self) -> Option<i64> {
        match self {
            Value::Int(i) => Some(*i),
            _ => None,
        }
    }

    /// The value as a float: floats, and integers converted (possibly losing precision beyond
    /// 2^53).
    #[must_use]
    pub fn as_float(&self) -> Option<f64> {
        match self {
            Value::Float(f) => Some(*f),
            #[allow(clippy::cast_precision_loss)]
            Value::Int(i) => Some(*i as f64),
            _ => None,
        }
    }

    #[must_use]
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    #[must_use]
    pub fn as_list(&self) -> Option<&[Value]> {
        match self {
            Value::List(items) => Some(items),
            _ => None,
        }
    }

    #[must_use]
    pub fn as_map(&self) -> Option<&Map> {
        match self {
            Value::Map(map) => Some(map),
            _ => None,
        }
    }

    #[must_use]
    pub fn as_node(&self) -> Option<&Node> {
        match self {
            Value::Node(node) => Some(node),
            _ => None,
        }
    }

    #[must_use]
    pub fn as_relationship(&self) -> Option<&Relationship> {
        match self {
            Value::Relationship(rel) => Some(rel),
            _ => None,
        }
    }

    #[must_use]
    pub fn as_path(&self) -> Option<&Path> {
        match self {
            Value::Path(path) => Some(path),
            _ => None,
        }
    }

    /// Whether the value is one of the six temporal types.
    #[must_use]
    pub fn is_temporal(&self) -> bool {
        matches!(
            self,
            Value::Date(_)
                | Value::LocalTime(_)
                | Value::Time(_)
                | Value::LocalDateTime(_)
                | Value::DateTime(_)
                | Value::Duration(_)
        )
    }
}

macro_rules! from_impls {
    ($($source:ty => $variant:ident),* $(,)?) => {
        $(impl From<$source> for Value {
            fn from(value: $source) -> Self {
                Value::$variant(value.into())
            }
        })*
    };
}

from_impls! {
    bool => Bool,
    i64 => Int,
    i32 => Int,
    i16 => Int,
    i8 => Int,
    u32 => Int,
    u16 => Int,
    u8 => Int,
    f64 => Float,
    f32 => Float,
    String => String,
    &str => String,
    Arc<str> => String,
    Date => Date,
    LocalTime => LocalTime,
    Time => Time,
    LocalDateTime => LocalDateTime,
    DateTime => DateTime,
    Duration => Duration,
    Map => Map,
    Node => Node,
    Relationship => Relationship,
    Path => Path,
}

impl From<&String> for Value {
    fn from(value: &String) -> Self {
        Value::String(value.as_str().into())
    }
}

impl<T: Into<Value>> From<Vec<T>> for Value {
    fn from(items: Vec<T>) -> Self {
        Value::List(items.into_iter().map(Into::into).collect())
    }
}

impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(value: Option<T>) -> Self {
        value.map_or(Value::Null, Into::into)
    }
}

impl<T: Into<Value>> FromIterator<T> for Value {
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> Self {
        Value::List(iter.into_iter().map(Into::into).collect())
    }
}

/// A node as the engine passes it around: the id only (empty labels and properties), since
/// a property read must see the statement's own writes. Labels and properties are read
/// through the graph and filled in where results leave the engine.
#[must_use]
pub fn node_ref(id: NodeId) -> Value {
    Value::Node(Box::new(Node {
        id,
        labels: Vec::new(),
        properties: Map::new(),
    }))
}

/// A relationship as the engine passes it around: id and endpoints are real, the type and
/// properties are read through the graph.
#[must_use]
pub fn rel_ref(id: RelId, start: NodeId, end: NodeId) -> Value {
    Value::Relationship(Box::new(Relationship {
        id,
        rel_type: String::new(),
        start,
        end,
        properties: Map::new(),
    }))
}

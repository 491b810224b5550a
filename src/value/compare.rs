//! Equality, comparison and ordering of values, as openCypher defines them.
//!
//! Three relations, for three jobs:
//! - `eq_cypher` is the `=` operator: ternary (`None` is null). Null on either side, or a null
//!   inside lists or maps that decides the outcome, gives null; NaN is unequal to everything.
//! - `cmp_cypher` / `compare_cypher` are `<`, `<=`, `>`, `>=`: defined within one type family
//!   (numbers, strings, booleans, lists, and each temporal instant type); null otherwise. A NaN
//!   operand makes every comparison false rather than null.
//! - `order` is the total order of ORDER BY: maps, nodes, relationships, lists, paths,
//!   datetimes, local datetimes, dates, times, local times, durations, strings, booleans,
//!   numbers (NaN after all numbers), then null.
//!
//! `PartialEq`, `Eq` and `Hash` on `Value` are the grouping equivalence of DISTINCT and
//! aggregation keys: null equals null, NaN equals NaN, `1` equals `1.0`, and equal values hash
//! alike. `order` returns `Equal` exactly when the values are grouping-equal.

use std::cmp::Ordering;
use std::hash::{Hash, Hasher};

use super::{Map, Node, Path, Relationship, Value};

/// An ordering comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ComparisonOp {
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
}

/// The outcome of comparing two values in openCypher.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cmp {
    Ordered(Ordering),
    /// NaN was involved: every ordering operator is false.
    Unordered,
    /// Null or incomparable types: every operator is null.
    Unknown,
}

/// The exact integer value of a float, if it has one within `i64`.
fn float_as_int(f: f64) -> Option<i64> {
    // 2^63 is exactly representable; every integral float in [-2^63, 2^63) converts exactly.
    const LIMIT: f64 = 9_223_372_036_854_775_808.0;
    if f.fract() == 0.0 && (-LIMIT..LIMIT).contains(&f) {
        #[allow(clippy::cast_possible_truncation)]
        Some(f as i64)
    } else {
        None
    }
}

/// Exact comparison of an integer with a non-NaN float.
fn cmp_int_float(i: i64, f: f64) -> Ordering {
    const LIMIT: f64 = 9_223_372_036_854_775_808.0;
    if f >= LIMIT {
        return Ordering::Less;
    }
    if f < -LIMIT {
        return Ordering::Greater;
    }
    let whole = f.trunc();
    #[allow(clippy::cast_possible_truncation)]
    let whole_int = whole as i64;
    i.cmp(&whole_int)
        .then_with(|| 0.0f64.partial_cmp(&(f - whole)).unwrap_or(Ordering::Equal))
}

/// Numeric comparison; `None` when NaN is involved.
fn cmp_numbers(a: &Value, b: &Value) -> Option<Option<Ordering>> {
    Some(match (a, b) {
        (Value::Int(x), Value::Int(y)) => Some(x.cmp(y)),
        (Value::Float(x), Value::Float(y)) => x.partial_cmp(y),
        (Value::Int(x), Value::Float(y)) => (!y.is_nan()).then(|| cmp_int_float(*x, *y)),
        (Value::Float(x), Value::Int(y)) => (!x.is_nan()).then(|| cmp_int_float(*y, *x).reverse()),
        _ => return None,
    })
}

fn cmp_lists(a: &[Value], b: &[Value]) -> Cmp {
    for (x, y) in a.iter().zip(b) {
        match cmp_values(x, y) {
            Cmp::Ordered(Ordering::Equal) => {}
            other => return other,
        }
    }
    Cmp::Ordered(a.len().cmp(&b.len()))
}

fn cmp_values(a: &Value, b: &Value) -> Cmp {
    if let Some(numeric) = cmp_numbers(a, b) {
        return numeric.map_or(Cmp::Unordered, Cmp::Ordered);
    }
    let ordering = match (a, b) {
        (Value::String(x), Value::String(y)) => x.cmp(y),
        (Value::Bool(x), Value::Bool(y)) => x.cmp(y),
        (Value::Date(x), Value::Date(y)) => x.cmp(y),
        (Value::LocalTime(x), Value::LocalTime(y)) => x.cmp(y),
        (Value::Time(x), Value::Time(y)) => x.utc_nanos().cmp(&y.utc_nanos()),
        (Value::LocalDateTime(x), Value::LocalDateTime(y)) => x.cmp(y),
        (Value::DateTime(x), Value::DateTime(y)) => x.epoch_nanos().cmp(&y.epoch_nanos()),
        (Value::List(x), Value::List(y)) => return cmp_lists(x, y),
        _ => return Cmp::Unknown,
    };
    Cmp::Ordered(ordering)
}

/// Combines element equalities: any false decides false, else any null gives null.
fn all_equal<'a>(pairs: impl Iterator<Item = (&'a Value, &'a Value)>) -> Option<bool> {
    let mut unknown = false;
    for (x, y) in pairs {
        match x.eq_cypher(y) {
            Some(false) => return Some(false),
            None => unknown = true,
            Some(true) => {}
        }
    }
    if unknown { None } else { Some(true) }
}

fn path_ids_equal(a: &Path, b: &Path) -> bool {
    a.nodes.len() == b.nodes.len()
        && a.relationships.len() == b.relationships.len()
        && a.nodes.iter().zip(&b.nodes).all(|(x, y)| x.id == y.id)
        && a.relationships
            .iter()
            .zip(&b.relationships)
            .all(|(x, y)| x.id == y.id)
}

impl Value {
    /// The `=` operator: `None` is null. See the module documentation.
    #[must_use]
    pub fn eq_cypher(&self, other: &Value) -> Option<bool> {
        match (self, other) {
            (Value::Null, _) | (_, Value::Null) => None,
            (Value::List(a), Value::List(b)) => {
                if a.len() != b.len() {
                    return Some(false);
                }
                all_equal(a.iter().zip(b))
            }
            (Value::Map(a), Value::Map(b)) => {
                if a.len() != b.len() || a.keys().zip(b.keys()).any(|(x, y)| x != y) {
                    return Some(false);
                }
                all_equal(a.values().zip(b.values()))
            }
            (Value::Float(a), Value::Float(b)) => Some(a == b),
            (Value::Int(_) | Value::Float(_), Value::Int(_) | Value::Float(_)) => Some(matches!(
                cmp_numbers(self, other),
                Some(Some(Ordering::Equal))
            )),
            _ => Some(self == other),
        }
    }

    /// The ordering used by `<`, `<=`, `>`, `>=`: `None` when the values are not comparable
    /// (different type families, null, maps, nodes, durations, ...) *or* when NaN is involved.
    /// Use [`Value::compare_cypher`] for the operators themselves, which tells those apart.
    #[must_use]
    pub fn cmp_cypher(&self, other: &Value) -> Option<Ordering> {
        match cmp_values(self, other) {
            Cmp::Ordered(ordering) => Some(ordering),
            Cmp::Unordered | Cmp::Unknown => None,
        }
    }

    /// The result of `self <op> other`: `None` is null (incomparable or null operands); a NaN
    /// operand compared with a number gives `Some(false)`.
    #[must_use]
    pub fn compare_cypher(&self, op: ComparisonOp, other: &Value) -> Option<bool> {
        match cmp_values(self, other) {
            Cmp::Ordered(ordering) => Some(match op {
                ComparisonOp::Lt => ordering == Ordering::Less,
                ComparisonOp::Le => ordering != Ordering::Greater,
                ComparisonOp::Gt => ordering == Ordering::Greater,
                ComparisonOp::Ge => ordering != Ordering::Less,
            }),
            Cmp::Unordered => Some(false),
            Cmp::Unknown => None,
        }
    }

    /// The total order of ORDER BY (ascending). See the module documentation.
    #[must_use]
    pub fn order(&self, other: &Value) -> Ordering {
        let (ra, rb) = (order_rank(self), order_rank(other));
        if ra != rb {
            return ra.cmp(&rb);
        }
        match (self, other) {
            (Value::Map(a), Value::Map(b)) => order_maps(a, b),
            (Value::Node(a), Value::Node(b)) => a.id.cmp(&b.id),
            (Value::Relationship(a), Value::Relationship(b)) => a.id.cmp(&b.id),
            (Value::List(a), Value::List(b)) => order_lists(a, b),
            (Value::Path(a), Value::Path(b)) => order_paths(a, b),
            (Value::DateTime(a), Value::DateTime(b)) => a.order(b),
            (Value::LocalDateTime(a), Value::LocalDateTime(b)) => a.cmp(b),
            (Value::Date(a), Value::Date(b)) => a.cmp(b),
            (Value::Time(a), Value::Time(b)) => a.order(b),
            (Value::LocalTime(a), Value::LocalTime(b)) => a.cmp(b),
            (Value::Duration(a), Value::Duration(b)) => {
                (a.months, a.days, a.seconds, a.nanos).cmp(&(b.months, b.days, b.seconds, b.nanos))
            }
            (Value::String(a), Value::String(b)) => a.cmp(b),
            (Value::Bool(a), Value::Bool(b)) => a.cmp(b),
            _ => order_numbers(self, other),
        }
    }
}

/// The position of a value's type in the ORDER BY order.
fn order_rank(value: &Value) -> u8 {
    match value {
        Value::Map(_) => 0,
        Value::Node(_) => 1,
        Value::Relationship(_) => 2,
        Value::List(_) => 3,
        Value::Path(_) => 4,
        Value::DateTime(_) => 5,
        Value::LocalDateTime(_) => 6,
        Value::Date(_) => 7,
        Value::Time(_) => 8,
        Value::LocalTime(_) => 9,
        Value::Duration(_) => 10,
        Value::String(_) => 11,
        Value::Bool(_) => 12,
        Value::Int(_) => 13,
        Value::Float(f) if !f.is_nan() => 13,
        Value::Float(_) => 14,
        Value::Null => 15,
    }
}

/// Numbers of rank 13 (no NaN) or both NaN (rank 14, equal).
fn order_numbers(a: &Value, b: &Value) -> Ordering {
    match cmp_numbers(a, b) {
        Some(Some(ordering)) => ordering,
        _ => Ordering::Equal,
    }
}

fn order_lists(a: &[Value], b: &[Value]) -> Ordering {
    a.iter()
        .zip(b)
        .map(|(x, y)| x.order(y))
        .find(|o| *o != Ordering::Equal)
        .unwrap_or_else(|| a.len().cmp(&b.len()))
}

fn order_maps(a: &Map, b: &Map) -> Ordering {
    a.iter()
        .zip(b)
        .map(|((ka, va), (kb, vb))| ka.cmp(kb).then_with(|| va.order(vb)))
        .find(|o| *o != Ordering::Equal)
        .unwrap_or_else(|| a.len().cmp(&b.len()))
}

fn order_paths(a: &Path, b: &Path) -> Ordering {
    let ids = |p: &Path| -> Vec<(u64, u64)> {
        let mut out: Vec<(u64, u64)> = Vec::with_capacity(p.nodes.len() + p.relationships.len());
        for (i, node) in p.nodes.iter().enumerate() {
            out.push((0, node.id.0));
            if let Some(rel) = p.relationships.get(i) {
                out.push((1, rel.id.0));
            }
        }
        out
    };
    ids(a).cmp(&ids(b))
}

/// Grouping equivalence (DISTINCT, aggregation keys): null equals null, NaN equals NaN,
/// integers and floats equal when numerically equal. Nodes and relationships are equal by id,
/// paths by the ids along them.
impl PartialEq for Value {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Value::Null, Value::Null) => true,
            (Value::Bool(a), Value::Bool(b)) => a == b,
            (Value::Int(a), Value::Int(b)) => a == b,
            (Value::Float(a), Value::Float(b)) => a == b || (a.is_nan() && b.is_nan()),
            (Value::Int(a), Value::Float(b)) | (Value::Float(b), Value::Int(a)) => {
                float_as_int(*b) == Some(*a)
            }
            (Value::String(a), Value::String(b)) => a == b,
            (Value::Date(a), Value::Date(b)) => a == b,
            (Value::LocalTime(a), Value::LocalTime(b)) => a == b,
            (Value::Time(a), Value::Time(b)) => a == b,
            (Value::LocalDateTime(a), Value::LocalDateTime(b)) => a == b,
            (Value::DateTime(a), Value::DateTime(b)) => a == b,
            (Value::Duration(a), Value::Duration(b)) => a == b,
            (Value::List(a), Value::List(b)) => **a == **b,
            (Value::Map(a), Value::Map(b)) => **a == **b,
            (Value::Node(a), Value::Node(b)) => a.id == b.id,
            (Value::Relationship(a), Value::Relationship(b)) => a.id == b.id,
            (Value::Path(a), Value::Path(b)) => path_ids_equal(a, b),
            _ => false,
        }
    }
}

impl Eq for Value {}

/// The ORDER BY order, which is total and agrees with the grouping equality, so values can be
/// sorted and used as `BTreeMap` keys.
impl PartialOrd for Value {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Value {
    fn cmp(&self, other: &Self) -> Ordering {
        self.order(other)
    }
}

impl Hash for Value {
    fn hash<H: Hasher>(&self, state: &mut H) {
        match self {
            Value::Null => state.write_u8(0),
            Value::Bool(b) => {
                state.write_u8(1);
                b.hash(state);
            }
            Value::Int(i) => {
                state.write_u8(2);
                i.hash(state);
            }
            Value::Float(f) => match float_as_int(*f) {
                // Integral floats hash as the integer they equal (1.0 as 1, -0.0 as 0).
                Some(i) => {
                    state.write_u8(2);
                    i.hash(state);
                }
                None => {
                    state.write_u8(3);
                    let bits = if f.is_nan() {
                        f64::NAN.to_bits()
                    } else {
                        f.to_bits()
                    };
                    bits.hash(state);
                }
            },
            Value::String(s) => {
                state.write_u8(4);
                s.hash(state);
            }
            Value::Date(d) => {
                state.write_u8(5);
                d.hash(state);
            }
            Value::LocalTime(t) => {
                state.write_u8(6);
                t.hash(state);
            }
            Value::Time(t) => {
                state.write_u8(7);
                t.hash(state);
            }
            Value::LocalDateTime(dt) => {
                state.write_u8(8);
                dt.hash(state);
            }
            Value::DateTime(dt) => {
                state.write_u8(9);
                dt.hash(state);
            }
            Value::Duration(d) => {
                state.write_u8(10);
                d.hash(state);
            }
            Value::List(items) => {
                state.write_u8(11);
                state.write_usize(items.len());
                for item in items {
                    item.hash(state);
                }
            }
            Value::Map(map) => {
                state.write_u8(12);
                state.write_usize(map.len());
                for (key, value) in map {
                    key.hash(state);
                    value.hash(state);
                }
            }
            Value::Node(node) => hash_node(node, state),
            Value::Relationship(rel) => hash_rel(rel, state),
            Value::Path(path) => {
                state.write_u8(15);
                for node in &path.nodes {
                    node.id.hash(state);
                }
                for rel in &path.relationships {
                    rel.id.hash(state);
                }
            }
        }
    }
}

fn hash_node<H: Hasher>(node: &Node, state: &mut H) {
    state.write_u8(13);
    node.id.hash(state);
}

fn hash_rel<H: Hasher>(rel: &Relationship, state: &mut H) {
    state.write_u8(14);
    rel.id.hash(state);
}

//! The operators of openCypher expressions on evaluated values: arithmetic, string and list
//! concatenation, temporal arithmetic, three-valued boolean logic, comparison, string
//! predicates, `IN`, regular expressions, list subscripts and slices, and property access.
//!
//! Operands arrive evaluated; short-circuiting (`false AND <error>`) is the evaluator's
//! business, not this module's. Null propagates as openCypher says: any operator with a null
//! operand gives null, except the boolean operators (`null OR true` is true) and `IN` (a null
//! found in the list makes a miss unknown). Integer arithmetic is checked: overflow and integer
//! division by zero are `ArithmeticError`s, never wrapped values or panics; float arithmetic is
//! IEEE 754 (`1.0 / 0` is `Infinity`). Type mismatches are `TypeError`s. `+` joins a string
//! with a number, boolean or temporal value as text (`'a' + 1` is `'a1'`, as in Neo4j). The
//! operators are the plan's (`BinaryOp`, `UnaryOp`, one table from the syntax up). Only [`property`] reads the graph, through
//! `FnContext`.
//!
//! Tests: `src/db/tests/functions.rs`, with cases in `tests/data/functions/operators.txt`.

use std::cell::RefCell;
use std::collections::HashMap;

use regex::Regex;

use super::ExecError;
#[cfg(test)]
use super::FnContext;
pub use crate::plan::logical::{BinaryOp, UnaryOp};
use crate::value::{ComparisonOp, Duration, Value, temporal};

/// `left <op> right`.
pub fn binary(op: BinaryOp, left: &Value, right: &Value) -> Result<Value, ExecError> {
    match op {
        BinaryOp::Or | BinaryOp::Xor | BinaryOp::And => logic(op, left, right),
        BinaryOp::Eq => Ok(left.eq_cypher(right).into()),
        BinaryOp::Ne => Ok(left.eq_cypher(right).map(|eq| !eq).into()),
        BinaryOp::Lt => Ok(left.compare_cypher(ComparisonOp::Lt, right).into()),
        BinaryOp::Gt => Ok(left.compare_cypher(ComparisonOp::Gt, right).into()),
        BinaryOp::Le => Ok(left.compare_cypher(ComparisonOp::Le, right).into()),
        BinaryOp::Ge => Ok(left.compare_cypher(ComparisonOp::Ge, right).into()),
        BinaryOp::StartsWith => Ok(strings(left, right, |a, b| a.starts_with(b))),
        BinaryOp::EndsWith => Ok(strings(left, right, |a, b| a.ends_with(b))),
        BinaryOp::Contains => Ok(strings(left, right, |a, b| a.contains(b))),
        BinaryOp::RegexMatch => regex_match(left, right),
        BinaryOp::In => in_list(left, right),
        BinaryOp::Add => add(left, right),
        BinaryOp::Sub => subtract(left, right),
        BinaryOp::Mul => multiply(left, right),
        BinaryOp::Div => divide(left, right),
        BinaryOp::Mod => modulo(left, right),
        BinaryOp::Pow => power(left, right),
    }
}

/// `<op> value`.
pub fn unary(op: UnaryOp, value: &Value) -> Result<Value, ExecError> {
    match (op, value) {
        (_, Value::Null) => Ok(Value::Null),
        (UnaryOp::Not, Value::Bool(b)) => Ok(Value::Bool(!b)),
        (UnaryOp::Negate, Value::Int(i)) => i
            .checked_neg()
            .map(Value::Int)
            .ok_or_else(|| overflow("-", value, None)),
        (UnaryOp::Negate, Value::Float(f)) => Ok(Value::Float(-f)),
        (UnaryOp::Negate, Value::Duration(d)) => Ok(Value::Duration(d.checked_neg()?)),
        (UnaryOp::Plus, Value::Int(_) | Value::Float(_) | Value::Duration(_)) => Ok(value.clone()),
        (UnaryOp::Not, other) => Err(ExecError::Type(format!(
            "NOT expects a boolean, found {}",
            other.type_name()
        ))),
        (UnaryOp::Negate | UnaryOp::Plus, other) => Err(ExecError::Type(format!(
            "unary {} expects a number or duration, found {}",
            if op == UnaryOp::Negate { "-" } else { "+" },
            other.type_name()
        ))),
    }
}

fn overflow(symbol: &str, left: &Value, right: Option<&Value>) -> ExecError {
    match right {
        Some(right) => {
            ExecError::Arithmetic(format!("integer overflow in {left} {symbol} {right}"))
        }
        None => ExecError::Arithmetic(format!("integer overflow in {symbol}{left}")),
    }
}

fn mismatch(op: BinaryOp, left: &Value, right: &Value) -> ExecError {
    ExecError::Type(format!(
        "cannot apply {} to {} and {}",
        op.symbol(),
        left.type_name(),
        right.type_name()
    ))
}

/// A boolean operand: `Some(None)` is null, `None` is a type error.
fn truth(value: &Value) -> Option<Option<bool>> {
    match value {
        Value::Null => Some(None),
        Value::Bool(b) => Some(Some(*b)),
        _ => None,
    }
}

fn logic(op: BinaryOp, left: &Value, right: &Value) -> Result<Value, ExecError> {
    let (Some(a), Some(b)) = (truth(left), truth(right)) else {
        return Err(ExecError::Type(format!(
            "{} expects booleans, found {} and {}",
            op.symbol(),
            left.type_name(),
            right.type_name()
        )));
    };
    let result = match op {
        BinaryOp::And => match (a, b) {
            (Some(false), _) | (_, Some(false)) => Some(false),
            (Some(true), Some(true)) => Some(true),
            _ => None,
        },
        BinaryOp::Or => match (a, b) {
            (Some(true), _) | (_, Some(true)) => Some(true),
            (Some(false), Some(false)) => Some(false),
            _ => None,
        },
        _ => match (a, b) {
            (Some(x), Some(y)) => Some(x != y),
            _ => None,
        },
    };
    Ok(result.into())
}

/// A string predicate: null unless both sides are strings.
fn strings(left: &Value, right: &Value, test: impl Fn(&str, &str) -> bool) -> Value {
    match (left, right) {
        (Value::String(a), Value::String(b)) => Value::Bool(test(a, b)),
        _ => Value::Null,
    }
}

/// The largest compiled pattern accepted, in bytes of the regex engine's program: enough for
/// any pattern a person writes, small enough that a hostile one cannot exhaust memory.
const REGEX_SIZE_LIMIT: usize = 1 << 20;
/// How many compiled patterns each thread keeps; a statement usually uses one or two.
const REGEX_CACHE_SIZE: usize = 64;

thread_local! {
    static REGEX_CACHE: RefCell<HashMap<String, Regex>> = RefCell::new(HashMap::new());
}

/// Compiles `pattern` so that it must match the whole subject, as Java's `String.matches` does
/// (openCypher's `=~` follows Java), caching the result per thread. The syntax is the `regex`
/// crate's, which is Java's minus look-around and back-references: such a pattern is an
/// `ArgumentError`, as is any malformed one.
pub fn full_match_regex(pattern: &str) -> Result<Regex, ExecError> {
    if let Some(regex) = REGEX_CACHE.with(|cache| cache.borrow().get(pattern).cloned()) {
        return Ok(regex);
    }
    let invalid = |e: regex::Error| {
        ExecError::Argument(format!("invalid regular expression {pattern:?}: {e}"))
    };
    let build = |text: &str| {
        regex::RegexBuilder::new(text)
            .size_limit(REGEX_SIZE_LIMIT)
            .build()
    };
    // The pattern must be valid on its own, or an unbalanced `a)|(b` could escape the group
    // below. Then `\A` and `\z` anchor at the ends of the subject even when the pattern turns
    // on multi-line mode, where `^` and `$` would match at line breaks.
    build(pattern).map_err(invalid)?;
    let regex = build(&format!("\\A(?:{pattern})\\z")).map_err(invalid)?;
    REGEX_CACHE.with(|cache| {
        let mut cache = cache.borrow_mut();
        if cache.len() >= REGEX_CACHE_SIZE {
            cache.clear();
        }
        cache.insert(pattern.to_owned(), regex.clone());
    });
    Ok(regex)
}

fn regex_match(left: &Value, right: &Value) -> Result<Value, ExecError> {
    match (left, right) {
        (Value::String(subject), Value::String(pattern)) => {
            Ok(Value::Bool(full_match_regex(pattern)?.is_match(subject)))
        }
        _ => Ok(Value::Null),
    }
}

/// `x IN list`: true when an element equals `x`; else null when some comparison was null;
/// else false.
fn in_list(left: &Value, right: &Value) -> Result<Value, ExecError> {
    let items = match right {
        Value::Null => return Ok(Value::Null),
        Value::List(items) => items,
        other => {
            return Err(ExecError::Type(format!(
                "IN expects a list on the right, found {}",
                other.type_name()
            )));
        }
    };
    let mut unknown = false;
    for item in items {
        match left.eq_cypher(item) {
            Some(true) => return Ok(Value::Bool(true)),
            Some(false) => {}
            None => unknown = true,
        }
    }
    Ok(if unknown {
        Value::Null
    } else {
        Value::Bool(false)
    })
}

/// Whether a value concatenates to a string as its `toString` text (`'a' + 1` is `'a1'`).
fn stringable(value: &Value) -> bool {
    matches!(
        value,
        Value::String(_) | Value::Int(_) | Value::Float(_) | Value::Bool(_)
    ) || value.is_temporal()
}

#[allow(clippy::cast_precision_loss)]
fn float_pair(left: &Value, right: &Value) -> Option<(f64, f64)> {
    match (left, right) {
        (Value::Float(a), Value::Float(b)) => Some((*a, *b)),
        (Value::Int(a), Value::Float(b)) => Some((*a as f64, *b)),
        (Value::Float(a), Value::Int(b)) => Some((*a, *b as f64)),
        _ => None,
    }
}

fn add(left: &Value, right: &Value) -> Result<Value, ExecError> {
    if left.is_null() || right.is_null() {
        return Ok(Value::Null);
    }
    if let (Value::Int(a), Value::Int(b)) = (left, right) {
        return a
            .checked_add(*b)
            .map(Value::Int)
            .ok_or_else(|| overflow("+", left, Some(right)));
    }
    if let Some((a, b)) = float_pair(left, right) {
        return Ok(Value::Float(a + b));
    }
    Ok(match (left, right) {
        (Value::List(a), Value::List(b)) => {
            let mut items = Vec::with_capacity(a.len() + b.len());
            items.extend_from_slice(a);
            items.extend_from_slice(b);
            Value::List(items.into())
        }
        (Value::List(a), b) => {
            let mut items = Vec::with_capacity(a.len() + 1);
            items.extend_from_slice(a);
            items.push(b.clone());
            Value::List(items.into())
        }
        (a, Value::List(b)) => {
            let mut items = Vec::with_capacity(b.len() + 1);
            items.push(a.clone());
            items.extend_from_slice(b);
            Value::List(items.into())
        }
        (Value::Duration(d), other) if other.is_temporal() => temporal::add_duration(other, d)?,
        (other, Value::Duration(d)) if other.is_temporal() => temporal::add_duration(other, d)?,
        (Value::String(_), b) | (b, Value::String(_)) if stringable(b) => {
            let mut text = left.to_cypher_string();
            text.push_str(&right.to_cypher_string());
            Value::String(text.into())
        }
        _ => return Err(mismatch(BinaryOp::Add, left, right)),
    })
}

fn subtract(left: &Value, right: &Value) -> Result<Value, ExecError> {
    if left.is_null() || right.is_null() {
        return Ok(Value::Null);
    }
    if let (Value::Int(a), Value::Int(b)) = (left, right) {
        return a
            .checked_sub(*b)
            .map(Value::Int)
            .ok_or_else(|| overflow("-", left, Some(right)));
    }
    if let Some((a, b)) = float_pair(left, right) {
        return Ok(Value::Float(a - b));
    }
    match (left, right) {
        (other, Value::Duration(d)) if other.is_temporal() => {
            Ok(temporal::subtract_duration(other, d)?)
        }
        _ => Err(mismatch(BinaryOp::Sub, left, right)),
    }
}

fn scale_duration(duration: &Duration, factor: &Value) -> Result<Option<Duration>, ExecError> {
    Ok(match factor {
        Value::Int(i) => Some(duration.checked_mul_int(*i)?),
        Value::Float(f) => Some(duration.checked_mul_float(*f)?),
        _ => None,
    })
}

fn multiply(left: &Value, right: &Value) -> Result<Value, ExecError> {
    if left.is_null() || right.is_null() {
        return Ok(Value::Null);
    }
    if let (Value::Int(a), Value::Int(b)) = (left, right) {
        return a
            .checked_mul(*b)
            .map(Value::Int)
            .ok_or_else(|| overflow("*", left, Some(right)));
    }
    if let Some((a, b)) = float_pair(left, right) {
        return Ok(Value::Float(a * b));
    }
    let scaled = match (left, right) {
        (Value::Duration(d), factor) | (factor, Value::Duration(d)) => scale_duration(d, factor)?,
        _ => None,
    };
    scaled
        .map(Value::Duration)
        .ok_or_else(|| mismatch(BinaryOp::Mul, left, right))
}

fn divide(left: &Value, right: &Value) -> Result<Value, ExecError> {
    if left.is_null() || right.is_null() {
        return Ok(Value::Null);
    }
    if let (Value::Int(a), Value::Int(b)) = (left, right) {
        if *b == 0 {
            return Err(ExecError::Arithmetic("division by zero".to_owned()));
        }
        // Rust's `/` truncates towards zero, as Java's does; only MIN / -1 overflows.
        return a
            .checked_div(*b)
            .map(Value::Int)
            .ok_or_else(|| overflow("/", left, Some(right)));
    }
    if let Some((a, b)) = float_pair(left, right) {
        return Ok(Value::Float(a / b));
    }
    match (left, right) {
        (Value::Duration(d), divisor) => match divisor.as_float() {
            Some(divisor) => Ok(Value::Duration(d.checked_div(divisor)?)),
            None => Err(mismatch(BinaryOp::Div, left, right)),
        },
        _ => Err(mismatch(BinaryOp::Div, left, right)),
    }
}

fn modulo(left: &Value, right: &Value) -> Result<Value, ExecError> {
    if left.is_null() || right.is_null() {
        return Ok(Value::Null);
    }
    if let (Value::Int(a), Value::Int(b)) = (left, right) {
        if *b == 0 {
            return Err(ExecError::Arithmetic("modulo by zero".to_owned()));
        }
        // The remainder takes the dividend's sign, as in Java; MIN % -1 is 0, not an overflow.
        return Ok(Value::Int(a.checked_rem(*b).unwrap_or(0)));
    }
    if let Some((a, b)) = float_pair(left, right) {
        return Ok(Value::Float(a % b));
    }
    Err(mismatch(BinaryOp::Mod, left, right))
}

fn power(left: &Value, right: &Value) -> Result<Value, ExecError> {
    if left.is_null() || right.is_null() {
        return Ok(Value::Null);
    }
    match (left.as_float(), right.as_float()) {
        (Some(a), Some(b)) => Ok(Value::Float(a.powf(b))),
        _ => Err(mismatch(BinaryOp::Pow, left, right)),
    }
}

/// `container[index]`: a list element (negative indexes count from the end; out of range is
/// null) or a map entry (a missing key is null). Null on either side gives null. Nodes and
/// relationships are the evaluator's business, as their properties live in the graph.
pub fn subscript(container: &Value, index: &Value) -> Result<Value, ExecError> {
    match (container, index) {
        (Value::Null, _) | (_, Value::Null) => Ok(Value::Null),
        (Value::List(items), Value::Int(i)) => Ok(list_position(items.len(), *i)
            .and_then(|at| items.get(at))
            .cloned()
            .unwrap_or(Value::Null)),
        (Value::List(_), other) => Err(ExecError::Type(format!(
            "a list index must be an integer, found {}",
            other.type_name()
        ))),
        (Value::Map(map), Value::String(key)) => {
            Ok(map.get(&**key).cloned().unwrap_or(Value::Null))
        }
        (Value::Map(_), other) => Err(ExecError::Type(format!(
            "a map key must be a string, found {}",
            other.type_name()
        ))),
        (other, _) => Err(ExecError::Type(format!(
            "cannot subscript {}",
            other.type_name()
        ))),
    }
}

/// The position of `index` in a list of `len` (negative from the end), if inside it.
fn list_position(len: usize, index: i64) -> Option<usize> {
    let len = i64::try_from(len).ok()?;
    let at = if index < 0 {
        len.checked_add(index)?
    } else {
        index
    };
    if (0..len).contains(&at) {
        usize::try_from(at).ok()
    } else {
        None
    }
}

/// `list[from..to]` with either bound optional (`None` is an omitted bound; a null bound given
/// explicitly is `Some(Value::Null)` and gives null). Negative bounds count from the end;
/// bounds beyond the list are clamped; an empty or inverted range gives `[]`.
pub fn slice(list: &Value, from: Option<&Value>, to: Option<&Value>) -> Result<Value, ExecError> {
    let items = match list {
        Value::Null => return Ok(Value::Null),
        Value::List(items) => items,
        other => {
            return Err(ExecError::Type(format!(
                "cannot slice {}",
                other.type_name()
            )));
        }
    };
    let len = i64::try_from(items.len()).unwrap_or(i64::MAX);
    let bound = |value: Option<&Value>, default: i64| -> Result<Option<i64>, ExecError> {
        match value {
            None => Ok(Some(default)),
            Some(Value::Null) => Ok(None),
            Some(Value::Int(i)) => {
                let at = if *i < 0 { len.saturating_add(*i) } else { *i };
                Ok(Some(at.clamp(0, len)))
            }
            Some(other) => Err(ExecError::Type(format!(
                "a slice bound must be an integer, found {}",
                other.type_name()
            ))),
        }
    };
    let (Some(start), Some(end)) = (bound(from, 0)?, bound(to, len)?) else {
        return Ok(Value::Null);
    };
    if start >= end {
        return Ok(Value::List(Vec::new().into()));
    }
    let (start, end) = (
        usize::try_from(start).unwrap_or(0),
        usize::try_from(end).unwrap_or(0),
    );
    Ok(Value::List(items[start..end].to_vec().into()))
}

/// `value.key`: a node's or relationship's property (read through the graph; null when absent),
/// a map's entry (null when absent), or a temporal value's field (`d.year`, `dur.days`; an
/// unknown field is an `ArgumentError`). Null gives null; a deleted entity is
/// `EntityNotFound`; any other value is a `TypeError`.
#[cfg(test)]
pub fn property(value: &Value, key: &str, ctx: &FnContext<'_>) -> Result<Value, ExecError> {
    let graph = ctx.graph;
    match value {
        Value::Null => Ok(Value::Null),
        Value::Map(map) => Ok(map.get(key).cloned().unwrap_or(Value::Null)),
        Value::Node(node) => match graph.key_id(key) {
            Some(key_id) => Ok(graph.node_property(node.id, key_id)?),
            None if graph.node_exists(node.id)? => Ok(Value::Null),
            None => Err(ExecError::EntityNotFound(format!(
                "node {} does not exist",
                node.id
            ))),
        },
        Value::Relationship(rel) => match graph.key_id(key) {
            Some(key_id) => Ok(graph.rel_property(rel.id, key_id)?),
            None if graph.relationship(rel.id)?.is_some() => Ok(Value::Null),
            None => Err(ExecError::EntityNotFound(format!(
                "relationship {} does not exist",
                rel.id
            ))),
        },
        other if other.is_temporal() => temporal::property(other, key).ok_or_else(|| {
            ExecError::Argument(format!("{} has no field {key:?}", other.type_name()))
        }),
        other => Err(ExecError::Type(format!(
            "cannot read property {key:?} of {}",
            other.type_name()
        ))),
    }
}

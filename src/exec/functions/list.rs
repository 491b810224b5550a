//! List functions: `head`, `last`, `tail`, `range`, `coalesce`, `isEmpty`, `nullIf`.
//! (`size` and `reverse` serve strings too and live in `string.rs`.)

use super::{FunctionDef, arg, def, opt_int, type_error};
use crate::exec::{ExecError, FnContext};
use crate::value::Value;

pub(super) static FUNCTIONS: &[FunctionDef] = &[
    def("head", 1, Some(1), head),
    def("last", 1, Some(1), last),
    def("tail", 1, Some(1), tail),
    def("range", 2, Some(3), range),
    def("coalesce", 1, None, coalesce),
    def("isEmpty", 1, Some(1), is_empty),
    def("nullIf", 2, Some(2), null_if),
];

/// The most elements `range` builds: 16,777,216, about a gigabyte of `Value`s. A larger range
/// is almost certainly a mistake and would exhaust memory; it is an `ArgumentError` instead.
pub const MAX_RANGE_LEN: i128 = 1 << 24;

fn list_arg<'a>(name: &str, value: &'a Value) -> Result<Option<&'a [Value]>, ExecError> {
    match value {
        Value::Null => Ok(None),
        Value::List(items) => Ok(Some(items)),
        other => Err(type_error(name, "a list", other)),
    }
}

fn head(args: &[Value], _: &FnContext<'_>) -> Result<Value, ExecError> {
    Ok(list_arg("head", arg(args, 0))?
        .and_then(|items| items.first().cloned())
        .unwrap_or(Value::Null))
}

fn last(args: &[Value], _: &FnContext<'_>) -> Result<Value, ExecError> {
    Ok(list_arg("last", arg(args, 0))?
        .and_then(|items| items.last().cloned())
        .unwrap_or(Value::Null))
}

/// Every element but the first; `[]` for an empty list.
fn tail(args: &[Value], _: &FnContext<'_>) -> Result<Value, ExecError> {
    Ok(list_arg("tail", arg(args, 0))?
        .map(|items| Value::List(items.iter().skip(1).cloned().collect()))
        .unwrap_or(Value::Null))
}

/// `range(start, end[, step])`: integers from `start` to `end` inclusive, `step` apart
/// (default 1, may be negative, zero is an `ArgumentError`); empty when `end` is on the wrong
/// side of `start`. Every argument must be an integer, and none may be null.
/// The elements `range(start, end[, step])` stands for: (first, step, count). No limit on the
/// count: `UNWIND range(...)` walks it without building the list.
pub(crate) fn range_bounds(args: &[Value]) -> Result<(i128, i128, i128), ExecError> {
    let required = |i: usize| -> Result<i64, ExecError> {
        opt_int("range", arg(args, i))?
            .ok_or_else(|| ExecError::Argument("range() does not accept null".to_owned()))
    };
    let start = required(0)?;
    let end = required(1)?;
    let step = if args.len() > 2 { required(2)? } else { 1 };
    if step == 0 {
        return Err(ExecError::Argument(
            "range() step must not be zero".to_owned(),
        ));
    }
    let span = i128::from(end) - i128::from(start);
    let len = if span == 0 || (span > 0) == (step > 0) {
        span / i128::from(step) + 1
    } else {
        0
    };
    Ok((i128::from(start), i128::from(step), len))
}

fn range(args: &[Value], _: &FnContext<'_>) -> Result<Value, ExecError> {
    let (start, step, len) = range_bounds(args)?;
    if len > MAX_RANGE_LEN {
        return Err(ExecError::Argument(format!(
            "range() would have {len} elements, more than the limit of {MAX_RANGE_LEN}"
        )));
    }
    let len = usize::try_from(len).unwrap_or(0);
    let mut items = Vec::with_capacity(len);
    let mut current = start;
    for _ in 0..len {
        // Every element lies between start and end, so it fits in i64.
        items.push(Value::Int(i64::try_from(current).unwrap_or(0)));
        current += step;
    }
    Ok(Value::List(items.into()))
}

/// The first non-null argument, or null.
fn coalesce(args: &[Value], _: &FnContext<'_>) -> Result<Value, ExecError> {
    Ok(args
        .iter()
        .find(|v| !v.is_null())
        .cloned()
        .unwrap_or(Value::Null))
}

/// `isEmpty(list | map | string)`.
fn is_empty(args: &[Value], _: &FnContext<'_>) -> Result<Value, ExecError> {
    match arg(args, 0) {
        Value::Null => Ok(Value::Null),
        Value::List(items) => Ok(Value::Bool(items.is_empty())),
        Value::Map(map) => Ok(Value::Bool(map.is_empty())),
        Value::String(s) => Ok(Value::Bool(s.is_empty())),
        other => Err(type_error("isEmpty", "a list, map or string", other)),
    }
}

/// `nullIf(a, b)`: null when `a = b` is true, else `a`.
fn null_if(args: &[Value], _: &FnContext<'_>) -> Result<Value, ExecError> {
    let a = arg(args, 0);
    Ok(if a.eq_cypher(arg(args, 1)) == Some(true) {
        Value::Null
    } else {
        a.clone()
    })
}

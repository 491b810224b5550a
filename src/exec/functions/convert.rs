//! Type conversion: `toBoolean`, `toInteger`, `toFloat`, `toString`, their `...OrNull`
//! variants, and the list forms `toBooleanList`, `toIntegerList`, `toFloatList`,
//! `toStringList`.
//!
//! As the TCK's typeConversion features say: a string that does not parse converts to null
//! (`toInteger('foo')`), a string holding a float converts to an integer by truncation
//! (`toInteger('2.9')` is 2), and a value of a type with no conversion is a `TypeError`
//! (`toFloat(true)`, `toString([])`). `toInteger(true)` is 1 (Neo4j 5); `toBoolean` accepts
//! integers (zero is false). The `...OrNull` variants and the list forms never fail: whatever
//! does not convert becomes null. `valueType` names a value's type as GQL does.

use super::{FunctionDef, arg, def, type_error};
use crate::exec::{ExecError, FnContext};
use crate::value::Value;

pub(super) static FUNCTIONS: &[FunctionDef] = &[
    def("toBoolean", 1, Some(1), to_boolean),
    def("toBooleanOrNull", 1, Some(1), to_boolean_or_null),
    def("toBooleanList", 1, Some(1), to_boolean_list),
    def("toInteger", 1, Some(1), to_integer),
    def("toIntegerOrNull", 1, Some(1), to_integer_or_null),
    def("toIntegerList", 1, Some(1), to_integer_list),
    def("toFloat", 1, Some(1), to_float),
    def("toFloatOrNull", 1, Some(1), to_float_or_null),
    def("toFloatList", 1, Some(1), to_float_list),
    def("toString", 1, Some(1), to_string),
    def("toStringOrNull", 1, Some(1), to_string_or_null),
    def("toStringList", 1, Some(1), to_string_list),
    def("valueType", 1, Some(1), value_type),
];

/// The outcome of a conversion: a value (possibly null) or "this type does not convert".
type Converted = Option<Value>;

fn boolean(value: &Value) -> Converted {
    Some(match value {
        Value::Null => Value::Null,
        Value::Bool(b) => Value::Bool(*b),
        Value::Int(i) => Value::Bool(*i != 0),
        Value::String(s) => match s.trim().to_ascii_lowercase().as_str() {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            _ => Value::Null,
        },
        _ => return None,
    })
}

/// A decimal number as Java's `Double.parseDouble` reads it, minus its type suffixes: an
/// optional sign, digits with an optional fraction and exponent, or `NaN` / `Infinity`.
/// Surrounding whitespace is ignored.
fn parse_float(text: &str) -> Option<f64> {
    let text = text.trim();
    let unsigned = text.strip_prefix(['+', '-']).unwrap_or(text);
    if unsigned == "NaN" || unsigned == "Infinity" {
        let value = if unsigned == "NaN" {
            f64::NAN
        } else {
            f64::INFINITY
        };
        return Some(if text.starts_with('-') { -value } else { value });
    }
    // Rust also reads `inf`, `nan` and `infinity` in any case; Java does not.
    if !unsigned.starts_with(|c: char| c.is_ascii_digit() || c == '.')
        || unsigned
            .bytes()
            .any(|b| b.is_ascii_alphabetic() && b != b'e' && b != b'E')
    {
        return None;
    }
    text.parse().ok()
}

/// The integer a float truncates to, if it is finite and within `i64`.
fn truncate_float(f: f64) -> Option<i64> {
    // 2^63 is exactly representable; truncation of anything in (-2^63 - 1, 2^63) fits.
    const LIMIT: f64 = 9_223_372_036_854_775_808.0;
    let whole = f.trunc();
    if (-LIMIT..LIMIT).contains(&whole) {
        #[allow(clippy::cast_possible_truncation)]
        Some(whole as i64)
    } else {
        None
    }
}

fn integer(value: &Value) -> Converted {
    Some(match value {
        Value::Null => Value::Null,
        Value::Int(i) => Value::Int(*i),
        Value::Bool(b) => Value::Int(i64::from(*b)),
        Value::Float(f) => truncate_float(*f).map_or(Value::Null, Value::Int),
        Value::String(s) => {
            let trimmed = s.trim();
            match trimmed.strip_prefix('+').unwrap_or(trimmed).parse::<i64>() {
                Ok(i) if !trimmed.starts_with("+-") => Value::Int(i),
                _ => parse_float(trimmed)
                    .and_then(truncate_float)
                    .map_or(Value::Null, Value::Int),
            }
        }
        _ => return None,
    })
}

fn float(value: &Value) -> Converted {
    Some(match value {
        Value::Null => Value::Null,
        Value::Int(_) | Value::Float(_) => Value::Float(value.as_float().unwrap_or(f64::NAN)),
        Value::String(s) => parse_float(s).map_or(Value::Null, Value::Float),
        _ => return None,
    })
}

fn string(value: &Value) -> Converted {
    match value {
        Value::Null => Some(Value::Null),
        Value::Bool(_) | Value::Int(_) | Value::Float(_) | Value::String(_) => {
            Some(Value::String(value.to_cypher_string().into()))
        }
        other if other.is_temporal() => Some(Value::String(other.to_cypher_string().into())),
        _ => None,
    }
}

fn strict(
    name: &str,
    expected: &str,
    args: &[Value],
    convert: fn(&Value) -> Converted,
) -> Result<Value, ExecError> {
    let value = arg(args, 0);
    convert(value).ok_or_else(|| type_error(name, expected, value))
}

fn or_null(args: &[Value], convert: fn(&Value) -> Converted) -> Value {
    convert(arg(args, 0)).unwrap_or(Value::Null)
}

/// The list forms: null for null, a `TypeError` for a non-list, each element converted or null.
fn each(name: &str, args: &[Value], convert: fn(&Value) -> Converted) -> Result<Value, ExecError> {
    match arg(args, 0) {
        Value::Null => Ok(Value::Null),
        Value::List(items) => Ok(Value::List(
            items
                .iter()
                .map(|item| convert(item).unwrap_or(Value::Null))
                .collect(),
        )),
        other => Err(type_error(name, "a list", other)),
    }
}

fn to_boolean(args: &[Value], _: &FnContext<'_>) -> Result<Value, ExecError> {
    strict("toBoolean", "a boolean, integer or string", args, boolean)
}

fn to_boolean_or_null(args: &[Value], _: &FnContext<'_>) -> Result<Value, ExecError> {
    Ok(or_null(args, boolean))
}

fn to_boolean_list(args: &[Value], _: &FnContext<'_>) -> Result<Value, ExecError> {
    each("toBooleanList", args, boolean)
}

fn to_integer(args: &[Value], _: &FnContext<'_>) -> Result<Value, ExecError> {
    strict("toInteger", "a number, boolean or string", args, integer)
}

fn to_integer_or_null(args: &[Value], _: &FnContext<'_>) -> Result<Value, ExecError> {
    Ok(or_null(args, integer))
}

fn to_integer_list(args: &[Value], _: &FnContext<'_>) -> Result<Value, ExecError> {
    each("toIntegerList", args, integer)
}

fn to_float(args: &[Value], _: &FnContext<'_>) -> Result<Value, ExecError> {
    strict("toFloat", "a number or string", args, float)
}

fn to_float_or_null(args: &[Value], _: &FnContext<'_>) -> Result<Value, ExecError> {
    Ok(or_null(args, float))
}

fn to_float_list(args: &[Value], _: &FnContext<'_>) -> Result<Value, ExecError> {
    each("toFloatList", args, float)
}

fn to_string(args: &[Value], _: &FnContext<'_>) -> Result<Value, ExecError> {
    strict(
        "toString",
        "a number, boolean, string or temporal value",
        args,
        string,
    )
}

fn to_string_or_null(args: &[Value], _: &FnContext<'_>) -> Result<Value, ExecError> {
    Ok(or_null(args, string))
}

fn to_string_list(args: &[Value], _: &FnContext<'_>) -> Result<Value, ExecError> {
    each("toStringList", args, string)
}

/// The position of a type in a normalized union (GQL's order, as Neo4j prints it).
fn type_rank(value: &Value) -> u8 {
    match value {
        Value::Null => 0,
        Value::Bool(_) => 1,
        Value::String(_) => 2,
        Value::Int(_) => 3,
        Value::Float(_) => 4,
        Value::Date(_) => 5,
        Value::LocalTime(_) => 6,
        Value::Time(_) => 7,
        Value::LocalDateTime(_) => 8,
        Value::DateTime(_) => 9,
        Value::Duration(_) => 10,
        Value::Node(_) => 11,
        Value::Relationship(_) => 12,
        Value::Map(_) => 13,
        Value::List(_) => 14,
        Value::Path(_) => 15,
    }
}

/// The type of a value, `NOT NULL` unless it is null: `INTEGER NOT NULL`,
/// `LIST<STRING NOT NULL> NOT NULL`, `LIST<NOTHING> NOT NULL` for `[]`, and for a list of mixed
/// elements the union of their types (`LIST<INTEGER NOT NULL | STRING NOT NULL> NOT NULL`),
/// where a null element makes the others nullable (`LIST<INTEGER> NOT NULL`).
fn type_of(value: &Value) -> String {
    match value {
        Value::Null => "NULL".to_owned(),
        Value::List(items) => format!("LIST<{}> NOT NULL", element_type(items)),
        other => format!("{} NOT NULL", other.type_name()),
    }
}

fn element_type(items: &[Value]) -> String {
    if items.is_empty() {
        return "NOTHING".to_owned();
    }
    let nullable = items.iter().any(Value::is_null);
    let mut types: Vec<(u8, String)> = items
        .iter()
        .filter(|item| !item.is_null())
        .map(|item| (type_rank(item), type_of(item)))
        .collect();
    if types.is_empty() {
        return "NULL".to_owned();
    }
    types.sort();
    types.dedup();
    types
        .into_iter()
        .map(|(_, name)| {
            if nullable {
                name.strip_suffix(" NOT NULL").unwrap_or(&name).to_owned()
            } else {
                name
            }
        })
        .collect::<Vec<_>>()
        .join(" | ")
}

fn value_type(args: &[Value], _: &FnContext<'_>) -> Result<Value, ExecError> {
    Ok(Value::String(type_of(arg(args, 0)).into()))
}

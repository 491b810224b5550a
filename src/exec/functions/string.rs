//! String functions: case, trimming, `replace`, `substring`, `left`, `right`, `split`,
//! `reverse` (of strings and lists), `size`, `char_length`.
//!
//! Positions and lengths count Unicode scalar values (Rust `char`s), not bytes, so no
//! function can split a character.

use super::{FunctionDef, arg, def, opt_int, opt_str, type_error};
use crate::exec::{ExecError, FnContext};
use crate::value::Value;

pub(super) static FUNCTIONS: &[FunctionDef] = &[
    def("toUpper", 1, Some(1), to_upper),
    def("upper", 1, Some(1), to_upper),
    def("toLower", 1, Some(1), to_lower),
    def("lower", 1, Some(1), to_lower),
    def("trim", 1, Some(1), trim),
    def("btrim", 1, Some(2), btrim),
    def("lTrim", 1, Some(2), ltrim),
    def("rTrim", 1, Some(2), rtrim),
    def("replace", 3, Some(3), replace),
    def("substring", 2, Some(3), substring),
    def("left", 2, Some(2), left),
    def("right", 2, Some(2), right),
    def("split", 2, Some(2), split),
    def("reverse", 1, Some(1), reverse),
    def("size", 1, Some(1), size),
    def("char_length", 1, Some(1), char_length),
    def("character_length", 1, Some(1), char_length),
];

fn map_string(
    name: &str,
    args: &[Value],
    f: impl FnOnce(&str) -> String,
) -> Result<Value, ExecError> {
    Ok(opt_str(name, arg(args, 0))?.map(f).into())
}

fn to_upper(args: &[Value], _: &FnContext<'_>) -> Result<Value, ExecError> {
    map_string("toUpper", args, str::to_uppercase)
}

fn to_lower(args: &[Value], _: &FnContext<'_>) -> Result<Value, ExecError> {
    map_string("toLower", args, str::to_lowercase)
}

fn trim(args: &[Value], _: &FnContext<'_>) -> Result<Value, ExecError> {
    map_string("trim", args, |s| s.trim().to_owned())
}

#[derive(Clone, Copy)]
enum Side {
    Both,
    Left,
    Right,
}

/// `btrim`, `lTrim`, `rTrim` with an optional string of characters to trim (whitespace when
/// absent). A null in either argument gives null.
fn trim_side(name: &str, args: &[Value], side: Side) -> Result<Value, ExecError> {
    let Some(text) = opt_str(name, arg(args, 0))? else {
        return Ok(Value::Null);
    };
    let trimmed = if args.len() > 1 {
        let Some(chars) = opt_str(name, arg(args, 1))? else {
            return Ok(Value::Null);
        };
        let strip = |c: char| chars.contains(c);
        match side {
            Side::Both => text.trim_matches(strip),
            Side::Left => text.trim_start_matches(strip),
            Side::Right => text.trim_end_matches(strip),
        }
    } else {
        match side {
            Side::Both => text.trim(),
            Side::Left => text.trim_start(),
            Side::Right => text.trim_end(),
        }
    };
    Ok(Value::String(trimmed.into()))
}

fn btrim(args: &[Value], _: &FnContext<'_>) -> Result<Value, ExecError> {
    trim_side("btrim", args, Side::Both)
}

fn ltrim(args: &[Value], _: &FnContext<'_>) -> Result<Value, ExecError> {
    trim_side("lTrim", args, Side::Left)
}

fn rtrim(args: &[Value], _: &FnContext<'_>) -> Result<Value, ExecError> {
    trim_side("rTrim", args, Side::Right)
}

/// `replace(original, search, replacement)`: every occurrence; an empty `search` inserts the
/// replacement around every character, as Java's `String.replace` does. Null if any is null.
fn replace(args: &[Value], _: &FnContext<'_>) -> Result<Value, ExecError> {
    let original = opt_str("replace", arg(args, 0))?;
    let search = opt_str("replace", arg(args, 1))?;
    let replacement = opt_str("replace", arg(args, 2))?;
    Ok(match (original, search, replacement) {
        (Some(o), Some(s), Some(r)) => Value::String(o.replace(s, r).into()),
        _ => Value::Null,
    })
}

/// A non-negative count argument as `usize`; negative is an `ArgumentError`.
fn count_arg(name: &str, what: &str, value: i64) -> Result<usize, ExecError> {
    usize::try_from(value).map_err(|_| {
        ExecError::Argument(format!("{name}() needs a non-negative {what}, got {value}"))
    })
}

/// `substring(original, start[, length])`: from the `start`th character, at most `length`
/// characters. A null original gives null; a negative start or length is an `ArgumentError`.
fn substring(args: &[Value], _: &FnContext<'_>) -> Result<Value, ExecError> {
    let original = opt_str("substring", arg(args, 0))?;
    let start = opt_int("substring", arg(args, 1))?;
    let length = if args.len() > 2 {
        match opt_int("substring", arg(args, 2))? {
            Some(length) => Some(count_arg("substring", "length", length)?),
            None => return Ok(Value::Null),
        }
    } else {
        None
    };
    let (Some(original), Some(start)) = (original, start) else {
        return Ok(Value::Null);
    };
    let start = count_arg("substring", "start", start)?;
    let chars = original.chars().skip(start);
    Ok(Value::String(
        match length {
            Some(length) => chars.take(length).collect::<String>(),
            None => chars.collect(),
        }
        .into(),
    ))
}

/// The length argument of `left`/`right`: null or negative is an `ArgumentError`.
fn side_length(name: &str, value: &Value) -> Result<usize, ExecError> {
    match opt_int(name, value)? {
        Some(n) => count_arg(name, "length", n),
        None => Err(ExecError::Argument(format!(
            "{name}() needs a length, got null"
        ))),
    }
}

fn left(args: &[Value], _: &FnContext<'_>) -> Result<Value, ExecError> {
    let original = opt_str("left", arg(args, 0))?;
    let n = side_length("left", arg(args, 1))?;
    Ok(original
        .map(|s| s.chars().take(n).collect::<String>())
        .into())
}

fn right(args: &[Value], _: &FnContext<'_>) -> Result<Value, ExecError> {
    let original = opt_str("right", arg(args, 0))?;
    let n = side_length("right", arg(args, 1))?;
    Ok(original
        .map(|s| {
            let total = s.chars().count();
            s.chars().skip(total.saturating_sub(n)).collect::<String>()
        })
        .into())
}

/// `split(original, delimiter)`: the delimiter is a string or a list of strings (any of which
/// splits); an empty delimiter splits into characters. Empty pieces are kept.
fn split(args: &[Value], _: &FnContext<'_>) -> Result<Value, ExecError> {
    let original = opt_str("split", arg(args, 0))?;
    let delimiters: Option<Vec<&str>> = match arg(args, 1) {
        Value::Null => None,
        Value::String(d) => Some(vec![&**d]),
        Value::List(items) => {
            let mut delimiters = Vec::with_capacity(items.len());
            for item in items {
                match item {
                    Value::String(d) => delimiters.push(&**d),
                    Value::Null => return Ok(Value::Null),
                    other => return Err(type_error("split", "string delimiters", other)),
                }
            }
            Some(delimiters)
        }
        other => return Err(type_error("split", "a string or list of strings", other)),
    };
    let (Some(original), Some(delimiters)) = (original, delimiters) else {
        return Ok(Value::Null);
    };
    Ok(Value::List(
        split_any(original, &delimiters)
            .into_iter()
            .map(|piece| Value::String(piece.into()))
            .collect(),
    ))
}

/// Splits at every occurrence of any delimiter (the longest one where several match at the same
/// place). Only empty delimiters: one piece per character.
fn split_any<'a>(text: &'a str, delimiters: &[&str]) -> Vec<&'a str> {
    let non_empty: Vec<&str> = delimiters
        .iter()
        .copied()
        .filter(|d| !d.is_empty())
        .collect();
    if non_empty.is_empty() {
        if delimiters.is_empty() {
            return vec![text];
        }
        return text
            .char_indices()
            .map(|(i, c)| &text[i..i + c.len_utf8()])
            .collect();
    }
    let mut pieces = Vec::new();
    let mut piece_start = 0;
    let mut at = 0;
    while at < text.len() {
        let rest = &text[at..];
        let matched = non_empty
            .iter()
            .filter(|d| rest.starts_with(**d))
            .map(|d| d.len())
            .max();
        if let Some(len) = matched {
            pieces.push(&text[piece_start..at]);
            at += len;
            piece_start = at;
        } else {
            at += rest.chars().next().map_or(1, char::len_utf8);
        }
    }
    pieces.push(&text[piece_start..]);
    pieces
}

/// `reverse(string)` by characters, `reverse(list)` by elements.
fn reverse(args: &[Value], _: &FnContext<'_>) -> Result<Value, ExecError> {
    match arg(args, 0) {
        Value::Null => Ok(Value::Null),
        Value::String(s) => Ok(Value::String(s.chars().rev().collect::<String>().into())),
        Value::List(items) => Ok(Value::List(items.iter().rev().cloned().collect())),
        other => Err(type_error("reverse", "a string or list", other)),
    }
}

/// `size(list)` in elements, `size(string)` in characters.
fn size(args: &[Value], _: &FnContext<'_>) -> Result<Value, ExecError> {
    match arg(args, 0) {
        Value::Null => Ok(Value::Null),
        Value::String(s) => Ok(Value::Int(count(s.chars().count()))),
        Value::List(items) => Ok(Value::Int(count(items.len()))),
        other => Err(type_error("size", "a string or list", other)),
    }
}

fn char_length(args: &[Value], _: &FnContext<'_>) -> Result<Value, ExecError> {
    Ok(opt_str("char_length", arg(args, 0))?
        .map(|s| Value::Int(count(s.chars().count())))
        .unwrap_or(Value::Null))
}

/// A length as an integer value (lengths never reach `i64::MAX` in memory).
pub(super) fn count(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

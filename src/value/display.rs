//! `Display` for values in the openCypher TCK's result format: `'text'` with escapes, `[1, 2]`,
//! `{k: 'v'}`, `(:A:B {k: 1})`, `[:T {k: 1}]`, `<(:A)-[:T]->(:B)>`, floats as the TCK writes
//! them (`1.0`, `0.00001`, `1e-305`, `NaN`, `Infinity`), temporals as their ISO string in quotes.
//!
//! `Value::to_cypher_string` is `toString()`: strings and temporals without quotes.

use std::fmt::{self, Write};

use super::{Map, Node, Path, Relationship, Value};

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Null => f.write_str("null"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Int(i) => write!(f, "{i}"),
            Value::Float(x) => f.write_str(&format_float(*x)),
            Value::String(s) => write_quoted(f, s),
            Value::Date(d) => write!(f, "'{d}'"),
            Value::LocalTime(t) => write!(f, "'{t}'"),
            Value::Time(t) => write!(f, "'{t}'"),
            Value::LocalDateTime(dt) => write!(f, "'{dt}'"),
            Value::DateTime(dt) => write!(f, "'{dt}'"),
            Value::Duration(d) => write!(f, "'{d}'"),
            Value::List(items) => {
                f.write_char('[')?;
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{item}")?;
                }
                f.write_char(']')
            }
            Value::Map(map) => write_map(f, map),
            Value::Node(node) => write_node(f, node),
            Value::Relationship(rel) => write_rel(f, rel),
            Value::Path(path) => write_path(f, path),
        }
    }
}

impl Value {
    /// `toString(value)`: strings as they are, numbers and booleans as printed, temporals as
    /// their ISO 8601 form; other values as `Display` prints them.
    #[must_use]
    pub fn to_cypher_string(&self) -> String {
        match self {
            Value::String(s) => s.to_string(),
            Value::Date(d) => d.to_string(),
            Value::LocalTime(t) => t.to_string(),
            Value::Time(t) => t.to_string(),
            Value::LocalDateTime(dt) => dt.to_string(),
            Value::DateTime(dt) => dt.to_string(),
            Value::Duration(d) => d.to_string(),
            other => other.to_string(),
        }
    }
}

/// A float as the openCypher TCK prints it: the shortest digits that read back to the same
/// float, in decimal when the magnitude is between 1e-7 and 1e21 (`1.0`, `0.00001`,
/// `1000000000.0`), else in scientific notation (`1e-305`, `1.2635418652381264e305`); and `NaN`,
/// `Infinity`, `-Infinity`. Every form reads back as a Cypher float literal.
#[must_use]
pub fn format_float(x: f64) -> String {
    if x.is_nan() {
        return "NaN".to_owned();
    }
    if x.is_infinite() {
        return if x > 0.0 { "Infinity" } else { "-Infinity" }.to_owned();
    }
    let abs = x.abs();
    if abs == 0.0 || (1e-7..1e21).contains(&abs) {
        let text = format!("{x}");
        return if text.contains('.') {
            text
        } else {
            format!("{text}.0")
        };
    }
    // Rust's `{:e}` gives the shortest round-trip digits as `1.5e-10`.
    format!("{x:e}")
}

/// A string literal in single quotes, escaping quotes, backslashes and control characters.
fn write_quoted(f: &mut fmt::Formatter<'_>, s: &str) -> fmt::Result {
    f.write_char('\'')?;
    for c in s.chars() {
        match c {
            '\'' => f.write_str("\\'")?,
            '\\' => f.write_str("\\\\")?,
            '\n' => f.write_str("\\n")?,
            '\r' => f.write_str("\\r")?,
            '\t' => f.write_str("\\t")?,
            c if c.is_control() => write!(f, "\\u{:04X}", u32::from(c))?,
            c => f.write_char(c)?,
        }
    }
    f.write_char('\'')
}

fn write_map(f: &mut fmt::Formatter<'_>, map: &Map) -> fmt::Result {
    f.write_char('{')?;
    for (i, (key, value)) in map.iter().enumerate() {
        if i > 0 {
            f.write_str(", ")?;
        }
        write_key(f, key)?;
        write!(f, ": {value}")?;
    }
    f.write_char('}')
}

/// A map key, label or type: bare when it is a plain identifier, else in backticks.
fn write_key(f: &mut fmt::Formatter<'_>, key: &str) -> fmt::Result {
    let plain = key
        .chars()
        .next()
        .is_some_and(|c| c.is_alphabetic() || c == '_')
        && key.chars().all(|c| c.is_alphanumeric() || c == '_');
    if plain {
        f.write_str(key)
    } else {
        write!(f, "`{}`", key.replace('`', "``"))
    }
}

fn write_properties(f: &mut fmt::Formatter<'_>, properties: &Map) -> fmt::Result {
    if !properties.is_empty() {
        f.write_char(' ')?;
        write_map(f, properties)?;
    }
    Ok(())
}

fn write_node(f: &mut fmt::Formatter<'_>, node: &Node) -> fmt::Result {
    f.write_char('(')?;
    for label in &node.labels {
        f.write_char(':')?;
        write_key(f, label)?;
    }
    if !node.labels.is_empty() || !node.properties.is_empty() {
        // `(:A {k: 1})` and `({k: 1})`: the TCK puts the space only between labels and map.
        if node.labels.is_empty() {
            write_map(f, &node.properties)?;
        } else {
            write_properties(f, &node.properties)?;
        }
    }
    f.write_char(')')
}

fn write_rel(f: &mut fmt::Formatter<'_>, rel: &Relationship) -> fmt::Result {
    f.write_str("[:")?;
    write_key(f, &rel.rel_type)?;
    write_properties(f, &rel.properties)?;
    f.write_char(']')
}

/// `<(:A)-[:T]->(:B)<-[:U]-(:C)>`: each relationship's arrow points from its start node.
fn write_path(f: &mut fmt::Formatter<'_>, path: &Path) -> fmt::Result {
    f.write_char('<')?;
    for (i, node) in path.nodes.iter().enumerate() {
        write_node(f, node)?;
        if let Some(rel) = path.relationships.get(i) {
            if rel.start == node.id {
                f.write_char('-')?;
                write_rel(f, rel)?;
                f.write_str("->")?;
            } else {
                f.write_str("<-")?;
                write_rel(f, rel)?;
                f.write_char('-')?;
            }
        }
    }
    f.write_char('>')
}

//! A Cypher script that recreates the graph: one statement per line, each ending in `;`.
//! Nodes are created in batches (`UNWIND [{i: .., p: {..}}, ..] AS row CREATE (n:Label ..)
//! SET n += row.p`) carrying a temporary export id under a temporary label with an index, so
//! that relationships find their ends by index seek; the temporary label, property and index
//! are removed at the end. Values are literals: temporals as `date('..')` and the like, the
//! non-finite floats as `0.0 / 0.0` and `1.0 / 0.0`. Apart from the index statements (in the
//! `CREATE INDEX .. FOR .. ON` form Cordial and Neo4j share), only openCypher is used.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use super::{ExportError, Selection, Ticker, io_error, read_node, read_rel};
use crate::db::ReadTxn;
use crate::storage::GraphRead;
use crate::value::Value;

const BATCH: usize = 500;
const TEMP_LABEL: &str = "_CordialExport";
const TEMP_KEY: &str = "_cordial_eid";
const TEMP_INDEX: &str = "cordial_export_eid";

/// A name in backquotes, which any label, type or key may be.
#[must_use]
pub fn quote_name(name: &str) -> String {
    format!("`{}`", name.replace('`', "``"))
}

fn string_literal(text: &str, out: &mut String) {
    out.push('\'');
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('\'');
}

/// A value as a Cypher expression that evaluates to it.
pub fn literal(value: &Value, out: &mut String) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        // The lexer reads `-9223372036854775808` as negating a literal too large for an integer.
        Value::Int(i64::MIN) => out.push_str("(-9223372036854775807 - 1)"),
        Value::Int(i) => {
            let _ = write!(out, "{i}");
        }
        Value::Float(f) if f.is_nan() => out.push_str("(0.0 / 0.0)"),
        Value::Float(f) if f.is_infinite() => {
            out.push_str(if *f > 0.0 {
                "(1.0 / 0.0)"
            } else {
                "(-1.0 / 0.0)"
            });
        }
        // Debug always prints a fraction or an exponent, so the literal stays a float.
        Value::Float(f) => {
            let _ = write!(out, "{f:?}");
        }
        Value::String(s) => string_literal(s, out),
        Value::Date(d) => temporal("date", &d.to_string(), out),
        Value::LocalTime(t) => temporal("localtime", &t.to_string(), out),
        Value::Time(t) => temporal("time", &t.to_string(), out),
        Value::LocalDateTime(t) => temporal("localdatetime", &t.to_string(), out),
        Value::DateTime(t) => temporal("datetime", &t.to_string(), out),
        Value::Duration(d) => temporal("duration", &d.to_string(), out),
        Value::List(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                literal(item, out);
            }
            out.push(']');
        }
        Value::Map(map) => {
            let entries: Vec<_> = map.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
            map_literal(&entries, out);
        }
        // Graph elements are never property values; a reference is the best a literal can do.
        Value::Node(n) => {
            let _ = write!(out, "{}", n.id.0);
        }
        Value::Relationship(r) => {
            let _ = write!(out, "{}", r.id.0);
        }
        Value::Path(_) => out.push_str("null"),
    }
}

fn temporal(function: &str, text: &str, out: &mut String) {
    out.push_str(function);
    out.push('(');
    string_literal(text, out);
    out.push(')');
}

fn map_literal(entries: &[(&str, Value)], out: &mut String) {
    out.push('{');
    for (i, (key, value)) in entries.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        out.push_str(&quote_name(key));
        out.push_str(": ");
        literal(value, out);
    }
    out.push('}');
}

/// Rows waiting to become one UNWIND statement, per label set or relationship type.
struct Batches {
    pending: HashMap<String, Vec<String>>,
    order: Vec<String>,
}

impl Batches {
    fn new() -> Self {
        Batches {
            pending: HashMap::new(),
            order: Vec::new(),
        }
    }

    /// Adds a row; returns the full batch when it reached `BATCH` rows.
    fn push(&mut self, head: &str, row: String) -> Option<Vec<String>> {
        let rows = match self.pending.get_mut(head) {
            Some(rows) => rows,
            None => {
                self.order.push(head.to_owned());
                self.pending.entry(head.to_owned()).or_default()
            }
        };
        rows.push(row);
        (rows.len() >= BATCH).then(|| std::mem::take(rows))
    }

    fn drain(&mut self) -> Vec<(String, Vec<String>)> {
        self.order
            .drain(..)
            .filter_map(|head| {
                let rows = self.pending.remove(&head)?;
                (!rows.is_empty()).then_some((head, rows))
            })
            .collect()
    }
}

struct Script<'p> {
    out: BufWriter<File>,
    path: &'p Path,
}

impl Script<'_> {
    fn line(&mut self, text: &str) -> Result<(), ExportError> {
        self.out
            .write_all(text.as_bytes())
            .and_then(|()| self.out.write_all(b"\n"))
            .map_err(io_error(self.path))
    }

    /// `UNWIND [rows] AS row <body>;`
    fn unwind(&mut self, rows: &[String], body: &str) -> Result<(), ExportError> {
        let mut text = String::from("UNWIND [");
        text.push_str(&rows.join(", "));
        text.push_str("] AS row ");
        text.push_str(body);
        text.push(';');
        self.line(&text)
    }
}

fn node_body(labels: &str) -> String {
    format!("CREATE (n{labels}:{TEMP_LABEL} {{{TEMP_KEY}: row.i}}) SET n += row.p")
}

fn rel_body(rel_type: &str) -> String {
    format!(
        "MATCH (a:{TEMP_LABEL} {{{TEMP_KEY}: row.s}}), (b:{TEMP_LABEL} {{{TEMP_KEY}: row.e}}) \
         CREATE (a)-[r:{}]->(b) SET r += row.p",
        quote_name(rel_type)
    )
}

pub(super) fn write(
    snapshot: &ReadTxn,
    selection: &Selection,
    dir: &Path,
    ticker: &mut Ticker<'_>,
) -> Result<Vec<PathBuf>, ExportError> {
    let relative = PathBuf::from("graph.cypher");
    let path = dir.join(&relative);
    let file = File::create(&path).map_err(io_error(&path))?;
    let mut script = Script {
        out: BufWriter::with_capacity(1 << 20, file),
        path: &path,
    };
    script.line(&format!(
        "// Written by cordial {}: {} nodes, {} relationships. One statement per line.",
        env!("CARGO_PKG_VERSION"),
        selection.nodes.len(),
        selection.rels.len()
    ))?;
    script.line(&format!(
        "CREATE INDEX {TEMP_INDEX} IF NOT EXISTS FOR (n:{TEMP_LABEL}) ON (n.{TEMP_KEY});"
    ))?;
    let mut batches = Batches::new();
    for &id in &selection.nodes {
        let node = read_node(snapshot, id)?;
        let labels: String = node
            .labels
            .iter()
            .map(|l| format!(":{}", quote_name(l)))
            .collect();
        let mut row = format!("{{i: {}, p: ", node.id.0);
        map_literal(&node.props, &mut row);
        row.push('}');
        if let Some(rows) = batches.push(&labels, row) {
            script.unwind(&rows, &node_body(&labels))?;
        }
        ticker.tick();
    }
    for (labels, rows) in batches.drain() {
        script.unwind(&rows, &node_body(&labels))?;
    }
    for &id in &selection.rels {
        let rel = read_rel(snapshot, id)?;
        let mut row = format!("{{s: {}, e: {}, p: ", rel.start.0, rel.end.0);
        map_literal(&rel.props, &mut row);
        row.push('}');
        if let Some(rows) = batches.push(rel.rel_type, row) {
            script.unwind(&rows, &rel_body(rel.rel_type))?;
        }
        ticker.tick();
    }
    for (rel_type, rows) in batches.drain() {
        script.unwind(&rows, &rel_body(&rel_type))?;
    }
    script.line(&format!(
        "MATCH (n:{TEMP_LABEL}) REMOVE n:{TEMP_LABEL}, n.{TEMP_KEY};"
    ))?;
    script.line(&format!("DROP INDEX {TEMP_INDEX};"))?;
    if selection.whole {
        for index in snapshot.indexes().iter().filter(|i| !i.implicit) {
            script.line(&format!(
                "CREATE INDEX {} IF NOT EXISTS FOR (n:{}) ON (n.{});",
                quote_name(&index.name),
                quote_name(&index.label),
                quote_name(&index.key)
            ))?;
        }
        for constraint in snapshot.constraints() {
            script.line(&format!(
                "CREATE CONSTRAINT {} IF NOT EXISTS FOR (n:{}) REQUIRE n.{} IS {};",
                quote_name(&constraint.name),
                quote_name(&constraint.label),
                quote_name(&constraint.key),
                constraint.kind.name()
            ))?;
        }
    }
    script
        .out
        .into_inner()
        .map_err(|e| io_error(&path)(e.into_error()))?
        .sync_all()
        .map_err(io_error(&path))?;
    Ok(vec![relative])
}

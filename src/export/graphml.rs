//! GraphML: `<key>` declarations for every property (with its type: `long`, `double`,
//! `boolean`, or `string` for text, temporals, lists and keys whose values differ in type),
//! then the nodes (`labels=":A:B"`, as Neo4j writes them) and the directed edges
//! (`label="TYPE"`). Characters XML 1.0 cannot hold (most control characters) become U+FFFD.
//!
//! The key types are known only once every element is read, so the elements are written to a
//! scratch file first and copied after the declarations.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use super::{ExportError, Selection, Ticker, io_error, read_node, read_rel};
use crate::db::ReadTxn;
use crate::value::Value;

/// Escapes text for an attribute value or element content.
fn escape(text: &str, out: &mut String) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => {
                out.push_str("&#");
                out.push_str(&u32::from(c).to_string());
                out.push(';');
            }
            c if u32::from(c) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => {
                out.push('\u{fffd}');
            }
            c => out.push(c),
        }
    }
}

fn attr_type(value: &Value) -> &'static str {
    match value {
        Value::Int(_) => "long",
        Value::Float(_) => "double",
        Value::Bool(_) => "boolean",
        _ => "string",
    }
}

fn text(value: &Value) -> String {
    match value {
        Value::Float(f) if f.is_nan() => "NaN".to_owned(),
        Value::Float(f) if f.is_infinite() => if *f > 0.0 { "INF" } else { "-INF" }.to_owned(),
        Value::Float(f) => format!("{f:?}"),
        other => super::plain_text(other),
    }
}

/// Key name -> declared type, for nodes or for edges; a key met with two types is a string.
#[derive(Default)]
struct Keys(BTreeMap<String, &'static str>);

impl Keys {
    fn see(&mut self, key: &str, value: &Value) {
        let found = attr_type(value);
        match self.0.get_mut(key) {
            Some(kind) if *kind != found => *kind = "string",
            Some(_) => {}
            None => {
                self.0.insert(key.to_owned(), found);
            }
        }
    }
}

fn data(out: &mut String, prefix: &str, key: &str, value: &str) {
    out.push_str("      <data key=\"");
    escape(prefix, out);
    escape(key, out);
    out.push_str("\">");
    escape(value, out);
    out.push_str("</data>\n");
}

pub(super) fn write(
    snapshot: &ReadTxn,
    selection: &Selection,
    dir: &Path,
    ticker: &mut Ticker<'_>,
) -> Result<Vec<PathBuf>, ExportError> {
    let relative = PathBuf::from("graph.graphml");
    let path = dir.join(&relative);
    let scratch = dir.join(".graph.graphml.elements");
    let file = File::create(&scratch).map_err(io_error(&scratch))?;
    let mut body = BufWriter::with_capacity(1 << 20, file);
    let (mut node_keys, mut edge_keys) = (Keys::default(), Keys::default());
    let mut buf = String::new();
    for &id in &selection.nodes {
        let node = read_node(snapshot, id)?;
        buf.clear();
        let labels: String = node.labels.iter().map(|l| format!(":{l}")).collect();
        buf.push_str(&format!("    <node id=\"n{}\" labels=\"", node.id.0));
        escape(&labels, &mut buf);
        buf.push_str("\">\n");
        data(&mut buf, "", "labels", &labels);
        for (key, value) in &node.props {
            node_keys.see(key, value);
            data(&mut buf, "n_", key, &text(value));
        }
        buf.push_str("    </node>\n");
        body.write_all(buf.as_bytes()).map_err(io_error(&scratch))?;
        ticker.tick();
    }
    for &id in &selection.rels {
        let rel = read_rel(snapshot, id)?;
        buf.clear();
        buf.push_str(&format!(
            "    <edge id=\"e{}\" source=\"n{}\" target=\"n{}\" label=\"",
            rel.id.0, rel.start.0, rel.end.0
        ));
        escape(rel.rel_type, &mut buf);
        buf.push_str("\">\n");
        data(&mut buf, "", "label", rel.rel_type);
        for (key, value) in &rel.props {
            edge_keys.see(key, value);
            data(&mut buf, "e_", key, &text(value));
        }
        buf.push_str("    </edge>\n");
        body.write_all(buf.as_bytes()).map_err(io_error(&scratch))?;
        ticker.tick();
    }
    body.flush().map_err(io_error(&scratch))?;
    drop(body);

    let file = File::create(&path).map_err(io_error(&path))?;
    let mut out = BufWriter::with_capacity(1 << 20, file);
    let mut head = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\" \
         xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" \
         xsi:schemaLocation=\"http://graphml.graphdrawing.org/xmlns \
         http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd\">\n\
         \x20 <key id=\"labels\" for=\"node\" attr.name=\"labels\" attr.type=\"string\"/>\n\
         \x20 <key id=\"label\" for=\"edge\" attr.name=\"label\" attr.type=\"string\"/>\n",
    );
    for (keys, target, prefix) in [(&node_keys, "node", "n_"), (&edge_keys, "edge", "e_")] {
        for (key, kind) in &keys.0 {
            head.push_str("  <key id=\"");
            escape(prefix, &mut head);
            escape(key, &mut head);
            head.push_str(&format!("\" for=\"{target}\" attr.name=\""));
            escape(key, &mut head);
            head.push_str(&format!("\" attr.type=\"{kind}\"/>\n"));
        }
    }
    head.push_str("  <graph id=\"G\" edgedefault=\"directed\">\n");
    out.write_all(head.as_bytes()).map_err(io_error(&path))?;
    let mut elements = File::open(&scratch).map_err(io_error(&scratch))?;
    std::io::copy(&mut elements, &mut out).map_err(io_error(&path))?;
    out.write_all(b"  </graph>\n</graphml>\n")
        .map_err(io_error(&path))?;
    out.into_inner()
        .map_err(|e| io_error(&path)(e.into_error()))?
        .sync_all()
        .map_err(io_error(&path))?;
    std::fs::remove_file(&scratch).map_err(io_error(&scratch))?;
    Ok(vec![relative])
}

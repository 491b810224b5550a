//! Graphviz DOT output: one statement per node (caption as label, label colour as fill) and per
//! relationship (type as label). Strings are quoted with `"` and `\` escaped, so any caption
//! is a valid ID.

use std::collections::HashMap;
use std::fmt::Write;

use super::{Subgraph, caption, colour};

/// A DOT quoted string.
fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Renders the subgraph as a DOT digraph; nodes are `n<id>`.
#[must_use]
pub fn render(sub: &Subgraph) -> String {
    let colour_of: HashMap<String, &str> = sub
        .labels()
        .into_iter()
        .enumerate()
        .map(|(i, l)| (l, colour(i)))
        .collect();
    let mut out = String::from(
        "digraph cordial {\n  node [shape=ellipse, style=filled, fontname=\"Helvetica\"];\n  edge [fontname=\"Helvetica\", fontsize=10];\n",
    );
    for node in &sub.nodes {
        let fill = node
            .labels
            .first()
            .and_then(|l| colour_of.get(l).copied())
            .unwrap_or("#BBBBBB");
        let _ = writeln!(
            out,
            "  n{} [label={}, fillcolor={}, tooltip={}];",
            node.id.0,
            quote(&caption(node)),
            quote(fill),
            quote(&node.labels.join(":"))
        );
    }
    for rel in &sub.relationships {
        let _ = writeln!(
            out,
            "  n{} -> n{} [label={}];",
            rel.start.0,
            rel.end.0,
            quote(&rel.rel_type)
        );
    }
    out.push_str("}\n");
    out
}

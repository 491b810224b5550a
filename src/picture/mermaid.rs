//! Mermaid flowchart output: nodes `n<id>["caption"]`, relationships `a -->|"TYPE"| b`, and one
//! class per label carrying its colour. Quotes and characters Mermaid treats specially inside
//! labels are written as entity codes (`#quot;`).

use std::fmt::Write;

use super::{Subgraph, caption, colour};

/// Text for a quoted Mermaid label.
fn label(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '"' => out.push_str("#quot;"),
            '#' => out.push_str("#35;"),
            '<' => out.push_str("#lt;"),
            '>' => out.push_str("#gt;"),
            '\n' | '\r' | '\t' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Renders the subgraph as a Mermaid flowchart, left to right.
#[must_use]
pub fn render(sub: &Subgraph) -> String {
    let mut out = String::from("flowchart LR\n");
    for node in &sub.nodes {
        let _ = writeln!(out, "  n{}[\"{}\"]", node.id.0, label(&caption(node)));
    }
    for rel in &sub.relationships {
        let _ = writeln!(
            out,
            "  n{} -->|\"{}\"| n{}",
            rel.start.0,
            label(&rel.rel_type),
            rel.end.0
        );
    }
    for (i, name) in sub.labels().iter().enumerate() {
        let members: Vec<String> = sub
            .nodes
            .iter()
            .filter(|n| n.labels.first() == Some(name))
            .map(|n| format!("n{}", n.id.0))
            .collect();
        let _ = writeln!(out, "  classDef label{i} fill:{},stroke:#333", colour(i));
        let _ = writeln!(out, "  class {} label{i}", members.join(","));
    }
    out
}

//! Pictures of query results: the nodes, relationships and paths a `QueryResult` holds, drawn
//! as SVG (laid out and rendered here, no external program), Graphviz DOT or Mermaid. It does
//! not run queries or know the CLI; it reads the graph only to fetch the endpoints of
//! relationships returned without their nodes.
//!
//! `collect` gathers the subgraph (each node and relationship once, in order of first
//! appearance, so output is deterministic); `layout` places it with a seeded force-directed
//! layout; `svg`, `dot` and `mermaid` print it. Colours come from a fixed palette, one per
//! label in order of first appearance; captions are `name`, else `title`, else `id`, else the
//! first label.

pub mod dot;
pub mod layout;
pub mod mermaid;
pub mod svg;

use std::collections::{HashMap, HashSet};

use crate::db::{GraphReadExt, QueryResult};
use crate::error::Result;
use crate::storage::GraphRead;
use crate::value::{Node, NodeId, RelId, Relationship, Value};

/// An output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PictureFormat {
    Svg,
    Dot,
    Mermaid,
}

impl PictureFormat {
    /// `svg`, `dot` or `mermaid` (case-insensitive).
    #[must_use]
    pub fn parse(name: &str) -> Option<PictureFormat> {
        match name.to_ascii_lowercase().as_str() {
            "svg" => Some(PictureFormat::Svg),
            "dot" | "gv" | "graphviz" => Some(PictureFormat::Dot),
            "mermaid" | "mmd" => Some(PictureFormat::Mermaid),
            _ => None,
        }
    }
}

/// The nodes and relationships to draw, each once, in order of first appearance.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Subgraph {
    pub nodes: Vec<Node>,
    pub relationships: Vec<Relationship>,
}

impl Subgraph {
    fn add_node(&mut self, node: &Node, seen: &mut HashMap<NodeId, usize>) {
        if let std::collections::hash_map::Entry::Vacant(e) = seen.entry(node.id) {
            e.insert(self.nodes.len());
            self.nodes.push(node.clone());
        }
    }

    /// The position of each node in `nodes`, by id.
    #[must_use]
    pub fn index(&self) -> HashMap<NodeId, usize> {
        self.nodes
            .iter()
            .enumerate()
            .map(|(i, n)| (n.id, i))
            .collect()
    }

    /// The distinct labels, in order of first appearance (first labels first).
    #[must_use]
    pub fn labels(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for n in &self.nodes {
            if let Some(l) = n.labels.first()
                && !out.contains(l)
            {
                out.push(l.clone());
            }
        }
        out
    }
}

/// Gathers the nodes and relationships in a result's rows (inside lists, maps and paths too),
/// and fetches from `graph` the endpoints of relationships whose nodes were not returned.
pub fn collect(result: &QueryResult, graph: &dyn GraphRead) -> Result<Subgraph> {
    let mut sub = Subgraph::default();
    let mut nodes = HashMap::new();
    let mut rels: HashSet<RelId> = HashSet::new();
    // Depth first, in reading order: the items of a list or map are pushed reversed so that
    // the first is popped first.
    let mut pending: Vec<&Value> = Vec::new();
    for v in result.rows.iter().flat_map(|r| r.values()) {
        pending.push(v);
        while let Some(value) = pending.pop() {
            match value {
                Value::Node(n) => sub.add_node(n, &mut nodes),
                Value::Relationship(r) if rels.insert(r.id) => {
                    sub.relationships.push((**r).clone());
                }
                Value::Path(p) => {
                    for n in &p.nodes {
                        sub.add_node(n, &mut nodes);
                    }
                    for r in &p.relationships {
                        if rels.insert(r.id) {
                            sub.relationships.push(r.clone());
                        }
                    }
                }
                Value::List(items) => pending.extend(items.iter().rev()),
                Value::Map(map) => pending.extend(map.values().rev()),
                _ => {}
            }
        }
    }
    let missing: Vec<NodeId> = sub
        .relationships
        .iter()
        .flat_map(|r| [r.start, r.end])
        .filter(|id| !nodes.contains_key(id))
        .collect();
    for id in missing {
        if nodes.contains_key(&id) {
            continue;
        }
        if let Some(node) = graph.node(id)? {
            sub.add_node(&node, &mut nodes);
        }
    }
    // A relationship whose endpoint no longer exists (deleted by the query) cannot be drawn.
    sub.relationships
        .retain(|r| nodes.contains_key(&r.start) && nodes.contains_key(&r.end));
    Ok(sub)
}

/// Draws the nodes and relationships of `result` in `format`.
pub fn render(
    result: &QueryResult,
    graph: &dyn GraphRead,
    format: PictureFormat,
) -> Result<String> {
    Ok(render_subgraph(&collect(result, graph)?, format))
}

/// Draws a subgraph in `format`.
#[must_use]
pub fn render_subgraph(sub: &Subgraph, format: PictureFormat) -> String {
    match format {
        PictureFormat::Svg => svg::render(sub),
        PictureFormat::Dot => dot::render(sub),
        PictureFormat::Mermaid => mermaid::render(sub),
    }
}

/// Fill colours for labels, in order of first appearance; repeats after the last.
pub const PALETTE: [&str; 12] = [
    "#4C8EDA", "#F79767", "#57C7E3", "#8DCC93", "#F16667", "#D9C8AE", "#C990C0", "#FFC454",
    "#DA7194", "#569480", "#848484", "#ECB5C9",
];

/// The colour of the `i`th label.
#[must_use]
pub fn colour(i: usize) -> &'static str {
    PALETTE[i % PALETTE.len()]
}

/// The text a node is drawn with: `name`, else `title`, else `subject` (tickets, interactions),
/// else `id`, else its first label, else
/// its id number.
#[must_use]
pub fn caption(node: &Node) -> String {
    for key in ["name", "title", "subject", "id"] {
        match node.properties.get(key) {
            Some(Value::String(s)) if !s.is_empty() => return s.to_string(),
            Some(v) if !matches!(v, Value::Null | Value::String(_)) => return v.to_string(),
            _ => {}
        }
    }
    node.labels
        .first()
        .cloned()
        .unwrap_or_else(|| format!("#{}", node.id.0))
}

/// `text` cut to at most `max` characters, with an ellipsis when cut.
#[must_use]
pub fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut out: String = text.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

//! Projections: the part of the stored graph an algorithm runs on, as a petgraph `DiGraph`
//! whose node weights are store ids and whose edge weights are the one property asked for (or
//! 1.0). Only ids, types and that property are read: no other property is copied. Also the
//! configuration map every `algo.*` procedure takes. Knows nothing of any one algorithm.

use std::collections::HashMap;

use petgraph::graph::{DiGraph, NodeIndex, UnGraph};

use crate::procedure::{ProcedureError, map_argument};
use crate::storage::{Direction, GraphRead};
use crate::value::{Map, NodeId, RelId, Value};

/// Which way the projection's relationships are followed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Orientation {
    /// As stored, start to end.
    Natural,
    /// End to start.
    Reverse,
    /// Both ways.
    Undirected,
}

/// The configuration map of an `algo.*` call, checked against the keys the procedure knows.
pub struct Config {
    procedure: &'static str,
    map: Map,
}

/// The projection keys every procedure accepts.
const PROJECTION_KEYS: &[&str] = &["nodes", "relationships", "weightProperty", "direction"];

impl Config {
    /// Reads the map at `args[index]` (absent or null: defaults); unknown keys are an error
    /// naming the keys the procedure accepts.
    pub fn parse(
        procedure: &'static str,
        args: &[Value],
        index: usize,
        known: &[&str],
    ) -> Result<Self, ProcedureError> {
        let mut accepted: Vec<&str> = PROJECTION_KEYS.to_vec();
        accepted.extend_from_slice(known);
        let map = map_argument(procedure, args, index, &accepted, "configuration")?;
        Ok(Config { procedure, map })
    }

    fn names(&self, key: &str) -> Result<Vec<String>, ProcedureError> {
        match self.map.get(key) {
            None | Some(Value::Null) => Ok(Vec::new()),
            Some(Value::String(s)) => Ok(vec![s.to_string()]),
            Some(Value::List(items)) => items
                .iter()
                .map(|i| match i {
                    Value::String(s) => Ok(s.to_string()),
                    other => Err(self.type_error(key, "a list of strings", other)),
                })
                .collect(),
            Some(other) => Err(self.type_error(key, "a list of strings", other)),
        }
    }

    fn type_error(&self, key: &str, expected: &str, found: &Value) -> ProcedureError {
        ProcedureError::Type(format!(
            "{}() configuration '{key}' must be {expected}, found {}",
            self.procedure,
            found.type_name()
        ))
    }

    /// A float setting within `range`, or `default`.
    pub fn float(
        &self,
        key: &str,
        default: f64,
        range: std::ops::RangeInclusive<f64>,
    ) -> Result<f64, ProcedureError> {
        let x = match self.map.get(key) {
            None | Some(Value::Null) => return Ok(default),
            Some(Value::Int(i)) => *i as f64,
            Some(Value::Float(f)) => *f,
            Some(other) => return Err(self.type_error(key, "a number", other)),
        };
        if !range.contains(&x) {
            return Err(ProcedureError::Argument(format!(
                "{}() configuration '{key}' must be between {} and {}, found {x}",
                self.procedure,
                range.start(),
                range.end()
            )));
        }
        Ok(x)
    }

    /// A positive integer setting, or `default`.
    pub fn count(&self, key: &str, default: usize) -> Result<usize, ProcedureError> {
        match self.map.get(key) {
            None | Some(Value::Null) => Ok(default),
            Some(Value::Int(i)) if *i > 0 => Ok(usize::try_from(*i).unwrap_or(usize::MAX)),
            Some(Value::Int(i)) => Err(ProcedureError::Argument(format!(
                "{}() configuration '{key}' must be positive, found {i}",
                self.procedure
            ))),
            Some(other) => Err(self.type_error(key, "an integer", other)),
        }
    }

    /// The `direction` setting: 'NATURAL', 'REVERSE' or 'UNDIRECTED' (any case).
    pub fn orientation(&self, default: Orientation) -> Result<Orientation, ProcedureError> {
        match self.map.get("direction") {
            None | Some(Value::Null) => Ok(default),
            Some(Value::String(s)) => match s.to_ascii_lowercase().as_str() {
                "natural" | "outgoing" => Ok(Orientation::Natural),
                "reverse" | "incoming" => Ok(Orientation::Reverse),
                "undirected" | "both" => Ok(Orientation::Undirected),
                _ => Err(ProcedureError::Argument(format!(
                    "{}() configuration 'direction' must be 'NATURAL', 'REVERSE' or \
                     'UNDIRECTED', found '{s}'",
                    self.procedure
                ))),
            },
            Some(other) => Err(self.type_error("direction", "a string", other)),
        }
    }

    /// Whether edges carry a property's weights rather than 1.0.
    #[must_use]
    pub fn weighted(&self) -> bool {
        matches!(self.map.get("weightProperty"), Some(Value::String(_)))
    }

    /// Builds the projection this configuration describes.
    pub fn project(&self, graph: &dyn GraphRead) -> Result<Projection, ProcedureError> {
        let labels = self.names("nodes")?;
        let types = self.names("relationships")?;
        let weight = match self.map.get("weightProperty") {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(s.clone()),
            Some(other) => return Err(self.type_error("weightProperty", "a string", other)),
        };
        Projection::build(graph, &labels, &types, weight.as_deref())
    }
}

/// A projected graph: petgraph nodes carry store ids; parallel relationships stay parallel.
pub struct Projection {
    pub graph: DiGraph<NodeId, f64>,
    pub index: HashMap<NodeId, NodeIndex>,
    /// The stored relationship behind each projected edge, by edge index: (id, start, end).
    pub rels: Vec<(RelId, NodeId, NodeId)>,
}

impl Projection {
    /// The nodes carrying any of `labels` (all nodes when empty) and the relationships of any
    /// of `types` (all when empty) between them. A label or type the graph has never seen
    /// matches nothing. Weights are the numeric property `weight` (1.0 when absent or not a
    /// number) or 1.0 throughout.
    pub fn build(
        graph: &dyn GraphRead,
        labels: &[String],
        types: &[String],
        weight: Option<&str>,
    ) -> Result<Self, ProcedureError> {
        let mut nodes: Vec<NodeId> = if labels.is_empty() {
            graph.all_nodes()?
        } else {
            let mut all = Vec::new();
            for l in labels {
                if let Some(id) = graph.label_id(l) {
                    all.extend(graph.nodes_with_label(id)?);
                }
            }
            all.sort_unstable();
            all.dedup();
            all
        };
        nodes.shrink_to_fit();
        let type_ids: Vec<_> = types.iter().filter_map(|t| graph.type_id(t)).collect();
        let no_types = !types.is_empty() && type_ids.is_empty();
        let weight_key = weight.and_then(|w| graph.key_id(w));
        let mut g = DiGraph::with_capacity(nodes.len(), nodes.len());
        let mut index = HashMap::with_capacity(nodes.len());
        let mut rels = Vec::new();
        for n in &nodes {
            index.insert(*n, g.add_node(*n));
        }
        if !no_types {
            let mut edges = Vec::new();
            for n in &nodes {
                edges.clear();
                graph.expand(*n, Direction::Outgoing, &type_ids, &mut edges)?;
                for e in &edges {
                    let Some(to) = index.get(&e.other) else {
                        continue;
                    };
                    let w = match weight_key {
                        Some(k) => match graph.rel_property(e.rel, k)? {
                            Value::Int(i) => i as f64,
                            Value::Float(f) => f,
                            _ => 1.0,
                        },
                        None => 1.0,
                    };
                    g.add_edge(index[n], *to, w);
                    rels.push((e.rel, *n, e.other));
                }
            }
        }
        Ok(Projection {
            graph: g,
            index,
            rels,
        })
    }

    /// The store id of a projected node.
    #[must_use]
    pub fn id(&self, i: NodeIndex) -> NodeId {
        self.graph[i]
    }

    /// The same nodes and edges, without direction.
    #[must_use]
    pub fn undirected(&self) -> UnGraph<NodeId, f64> {
        self.graph.clone().into_edge_type()
    }

    /// Each node's neighbours when following `orientation`: (neighbour, weight, edge index).
    #[must_use]
    pub fn adjacency(&self, orientation: Orientation) -> Vec<Vec<(usize, f64, usize)>> {
        let mut adj = vec![Vec::new(); self.graph.node_count()];
        for (i, e) in self.graph.raw_edges().iter().enumerate() {
            let (a, b) = (e.source().index(), e.target().index());
            match orientation {
                Orientation::Natural => adj[a].push((b, e.weight, i)),
                Orientation::Reverse => adj[b].push((a, e.weight, i)),
                Orientation::Undirected => {
                    adj[a].push((b, e.weight, i));
                    if a != b {
                        adj[b].push((a, e.weight, i));
                    }
                }
            }
        }
        adj
    }

    /// The store ids of the nodes, by projected index.
    #[must_use]
    pub fn ids(&self) -> Vec<NodeId> {
        self.graph.node_weights().copied().collect()
    }

    /// The projected node a procedure argument names, or an error saying which argument.
    pub fn node_arg(
        &self,
        procedure: &str,
        what: &str,
        v: &Value,
    ) -> Result<usize, ProcedureError> {
        match v {
            Value::Node(n) => self.index.get(&n.id).map(|i| i.index()).ok_or_else(|| {
                ProcedureError::Argument(format!(
                    "{procedure}(): the {what} node is not in the projection (check 'nodes')"
                ))
            }),
            other => Err(ProcedureError::Type(format!(
                "{procedure}() takes a node as its {what}, found {}",
                other.type_name()
            ))),
        }
    }
}

/// A node value for a result row.
#[must_use]
pub fn node(id: NodeId) -> Value {
    crate::value::node_ref(id)
}

//! `algo.shortestPath` and `algo.allShortestPaths`: Dijkstra over a projection (every weight
//! 1.0 without `weightProperty`), keeping every predecessor at equal distance so that all
//! shortest paths can be listed. Weights must not be negative. Knows nothing of the domain.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use crate::procedure::{ProcedureContext, ProcedureError};
use crate::value::{Map, Node, Path, Relationship, Value};

use super::projection::{Config, Orientation, Projection};

type Rows = Result<Vec<Vec<Value>>, ProcedureError>;

/// Distances equal within this relative margin count as equal (sums of float weights).
const EPSILON: f64 = 1e-9;

#[derive(PartialEq)]
struct Entry(f64, usize);

impl Eq for Entry {}

impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Entry {
    // Reversed: the heap pops the smallest distance first.
    fn cmp(&self, other: &Self) -> Ordering {
        other.0.total_cmp(&self.0).then(other.1.cmp(&self.1))
    }
}

/// Distances from `source` until `target` is settled, and each node's predecessors on
/// shortest paths as (node, edge index).
fn dijkstra(
    adj: &[Vec<(usize, f64, usize)>],
    source: usize,
    target: usize,
) -> Result<(Vec<f64>, Vec<Vec<(usize, usize)>>), ProcedureError> {
    let n = adj.len();
    let mut dist = vec![f64::INFINITY; n];
    let mut preds: Vec<Vec<(usize, usize)>> = vec![Vec::new(); n];
    let mut done = vec![false; n];
    let mut heap = BinaryHeap::new();
    dist[source] = 0.0;
    heap.push(Entry(0.0, source));
    while let Some(Entry(d, u)) = heap.pop() {
        if done[u] {
            continue;
        }
        done[u] = true;
        if u == target || d > dist[target] * (1.0 + EPSILON) {
            break;
        }
        for &(v, w, e) in &adj[u] {
            if w < 0.0 || w.is_nan() {
                return Err(ProcedureError::Argument(format!(
                    "shortest paths need non-negative weights, found {w}"
                )));
            }
            let nd = d + w;
            let margin = EPSILON * nd.abs().max(1.0);
            if nd < dist[v] - margin {
                dist[v] = nd;
                preds[v].clear();
                preds[v].push((u, e));
                heap.push(Entry(nd, v));
            } else if (nd - dist[v]).abs() <= margin && !done[v] {
                preds[v].push((u, e));
            }
        }
    }
    Ok((dist, preds))
}

/// The path value of a list of projected nodes and edges (from source to target).
fn path_value(p: &Projection, nodes: &[usize], edges: &[usize]) -> Value {
    let reference = |i: usize| Node {
        id: p.id(petgraph::graph::NodeIndex::new(i)),
        labels: Vec::new(),
        properties: Map::new(),
    };
    Value::Path(Box::new(Path {
        nodes: nodes.iter().map(|i| reference(*i)).collect(),
        relationships: edges
            .iter()
            .map(|e| {
                let (id, start, end) = p.rels[*e];
                Relationship {
                    id,
                    rel_type: String::new(),
                    start,
                    end,
                    properties: Map::new(),
                }
            })
            .collect(),
    }))
}

const KEYS: &[&str] = &["limit"];

fn setup(
    name: &'static str,
    args: &[Value],
    ctx: &dyn ProcedureContext,
) -> Result<(Projection, Config, usize, usize, Orientation), ProcedureError> {
    let config = Config::parse(name, args, 2, KEYS)?;
    let orientation = config.orientation(Orientation::Undirected)?;
    let p = config.project(ctx.graph())?;
    let source = p.node_arg(name, "source", args.first().unwrap_or(&Value::Null))?;
    let target = p.node_arg(name, "target", args.get(1).unwrap_or(&Value::Null))?;
    Ok((p, config, source, target, orientation))
}

/// `algo.shortestPath(source, target, {config})`: one shortest path and its cost.
pub fn shortest_path(args: &[Value], ctx: &mut dyn ProcedureContext) -> Rows {
    let (p, _, source, target, orientation) = setup("algo.shortestPath", args, ctx)?;
    let adj = p.adjacency(orientation);
    let (dist, preds) = dijkstra(&adj, source, target)?;
    if dist[target].is_infinite() {
        return Ok(Vec::new());
    }
    let (mut nodes, mut edges) = (vec![target], Vec::new());
    let mut at = target;
    while at != source {
        let (prev, e) = preds[at][0];
        edges.push(e);
        nodes.push(prev);
        at = prev;
    }
    nodes.reverse();
    edges.reverse();
    Ok(vec![vec![
        path_value(&p, &nodes, &edges),
        Value::Float(dist[target]),
    ]])
}

/// `algo.allShortestPaths(source, target, {config, limit: 100})`: every shortest path, up to
/// `limit` of them.
pub fn all_shortest_paths(args: &[Value], ctx: &mut dyn ProcedureContext) -> Rows {
    let (p, config, source, target, orientation) = setup("algo.allShortestPaths", args, ctx)?;
    let limit = config.count("limit", 100)?;
    let adj = p.adjacency(orientation);
    let (dist, preds) = dijkstra(&adj, source, target)?;
    if dist[target].is_infinite() {
        return Ok(Vec::new());
    }
    let mut rows = Vec::new();
    // Depth-first from the target back along predecessors; the stack holds partial paths.
    let mut stack: Vec<(Vec<usize>, Vec<usize>)> = vec![(vec![target], Vec::new())];
    while let Some((nodes, edges)) = stack.pop() {
        let at = *nodes.last().unwrap_or(&source);
        if at == source {
            let mut n = nodes.clone();
            let mut e = edges.clone();
            n.reverse();
            e.reverse();
            rows.push(vec![path_value(&p, &n, &e), Value::Float(dist[target])]);
            if rows.len() >= limit {
                break;
            }
            continue;
        }
        for &(prev, e) in preds[at].iter().rev() {
            let mut n = nodes.clone();
            let mut es = edges.clone();
            n.push(prev);
            es.push(e);
            stack.push((n, es));
        }
    }
    Ok(rows)
}

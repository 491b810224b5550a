//! `algo.betweenness`: Brandes' betweenness centrality over a projection, unweighted, with
//! relationships undirected by default (each pair counted once) or as `direction` says. Knows
//! nothing of the domain.

use std::collections::VecDeque;

use crate::procedure::{ProcedureContext, ProcedureError};
use crate::value::Value;

use super::projection::{Config, Orientation, node};

/// Betweenness of every node of `adj`: for each source, a breadth-first search counting
/// shortest paths, then dependencies accumulated from the farthest nodes back.
#[must_use]
pub fn scores(adj: &[Vec<(usize, f64, usize)>], undirected: bool) -> Vec<f64> {
    let n = adj.len();
    let mut centrality = vec![0.0; n];
    let mut sigma = vec![0.0f64; n];
    let mut dist = vec![-1i64; n];
    let mut delta = vec![0.0f64; n];
    let mut preds: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut order = Vec::with_capacity(n);
    let mut queue = VecDeque::new();
    for s in 0..n {
        for v in 0..n {
            sigma[v] = 0.0;
            dist[v] = -1;
            delta[v] = 0.0;
            preds[v].clear();
        }
        order.clear();
        sigma[s] = 1.0;
        dist[s] = 0;
        queue.push_back(s);
        while let Some(v) = queue.pop_front() {
            order.push(v);
            for &(w, _, _) in &adj[v] {
                if dist[w] < 0 {
                    dist[w] = dist[v] + 1;
                    queue.push_back(w);
                }
                if dist[w] == dist[v] + 1 {
                    sigma[w] += sigma[v];
                    preds[w].push(v);
                }
            }
        }
        for &w in order.iter().rev() {
            for &v in &preds[w] {
                delta[v] += sigma[v] / sigma[w] * (1.0 + delta[w]);
            }
            if w != s {
                centrality[w] += delta[w];
            }
        }
    }
    if undirected {
        centrality.iter_mut().for_each(|c| *c /= 2.0);
    }
    centrality
}

/// `algo.betweenness({config})`.
pub fn betweenness(
    args: &[Value],
    ctx: &mut dyn ProcedureContext,
) -> Result<Vec<Vec<Value>>, ProcedureError> {
    let config = Config::parse("algo.betweenness", args, 0, &[])?;
    let orientation = config.orientation(Orientation::Undirected)?;
    let p = config.project(ctx.graph())?;
    let mut adj = p.adjacency(orientation);
    // Parallel relationships would count one path twice: keep one edge per neighbour.
    for a in &mut adj {
        a.sort_by_key(|e| e.0);
        a.dedup_by_key(|e| e.0);
    }
    let c = scores(&adj, orientation == Orientation::Undirected);
    Ok(p.ids()
        .into_iter()
        .zip(c)
        .map(|(id, s)| vec![node(id), Value::Float(s)])
        .collect())
}

//! `algo.nodeSimilarity`: Jaccard similarity of nodes' neighbour sets (relationships followed
//! as stored, or as `direction` says): |A ∩ B| / |A ∪ B|, for every pair sharing a neighbour,
//! the `topK` most similar per node. Customers buying the same products, contacts at the same
//! meetings. Knows nothing of the domain.

use std::collections::HashMap;

use crate::procedure::{ProcedureContext, ProcedureError};
use crate::value::Value;

use super::projection::{Config, Orientation, node};

/// For each node with neighbours, its (other, similarity) pairs above `cutoff`, most similar
/// first (ties by index), at most `top_k`.
#[must_use]
pub fn similar(
    adj: &[Vec<(usize, f64, usize)>],
    top_k: usize,
    cutoff: f64,
) -> Vec<Vec<(usize, f64)>> {
    let n = adj.len();
    let sets: Vec<Vec<usize>> = adj
        .iter()
        .map(|a| {
            let mut s: Vec<usize> = a.iter().map(|e| e.0).collect();
            s.sort_unstable();
            s.dedup();
            s
        })
        .collect();
    // Who points at each neighbour: pairs sharing one are the only candidates.
    let mut holders: HashMap<usize, Vec<usize>> = HashMap::new();
    for (u, set) in sets.iter().enumerate() {
        for t in set {
            holders.entry(*t).or_default().push(u);
        }
    }
    let mut out = vec![Vec::new(); n];
    let mut shared: HashMap<usize, usize> = HashMap::new();
    for (u, set) in sets.iter().enumerate() {
        if set.is_empty() {
            continue;
        }
        shared.clear();
        for t in set {
            for &v in &holders[t] {
                if v != u {
                    *shared.entry(v).or_default() += 1;
                }
            }
        }
        let mut pairs: Vec<(usize, f64)> = shared
            .iter()
            .map(|(&v, &common)| {
                let union = set.len() + sets[v].len() - common;
                (v, common as f64 / union as f64)
            })
            .filter(|p| p.1 > cutoff)
            .collect();
        pairs.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        pairs.truncate(top_k);
        out[u] = pairs;
    }
    out
}

/// `algo.nodeSimilarity({config, topK: 10, similarityCutoff: 0.0})`.
pub fn node_similarity(
    args: &[Value],
    ctx: &mut dyn ProcedureContext,
) -> Result<Vec<Vec<Value>>, ProcedureError> {
    let config = Config::parse(
        "algo.nodeSimilarity",
        args,
        0,
        &["topK", "similarityCutoff"],
    )?;
    let top_k = config.count("topK", 10)?;
    let cutoff = config.float("similarityCutoff", 0.0, 0.0..=1.0)?;
    let orientation = config.orientation(Orientation::Natural)?;
    let p = config.project(ctx.graph())?;
    let ids = p.ids();
    let mut rows = Vec::new();
    for (u, pairs) in similar(&p.adjacency(orientation), top_k, cutoff)
        .into_iter()
        .enumerate()
    {
        for (v, s) in pairs {
            rows.push(vec![node(ids[u]), node(ids[v]), Value::Float(s)]);
        }
    }
    Ok(rows)
}

//! `algo.louvain`: community detection by the Louvain method on the undirected, weighted
//! projection: nodes move to the neighbouring community with the best modularity gain until
//! none does, then each community becomes one node and the process repeats. A community is
//! named by the smallest store id among its members. Deterministic: nodes are visited in id
//! order. Knows nothing of the domain.

use std::collections::HashMap;

use crate::procedure::{ProcedureContext, ProcedureError};
use crate::value::Value;

use super::projection::{Config, Orientation, node};

/// One level's graph: symmetric weighted adjacency without self-loops, and each node's
/// self-loop weight (the weight inside it, once aggregated).
struct Level {
    adj: Vec<Vec<(usize, f64)>>,
    loops: Vec<f64>,
}

impl Level {
    fn degree(&self, i: usize) -> f64 {
        self.adj[i].iter().map(|e| e.1).sum::<f64>() + 2.0 * self.loops[i]
    }
}

/// Moves nodes between communities until no move gains modularity; returns each node's
/// community (renumbered 0..k) and whether anything moved.
fn local_moves(level: &Level, tolerance: f64) -> (Vec<usize>, bool) {
    let n = level.adj.len();
    let k: Vec<f64> = (0..n).map(|i| level.degree(i)).collect();
    let m2: f64 = k.iter().sum();
    let mut comm: Vec<usize> = (0..n).collect();
    if m2 <= 0.0 {
        return (comm, false);
    }
    let mut tot = k.clone();
    let mut moved_any = false;
    let mut weights: HashMap<usize, f64> = HashMap::new();
    loop {
        let mut moved = false;
        for i in 0..n {
            let own = comm[i];
            tot[own] -= k[i];
            weights.clear();
            for &(j, w) in &level.adj[i] {
                *weights.entry(comm[j]).or_default() += w;
            }
            let gain = |c: usize, w_ic: f64| w_ic - tot[c] * k[i] / m2;
            let mut best = own;
            let mut best_gain = gain(own, weights.get(&own).copied().unwrap_or(0.0));
            let mut candidates: Vec<(&usize, &f64)> = weights.iter().collect();
            candidates.sort_by_key(|c| *c.0);
            for (&c, &w) in candidates {
                let g = gain(c, w);
                if g > best_gain + tolerance {
                    best = c;
                    best_gain = g;
                }
            }
            tot[best] += k[i];
            if best != own {
                comm[i] = best;
                moved = true;
                moved_any = true;
            }
        }
        if !moved {
            break;
        }
    }
    let mut renumber: HashMap<usize, usize> = HashMap::new();
    for c in &mut comm {
        let next = renumber.len();
        *c = *renumber.entry(*c).or_insert(next);
    }
    (comm, moved_any)
}

/// The graph of communities: one node per community, edge weights summed.
fn aggregate(level: &Level, comm: &[usize]) -> Level {
    let k = comm.iter().max().map_or(0, |m| m + 1);
    let mut loops = vec![0.0; k];
    let mut edges: Vec<HashMap<usize, f64>> = vec![HashMap::new(); k];
    for (i, neighbours) in level.adj.iter().enumerate() {
        loops[comm[i]] += level.loops[i];
        for &(j, w) in neighbours {
            let (a, b) = (comm[i], comm[j]);
            if a == b {
                // Each internal edge appears from both ends.
                loops[a] += w / 2.0;
            } else {
                *edges[a].entry(b).or_default() += w;
            }
        }
    }
    let adj = edges
        .into_iter()
        .map(|m| {
            let mut v: Vec<(usize, f64)> = m.into_iter().collect();
            v.sort_by_key(|e| e.0);
            v
        })
        .collect();
    Level { adj, loops }
}

/// Each node's final community index.
#[must_use]
pub fn communities(
    adj: &[Vec<(usize, f64, usize)>],
    max_levels: usize,
    tolerance: f64,
) -> Vec<usize> {
    let n = adj.len();
    let mut loops = vec![0.0; n];
    let mut plain: Vec<Vec<(usize, f64)>> = vec![Vec::new(); n];
    for (i, a) in adj.iter().enumerate() {
        for &(j, w, _) in a {
            if i == j {
                loops[i] += w;
            } else {
                plain[i].push((j, w));
            }
        }
    }
    let mut level = Level { adj: plain, loops };
    let mut assignment: Vec<usize> = (0..n).collect();
    for _ in 0..max_levels {
        let (comm, moved) = local_moves(&level, tolerance);
        if !moved {
            break;
        }
        for a in &mut assignment {
            *a = comm[*a];
        }
        level = aggregate(&level, &comm);
    }
    assignment
}

/// `algo.louvain({config, maxLevels: 10, tolerance: 1e-9})`.
pub fn louvain(
    args: &[Value],
    ctx: &mut dyn ProcedureContext,
) -> Result<Vec<Vec<Value>>, ProcedureError> {
    let config = Config::parse("algo.louvain", args, 0, &["maxLevels", "tolerance"])?;
    let max_levels = config.count("maxLevels", 10)?;
    let tolerance = config.float("tolerance", 1e-9, 0.0..=1.0)?;
    let p = config.project(ctx.graph())?;
    let ids = p.ids();
    let comm = communities(&p.adjacency(Orientation::Undirected), max_levels, tolerance);
    let mut smallest: HashMap<usize, u64> = HashMap::new();
    for (i, c) in comm.iter().enumerate() {
        let s = smallest.entry(*c).or_insert(u64::MAX);
        *s = (*s).min(ids[i].0);
    }
    Ok(ids
        .iter()
        .zip(&comm)
        .map(|(id, c)| {
            vec![
                node(*id),
                Value::Int(i64::try_from(smallest[c]).unwrap_or(i64::MAX)),
            ]
        })
        .collect())
}

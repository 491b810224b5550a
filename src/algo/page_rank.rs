//! `algo.pageRank`: PageRank by power iteration over a projection, relationships followed as
//! stored (or as `direction` says), weighted when `weightProperty` is given. Rank of nodes with
//! no outgoing relationship is spread evenly, so scores always sum to 1. Knows nothing of the
//! domain.

use crate::procedure::{ProcedureContext, ProcedureError};
use crate::value::Value;

use super::projection::{Config, Orientation, node};

/// More iterations than this never change a score that converges at all.
const MAX_ITERATIONS: usize = 10_000;

/// Scores of `adj`'s nodes; stops after `iterations` or when the total change is below
/// `tolerance`.
#[must_use]
pub fn scores(
    adj: &[Vec<(usize, f64, usize)>],
    damping: f64,
    iterations: usize,
    tolerance: f64,
) -> Vec<f64> {
    let n = adj.len();
    if n == 0 {
        return Vec::new();
    }
    let out: Vec<f64> = adj.iter().map(|a| a.iter().map(|e| e.1).sum()).collect();
    let mut rank = vec![1.0 / n as f64; n];
    let mut next = vec![0.0; n];
    for _ in 0..iterations {
        let dangling: f64 = (0..n).filter(|u| out[*u] <= 0.0).map(|u| rank[u]).sum();
        let base = (1.0 - damping) / n as f64 + damping * dangling / n as f64;
        next.iter_mut().for_each(|x| *x = base);
        for (u, edges) in adj.iter().enumerate() {
            if out[u] <= 0.0 {
                continue;
            }
            let share = damping * rank[u] / out[u];
            for &(v, w, _) in edges {
                next[v] += share * w;
            }
        }
        let change: f64 = rank.iter().zip(&next).map(|(a, b)| (a - b).abs()).sum();
        std::mem::swap(&mut rank, &mut next);
        if change < tolerance {
            break;
        }
    }
    rank
}

/// `algo.pageRank({config, iterations: 20, dampingFactor: 0.85, tolerance: 1e-7})`.
pub fn page_rank(
    args: &[Value],
    ctx: &mut dyn ProcedureContext,
) -> Result<Vec<Vec<Value>>, ProcedureError> {
    let config = Config::parse(
        "algo.pageRank",
        args,
        0,
        &["iterations", "dampingFactor", "tolerance"],
    )?;
    let iterations = config.count("iterations", 20)?;
    if iterations > MAX_ITERATIONS {
        return Err(ProcedureError::Argument(format!(
            "algo.pageRank() configuration 'iterations' must be at most {MAX_ITERATIONS}, found {iterations}"
        )));
    }
    let damping = config.float("dampingFactor", 0.85, 0.0..=1.0)?;
    let tolerance = config.float("tolerance", 1e-7, 0.0..=1.0)?;
    let orientation = config.orientation(Orientation::Natural)?;
    let p = config.project(ctx.graph())?;
    let ranks = scores(&p.adjacency(orientation), damping, iterations, tolerance);
    Ok(p.ids()
        .into_iter()
        .zip(ranks)
        .map(|(id, r)| vec![node(id), Value::Float(r)])
        .collect())
}

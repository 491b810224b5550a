//! `algo.weaklyConnectedComponents` (union-find, direction ignored) and
//! `algo.stronglyConnectedComponents` (petgraph's Tarjan). A component is named by the smallest
//! store id among its nodes, so ids are stable across runs. Knows nothing of the domain.

use petgraph::unionfind::UnionFind;

use crate::procedure::{ProcedureContext, ProcedureError};
use crate::value::{NodeId, Value};

use super::projection::{Config, node};

type Rows = Result<Vec<Vec<Value>>, ProcedureError>;

/// Rows (node, componentId) from each node's component representative.
fn rows(ids: &[NodeId], component: impl Fn(usize) -> usize) -> Vec<Vec<Value>> {
    let mut smallest = vec![u64::MAX; ids.len()];
    for (i, id) in ids.iter().enumerate() {
        let c = component(i);
        smallest[c] = smallest[c].min(id.0);
    }
    ids.iter()
        .enumerate()
        .map(|(i, id)| {
            let c = smallest[component(i)];
            vec![node(*id), Value::Int(i64::try_from(c).unwrap_or(i64::MAX))]
        })
        .collect()
}

/// `algo.weaklyConnectedComponents({config})`.
pub fn weakly_connected(args: &[Value], ctx: &mut dyn ProcedureContext) -> Rows {
    let config = Config::parse("algo.weaklyConnectedComponents", args, 0, &[])?;
    let p = config.project(ctx.graph())?;
    let mut sets = UnionFind::<usize>::new(p.graph.node_count());
    for e in p.graph.raw_edges() {
        sets.union(e.source().index(), e.target().index());
    }
    Ok(rows(&p.ids(), |i| sets.find(i)))
}

/// `algo.stronglyConnectedComponents({config})`.
pub fn strongly_connected(args: &[Value], ctx: &mut dyn ProcedureContext) -> Rows {
    let config = Config::parse("algo.stronglyConnectedComponents", args, 0, &[])?;
    let p = config.project(ctx.graph())?;
    let mut component = vec![0; p.graph.node_count()];
    for (k, scc) in petgraph::algo::tarjan_scc(&p.graph).into_iter().enumerate() {
        for n in scc {
            component[n.index()] = k;
        }
    }
    Ok(rows(&p.ids(), |i| component[i]))
}

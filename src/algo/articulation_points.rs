//! `algo.articulationPoints`: the nodes whose removal splits their connected component
//! (direction ignored), by petgraph. In a customer graph these are the people or accounts a
//! whole cluster hangs on. Knows nothing of the domain.

use crate::procedure::{ProcedureContext, ProcedureError};
use crate::value::Value;

use super::projection::{Config, node};

/// `algo.articulationPoints({config})`: one row per articulation point, by store id.
pub fn articulation_points(
    args: &[Value],
    ctx: &mut dyn ProcedureContext,
) -> Result<Vec<Vec<Value>>, ProcedureError> {
    let config = Config::parse("algo.articulationPoints", args, 0, &[])?;
    let p = config.project(ctx.graph())?;
    let g = p.undirected();
    let mut points: Vec<_> = petgraph::algo::articulation_points::articulation_points(&g)
        .into_iter()
        .map(|i| g[i])
        .collect();
    points.sort_unstable();
    Ok(points.into_iter().map(|id| vec![node(id)]).collect())
}

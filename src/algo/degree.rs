//! `algo.degree`: relationships per node in a projection, counted as stored (`NATURAL`: out),
//! `REVERSE` (in) or `UNDIRECTED` (both; a self-loop counts twice); the sum of weights when
//! `weightProperty` is given. Knows nothing of the domain.

use crate::procedure::{ProcedureContext, ProcedureError};
use crate::value::Value;

use super::projection::{Config, Orientation, node};

/// `algo.degree({config})`.
pub fn degree(
    args: &[Value],
    ctx: &mut dyn ProcedureContext,
) -> Result<Vec<Vec<Value>>, ProcedureError> {
    let config = Config::parse("algo.degree", args, 0, &[])?;
    let orientation = config.orientation(Orientation::Natural)?;
    let weighted = config.weighted();
    let p = config.project(ctx.graph())?;
    let n = p.graph.node_count();
    let (mut count, mut weight) = (vec![0i64; n], vec![0.0f64; n]);
    for e in p.graph.raw_edges() {
        let (a, b) = (e.source().index(), e.target().index());
        let ends: &[usize] = match orientation {
            Orientation::Natural => &[a],
            Orientation::Reverse => &[b],
            Orientation::Undirected => &[a, b],
        };
        for &x in ends {
            count[x] += 1;
            weight[x] += e.weight;
        }
    }
    Ok(p.ids()
        .into_iter()
        .enumerate()
        .map(|(i, id)| {
            let d = if weighted {
                Value::Float(weight[i])
            } else {
                Value::Int(count[i])
            };
            vec![node(id), d]
        })
        .collect())
}

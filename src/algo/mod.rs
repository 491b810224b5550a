//! Graph algorithms over projections of the stored graph (petgraph), reachable as
//! `CALL algo.<name>(...)`. Reads the graph only through `storage`'s traits; knows nothing of
//! the database facade, the CLI or the customer domain.

use crate::exec::procedures::ProcedureDef;

/// The `algo.*` procedures.
pub static PROCEDURES: &[ProcedureDef] = &[];

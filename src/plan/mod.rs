//! Statements to plans: variable binding and scopes, the compile-time errors openCypher
//! defines, and the choice of how each pattern is matched. `EXPLAIN` prints the result.
//!
//! Knows nothing of execution or storage: the function library and the graph's figures come
//! through the `Catalog` trait.

mod bind;
mod catalog;
pub mod error;
pub mod logical;
mod options;
mod passes;
mod pattern;
#[cfg(test)]
mod tests;

pub use catalog::{Catalog, FunctionInfo, ProcedureInfo};
pub use error::{PlanError, PlanErrorKind};
pub use logical::QueryPlan;
pub use options::PlanOptions;

use crate::syntax::ast;

/// Plans a query; `source` is the query text (unaliased columns are named by it). With
/// `PlanOptions { simple: true }` the plan is the naive one, with none of the rewrite passes
/// (no counts from the store, no liveness: rows keep every slot).
pub fn plan_query_with(
    query: &ast::Query,
    source: &str,
    catalog: &dyn Catalog,
    options: PlanOptions,
) -> Result<QueryPlan, PlanError> {
    let mut plan = bind::Binder::new(catalog, source, options).query(query)?;
    if options.simple {
        return Ok(plan);
    }
    for pass in passes::PASSES {
        plan = pass(plan, catalog)?;
    }
    Ok(plan)
}

//! Rewrites of a bound plan, run in order after binding. Each pass is one file with the shape
//! `fn run(QueryPlan, &dyn Catalog) -> Result<QueryPlan, PlanError>`; later passes may rely on
//! what earlier ones did (liveness runs last, over the final operators).

mod count_from_store;
mod defer_past_top_k;
mod fold_literals;
mod live_slots;
mod start_at_group_key;

use super::catalog::Catalog;
use super::error::PlanError;
use super::logical::QueryPlan;

type Pass = fn(QueryPlan, &dyn Catalog) -> Result<QueryPlan, PlanError>;

/// The passes, in the order they run.
pub(crate) const PASSES: &[Pass] = &[
    start_at_group_key::run,
    count_from_store::run,
    defer_past_top_k::run,
    fold_literals::run,
    live_slots::run,
];

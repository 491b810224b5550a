//! How far the planner may optimise. By default it plans with the graph's figures: index seeks,
//! the smallest label first, each WHERE conjunct checked at the earliest step that binds what it
//! reads, and grouping by node identity. `simple` asks for the naive plan instead, the reference
//! `tests/differential.rs` compares the optimised plans against: both must give the same rows.

/// Options for planning a query; the default is the optimised plan.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PlanOptions {
    /// The simplest plan: each connected component of a pattern starts at its first node in the
    /// text (bound already, else a scan of its first label, else of all nodes), never at an
    /// index seek; WHERE conjuncts are checked once the whole pattern is matched; aggregation
    /// builds a key of values for every row. The executor then takes none of its shortcuts
    /// either (`exec::context::Context::simple`).
    pub simple: bool,
}

//! What the planner may ask about the world: the functions, aggregates and procedures that
//! exist, and the graph's figures for choosing how to match patterns.

/// A function or aggregate the catalog knows: its canonical name and arity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FunctionInfo {
    pub name: String,
    pub min_args: usize,
    pub max_args: Option<usize>,
}

/// A procedure the catalog knows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProcedureInfo {
    pub name: String,
    pub min_args: usize,
    pub max_args: usize,
    /// Output column names, in order.
    pub outputs: Vec<String>,
    /// It changes the graph.
    pub writes: bool,
}

/// What the planner may ask about the world: the function library, and figures for choosing
/// how to match patterns.
pub trait Catalog {
    fn function(&self, name: &str) -> Option<FunctionInfo>;
    fn aggregate(&self, name: &str) -> Option<FunctionInfo>;
    fn procedure(&self, name: &str) -> Option<ProcedureInfo>;
    /// Nodes carrying the label, if known.
    fn label_count(&self, label: &str) -> Option<u64>;
    /// Relationships of the type, if known.
    fn type_count(&self, rel_type: &str) -> Option<u64> {
        let _ = rel_type;
        None
    }
    fn has_index(&self, label: &str, key: &str) -> bool;
}

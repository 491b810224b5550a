//! Running statements: operators over the storage traits, expression evaluation, the function
//! library and aggregation.
//!
//! Inside the executor a node or relationship `Value` is a reference: `Value::Node` carries the
//! id and empty labels and properties, because a property read must see the statement's own
//! writes. Labels and properties are read through `GraphRead`; values are filled in
//! (`materialize`) only where results leave the executor.

pub mod aggregate;
mod batch;
pub mod budget;
pub mod context;
pub mod error;
pub mod eval;
pub mod functions;
mod grouping;
pub mod load_csv;
pub mod matcher;
mod mutate;
pub mod ops;
pub mod output;
mod parallel;
pub mod procedures;
pub mod run;
mod sort;
mod stream;

pub use error::{ExecError, ExecErrorKind, LoadCsvProblem};
pub(crate) use error::{storage_error_kind, value_error_kind};

use crate::storage::GraphRead;
use crate::value::{DateTime, NodeId, RelId, Value};
pub use crate::value::{node_ref, rel_ref};

/// What a function or operator may consult besides its arguments.
pub struct FnContext<'a> {
    pub graph: &'a dyn GraphRead,
    /// The statement's clock: `date()`, `datetime()` and friends read this, once per statement.
    pub now: &'a DateTime,
}

/// Writes `node_ref(id)` into `slot`, reusing the allocation when it holds a reference
/// already (an expansion rewrites the same slot for every edge).
pub fn set_node_ref(slot: &mut Value, id: NodeId) {
    match slot {
        Value::Node(node) if node.labels.is_empty() && node.properties.is_empty() => node.id = id,
        _ => *slot = node_ref(id),
    }
}

/// Writes `rel_ref(id, start, end)` into `slot`, reusing the allocation as `set_node_ref`.
pub fn set_rel_ref(slot: &mut Value, id: RelId, start: NodeId, end: NodeId) {
    match slot {
        Value::Relationship(rel) if rel.rel_type.is_empty() && rel.properties.is_empty() => {
            rel.id = id;
            rel.start = start;
            rel.end = end;
        }
        _ => *slot = rel_ref(id, start, end),
    }
}

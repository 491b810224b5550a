//! What a procedure behind `CALL name(args) YIELD ...` sees of the engine, and the registry
//! that finds it. A procedure declares its arity, its output columns (the planner checks YIELD
//! against them) and whether it writes, and returns rows; it reaches the statement only
//! through `ProcedureContext` (the graph, the clock, the change counts) and fails with a
//! `ProcedureError`. Once called, a procedure runs to its end: nothing stops it half way.
//! `algo` and `domain` write their procedures against this module alone; `exec` runs them over
//! the statement's context and turns their errors into its own; `db` composes the sets into
//! one [`Registry`].

use crate::storage::{GraphRead, GraphWrite, StorageError};
use crate::value::{DateTime, Map, Value, ValueError};

/// Why a procedure failed. `exec` reports each as the run-time error of the same name.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ProcedureError {
    /// An argument had a type the procedure does not accept.
    #[error("type error: {0}")]
    Type(String),
    /// An argument had the right type but an invalid value.
    #[error("invalid argument: {0}")]
    Argument(String),
    /// The procedure refused or could not finish, for a reason of its own.
    #[error("procedure {name} failed: {message}")]
    Failed { name: String, message: String },
    #[error(transparent)]
    Value(#[from] ValueError),
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// A kind of change a writing procedure made, for the statement's counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    NodesCreated,
    NodesDeleted,
    RelationshipsCreated,
    RelationshipsDeleted,
    PropertiesSet,
    PropertiesRemoved,
}

/// What a running procedure may reach of its statement.
pub trait ProcedureContext {
    /// The graph as the statement sees it, including its own earlier writes.
    fn graph(&self) -> &dyn GraphRead;

    /// The graph for writing; an error in a read-only transaction (a procedure that writes
    /// says so in its `ProcedureDef`, so the statement gets a write transaction).
    fn graph_mut(&mut self) -> Result<&mut dyn GraphWrite, ProcedureError>;

    /// The statement's clock.
    fn now(&self) -> &DateTime;

    /// Adds `count` changes of kind `change` to the statement's counts.
    fn record(&mut self, change: Change, count: u64);
}

/// The signature every procedure implementation has: arguments in, rows of `outputs` out.
pub type ProcedureImpl =
    fn(&[Value], &mut dyn ProcedureContext) -> Result<Vec<Vec<Value>>, ProcedureError>;

/// A procedure of the registry.
#[derive(Debug, Clone, Copy)]
pub struct ProcedureDef {
    /// The canonical dotted name (`db.labels`).
    pub name: &'static str,
    pub min_args: usize,
    pub max_args: usize,
    /// Output column names, in order; each row has one value per column.
    pub outputs: &'static [&'static str],
    /// What it does, for `SHOW PROCEDURES` and `:help`.
    pub description: &'static str,
    /// It changes the graph: the statement then needs a write transaction.
    pub writes: bool,
    pub call: ProcedureImpl,
}

/// The map argument at `args[index]` of a procedure (absent or null: empty), with every key
/// checked against `accepted`. `what` names the map in errors (`options`, `configuration`).
pub fn map_argument(
    procedure: &str,
    args: &[Value],
    index: usize,
    accepted: &[&str],
    what: &str,
) -> Result<Map, ProcedureError> {
    let map = match args.get(index) {
        None | Some(Value::Null) => Map::new(),
        Some(Value::Map(m)) => m.clone().into_map(),
        Some(other) => {
            return Err(ProcedureError::Type(format!(
                "{procedure}() takes a map of {what} as argument {}, found {}",
                index + 1,
                other.type_name()
            )));
        }
    };
    if let Some(key) = map.keys().find(|k| !accepted.contains(&k.as_str())) {
        return Err(ProcedureError::Argument(format!(
            "{procedure}() has no {what} key '{key}'; it accepts {}",
            accepted.join(", ")
        )));
    }
    Ok(map)
}

/// A set of procedures by name: what `CALL` can reach.
#[derive(Debug, Default)]
pub struct Registry {
    defs: Vec<&'static ProcedureDef>,
}

impl Registry {
    /// The procedures of every set, in order. A name given twice is a programming error,
    /// caught by a test of the composed registry.
    #[must_use]
    pub fn new(sets: &[&'static [ProcedureDef]]) -> Self {
        Registry {
            defs: sets.iter().flat_map(|set| set.iter()).collect(),
        }
    }

    /// Every procedure, in registration order.
    pub fn all(&self) -> impl Iterator<Item = &'static ProcedureDef> + '_ {
        self.defs.iter().copied()
    }

    /// A procedure by its dotted name, case-insensitively.
    #[must_use]
    pub fn lookup(&self, name: &str) -> Option<&'static ProcedureDef> {
        self.defs
            .iter()
            .copied()
            .find(|p| p.name.eq_ignore_ascii_case(name))
    }
}

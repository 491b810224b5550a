//! The procedure registry behind `CALL name(args) YIELD ...`: each procedure declares its
//! arity, its output columns (the planner checks YIELD against them) and whether it writes, and
//! returns rows. The built-in `db.*` procedures describe the graph; `algo` and `domain` bring
//! their own sets, which the `db` layer composes into one [`Registry`]. Knows nothing of which
//! sets exist beyond its own.

use crate::storage::{GraphRead, GraphWrite};
use crate::value::{DateTime, Value};

use super::context::{Context, Graph, Stats};
use super::{ExecError, FnContext};

/// The signature every procedure implementation has: arguments in, rows of `outputs` out.
pub type ProcedureImpl =
    fn(&[Value], &mut ProcedureContext<'_, '_>) -> Result<Vec<Vec<Value>>, ExecError>;

/// What a running procedure may reach: the graph (for writing only when it is declared
/// `writes`), the statement's clock and the statement's change counts.
pub struct ProcedureContext<'c, 'g> {
    ctx: &'c mut Context<'g>,
}

impl<'c, 'g> ProcedureContext<'c, 'g> {
    pub(crate) fn new(ctx: &'c mut Context<'g>) -> Self {
        ProcedureContext { ctx }
    }

    /// The graph as the statement sees it, including its own earlier writes.
    #[must_use]
    pub fn graph(&self) -> &dyn GraphRead {
        self.ctx.read()
    }

    /// The graph for writing; an error in a read-only transaction.
    pub fn graph_mut(&mut self) -> Result<&mut dyn GraphWrite, ExecError> {
        match &mut self.ctx.graph {
            Graph::Write(g) => Ok(&mut **g),
            Graph::Read(_) => Err(ExecError::Argument(
                "this procedure writes, and the transaction is read-only".into(),
            )),
        }
    }

    /// The statement's clock.
    #[must_use]
    pub fn now(&self) -> &DateTime {
        &self.ctx.now
    }

    /// `Err(Interrupted)` once the statement was asked to stop (Ctrl-C in the shell): a long
    /// procedure calls it now and then and returns the error.
    pub fn check_interrupt(&self) -> Result<(), ExecError> {
        self.ctx.check_interrupt()
    }

    /// The statement's change counts, for a writing procedure to add to.
    pub fn stats_mut(&mut self) -> &mut Stats {
        &mut self.ctx.stats
    }

    /// The context functions see, for procedures that evaluate functions or read properties.
    #[must_use]
    pub fn fn_context(&self) -> FnContext<'_> {
        FnContext {
            graph: self.ctx.read(),
            now: &self.ctx.now,
        }
    }
}

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

fn labels(_: &[Value], ctx: &mut ProcedureContext<'_, '_>) -> Result<Vec<Vec<Value>>, ExecError> {
    let graph = ctx.graph();
    let mut rows = Vec::new();
    for name in graph.label_names() {
        if graph.count_nodes(graph.label_id(name))? > 0 {
            rows.push(vec![Value::String(name.clone().into())]);
        }
    }
    Ok(rows)
}

fn relationship_types(
    _: &[Value],
    ctx: &mut ProcedureContext<'_, '_>,
) -> Result<Vec<Vec<Value>>, ExecError> {
    let graph = ctx.graph();
    let mut rows = Vec::new();
    for name in graph.type_names() {
        if graph.count_relationships(graph.type_id(name))? > 0 {
            rows.push(vec![Value::String(name.clone().into())]);
        }
    }
    Ok(rows)
}

fn property_keys(
    _: &[Value],
    ctx: &mut ProcedureContext<'_, '_>,
) -> Result<Vec<Vec<Value>>, ExecError> {
    Ok(ctx
        .graph()
        .key_names()
        .iter()
        .map(|k| vec![Value::String(k.clone().into())])
        .collect())
}

fn node_counts(
    _: &[Value],
    ctx: &mut ProcedureContext<'_, '_>,
) -> Result<Vec<Vec<Value>>, ExecError> {
    let graph: &dyn GraphRead = ctx.graph();
    let mut rows = Vec::new();
    for name in graph.label_names() {
        let count = graph.count_nodes(graph.label_id(name))?;
        if count > 0 {
            rows.push(vec![
                Value::String(name.clone().into()),
                Value::Int(i64::try_from(count).unwrap_or(i64::MAX)),
            ]);
        }
    }
    Ok(rows)
}

fn relationship_counts(
    _: &[Value],
    ctx: &mut ProcedureContext<'_, '_>,
) -> Result<Vec<Vec<Value>>, ExecError> {
    let graph: &dyn GraphRead = ctx.graph();
    let mut rows = Vec::new();
    for name in graph.type_names() {
        let count = graph.count_relationships(graph.type_id(name))?;
        if count > 0 {
            rows.push(vec![
                Value::String(name.clone().into()),
                Value::Int(i64::try_from(count).unwrap_or(i64::MAX)),
            ]);
        }
    }
    Ok(rows)
}

/// The built-in procedures that describe the graph.
pub static DB_PROCEDURES: &[ProcedureDef] = &[
    ProcedureDef {
        name: "db.labels",
        min_args: 0,
        max_args: 0,
        outputs: &["label"],
        description: "the labels that nodes carry",
        writes: false,
        call: labels,
    },
    ProcedureDef {
        name: "db.relationshipTypes",
        min_args: 0,
        max_args: 0,
        outputs: &["relationshipType"],
        description: "the types that relationships have",
        writes: false,
        call: relationship_types,
    },
    ProcedureDef {
        name: "db.propertyKeys",
        min_args: 0,
        max_args: 0,
        outputs: &["propertyKey"],
        description: "every property key ever used",
        writes: false,
        call: property_keys,
    },
    ProcedureDef {
        name: "db.nodeCounts",
        min_args: 0,
        max_args: 0,
        outputs: &["label", "nodes"],
        description: "the number of nodes per label, from the store's counts (no scan)",
        writes: false,
        call: node_counts,
    },
    ProcedureDef {
        name: "db.relationshipCounts",
        min_args: 0,
        max_args: 0,
        outputs: &["relationshipType", "relationships"],
        description: "the number of relationships per type, from the store's counts (no scan)",
        writes: false,
        call: relationship_counts,
    },
];

/// The map argument at `args[index]` of a procedure (absent or null: empty), with every key
/// checked against `accepted`. `what` names the map in errors (`options`, `configuration`).
pub fn map_argument(
    procedure: &str,
    args: &[Value],
    index: usize,
    accepted: &[&str],
    what: &str,
) -> Result<crate::value::Map, ExecError> {
    let map = match args.get(index) {
        None | Some(Value::Null) => crate::value::Map::new(),
        Some(Value::Map(m)) => m.clone().into_map(),
        Some(other) => {
            return Err(ExecError::Type(format!(
                "{procedure}() takes a map of {what} as argument {}, found {}",
                index + 1,
                other.type_name()
            )));
        }
    };
    if let Some(key) = map.keys().find(|k| !accepted.contains(&k.as_str())) {
        return Err(ExecError::Argument(format!(
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

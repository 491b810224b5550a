//! The procedure registry behind `CALL name(args) YIELD ...`: each procedure declares its
//! arity and output columns (the planner checks YIELD against them) and returns rows. The
//! built-in `db.*` procedures describe the graph; the domain and algorithm issues register
//! theirs here too.

use crate::storage::GraphRead;
use crate::value::Value;

use super::{ExecError, FnContext};

/// The signature every procedure implementation has: arguments in, rows of `outputs` out.
pub type ProcedureImpl = fn(&[Value], &FnContext<'_>) -> Result<Vec<Vec<Value>>, ExecError>;

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
    pub call: ProcedureImpl,
}

fn labels(_: &[Value], ctx: &FnContext<'_>) -> Result<Vec<Vec<Value>>, ExecError> {
    let graph = ctx.graph;
    let mut rows = Vec::new();
    for name in graph.label_names() {
        if graph.count_nodes(graph.label_id(name))? > 0 {
            rows.push(vec![Value::String(name.clone())]);
        }
    }
    Ok(rows)
}

fn relationship_types(_: &[Value], ctx: &FnContext<'_>) -> Result<Vec<Vec<Value>>, ExecError> {
    let graph = ctx.graph;
    let mut rows = Vec::new();
    for name in graph.type_names() {
        if graph.count_relationships(graph.type_id(name))? > 0 {
            rows.push(vec![Value::String(name.clone())]);
        }
    }
    Ok(rows)
}

fn property_keys(_: &[Value], ctx: &FnContext<'_>) -> Result<Vec<Vec<Value>>, ExecError> {
    Ok(ctx
        .graph
        .key_names()
        .iter()
        .map(|k| vec![Value::String(k.clone())])
        .collect())
}

fn node_counts(_: &[Value], ctx: &FnContext<'_>) -> Result<Vec<Vec<Value>>, ExecError> {
    let graph: &dyn GraphRead = ctx.graph;
    let mut rows = Vec::new();
    for name in graph.label_names() {
        let count = graph.count_nodes(graph.label_id(name))?;
        if count > 0 {
            rows.push(vec![
                Value::String(name.clone()),
                Value::Int(i64::try_from(count).unwrap_or(i64::MAX)),
            ]);
        }
    }
    Ok(rows)
}

fn relationship_counts(_: &[Value], ctx: &FnContext<'_>) -> Result<Vec<Vec<Value>>, ExecError> {
    let graph: &dyn GraphRead = ctx.graph;
    let mut rows = Vec::new();
    for name in graph.type_names() {
        let count = graph.count_relationships(graph.type_id(name))?;
        if count > 0 {
            rows.push(vec![
                Value::String(name.clone()),
                Value::Int(i64::try_from(count).unwrap_or(i64::MAX)),
            ]);
        }
    }
    Ok(rows)
}

static PROCEDURES: &[ProcedureDef] = &[
    ProcedureDef {
        name: "db.labels",
        min_args: 0,
        max_args: 0,
        outputs: &["label"],
        description: "the labels that nodes carry",
        call: labels,
    },
    ProcedureDef {
        name: "db.relationshipTypes",
        min_args: 0,
        max_args: 0,
        outputs: &["relationshipType"],
        description: "the types that relationships have",
        call: relationship_types,
    },
    ProcedureDef {
        name: "db.propertyKeys",
        min_args: 0,
        max_args: 0,
        outputs: &["propertyKey"],
        description: "every property key ever used",
        call: property_keys,
    },
    ProcedureDef {
        name: "db.nodeCounts",
        min_args: 0,
        max_args: 0,
        outputs: &["label", "nodes"],
        description: "the number of nodes per label, from the store's counts (no scan)",
        call: node_counts,
    },
    ProcedureDef {
        name: "db.relationshipCounts",
        min_args: 0,
        max_args: 0,
        outputs: &["relationshipType", "relationships"],
        description: "the number of relationships per type, from the store's counts (no scan)",
        call: relationship_counts,
    },
];

/// Every procedure.
pub fn all() -> impl Iterator<Item = &'static ProcedureDef> {
    PROCEDURES.iter()
}

/// A procedure by its dotted name, case-insensitively.
#[must_use]
pub fn lookup(name: &str) -> Option<&'static ProcedureDef> {
    PROCEDURES
        .iter()
        .find(|p| p.name.eq_ignore_ascii_case(name))
}

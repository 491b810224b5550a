//! Running procedures (`crate::procedure`): the statement's context as a procedure sees it,
//! their errors as run-time errors, and the built-in `db.*` procedures, which describe the
//! graph.

use crate::procedure::{Change, ProcedureContext, ProcedureDef, ProcedureError};
use crate::storage::{GraphRead, GraphWrite};
use crate::value::{DateTime, Value};

use super::ExecError;
use super::context::{Context, Graph};

/// The statement's context, as the procedure it calls sees it.
pub(super) struct StatementContext<'c, 'g> {
    ctx: &'c mut Context<'g>,
}

impl<'c, 'g> StatementContext<'c, 'g> {
    pub(super) fn new(ctx: &'c mut Context<'g>) -> Self {
        StatementContext { ctx }
    }
}

impl ProcedureContext for StatementContext<'_, '_> {
    fn graph(&self) -> &dyn GraphRead {
        self.ctx.read()
    }

    fn graph_mut(&mut self) -> Result<&mut dyn GraphWrite, ProcedureError> {
        match &mut self.ctx.graph {
            Graph::Write(g) => Ok(&mut **g),
            Graph::Read(_) => Err(ProcedureError::Argument(
                "this procedure writes, and the transaction is read-only".into(),
            )),
        }
    }

    fn now(&self) -> &DateTime {
        &self.ctx.now
    }

    fn record(&mut self, change: Change, count: u64) {
        let stats = &mut self.ctx.stats;
        let counter = match change {
            Change::NodesCreated => &mut stats.nodes_created,
            Change::NodesDeleted => &mut stats.nodes_deleted,
            Change::RelationshipsCreated => &mut stats.relationships_created,
            Change::RelationshipsDeleted => &mut stats.relationships_deleted,
            Change::PropertiesSet => &mut stats.properties_set,
            Change::PropertiesRemoved => &mut stats.properties_removed,
        };
        *counter += count;
    }
}

impl From<ProcedureError> for ExecError {
    fn from(error: ProcedureError) -> Self {
        match error {
            ProcedureError::Type(m) => ExecError::Type(m),
            ProcedureError::Argument(m) => ExecError::Argument(m),
            ProcedureError::Failed { name, message } => ExecError::Procedure { name, message },
            ProcedureError::Value(e) => ExecError::Value(e),
            ProcedureError::Storage(e) => ExecError::Storage(e),
        }
    }
}

fn labels(_: &[Value], ctx: &mut dyn ProcedureContext) -> Result<Vec<Vec<Value>>, ProcedureError> {
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
    ctx: &mut dyn ProcedureContext,
) -> Result<Vec<Vec<Value>>, ProcedureError> {
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
    ctx: &mut dyn ProcedureContext,
) -> Result<Vec<Vec<Value>>, ProcedureError> {
    Ok(ctx
        .graph()
        .key_names()
        .iter()
        .map(|k| vec![Value::String(k.clone().into())])
        .collect())
}

fn node_counts(
    _: &[Value],
    ctx: &mut dyn ProcedureContext,
) -> Result<Vec<Vec<Value>>, ProcedureError> {
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
    ctx: &mut dyn ProcedureContext,
) -> Result<Vec<Vec<Value>>, ProcedureError> {
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

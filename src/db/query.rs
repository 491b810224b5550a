//! Queries through the public API: text in, typed rows out. Parses, plans against the graph's
//! catalog, runs, and fills in the nodes and relationships of the result. Every statement is
//! atomic: inside a write transaction a failed statement is rolled back to where it began.

use std::sync::{Arc, LazyLock};

use serde::de::DeserializeOwned;

use crate::error::{Error, Result};
use crate::exec::context::{Context, Graph, Stats};
use crate::exec::output::materialize;
use crate::exec::{aggregate, functions, run};
use crate::plan::{self, Catalog, FunctionInfo, ProcedureInfo};
use crate::procedure::Registry;
use crate::storage::{ConstraintKind, GraphRead, GraphWrite};
use crate::syntax::ast::{SchemaCommand, ShowKind, Statement};
use crate::value::{DateTime, FromValueRef, Map, Value};

/// Query parameters by name.
pub type Params = Map;

/// Builds a parameter map: `params! {"id" => "c-42", "limit" => 10}`.
#[macro_export]
macro_rules! params {
    () => { $crate::Map::new() };
    ($($key:expr => $value:expr),+ $(,)?) => {{
        let mut map = $crate::Map::new();
        $( map.insert(($key).to_string(), $crate::Value::from($value)); )+
        map
    }};
}

/// One result row: values by column position or name.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    columns: Arc<[String]>,
    values: Vec<Value>,
}

impl Row {
    pub(crate) fn new(columns: Arc<[String]>, values: Vec<Value>) -> Row {
        Row { columns, values }
    }

    /// The values, in column order.
    #[must_use]
    pub fn into_values(self) -> Vec<Value> {
        self.values
    }

    /// The value of a column, converted: `row.get::<&str>("name")?`, `row.get::<i64>("n")?`.
    pub fn get<'a, T: FromValueRef<'a>>(&'a self, column: &str) -> Result<T> {
        let value = self
            .value(column)
            .ok_or_else(|| Error::NoSuchColumn(column.to_owned()))?;
        Ok(value.get_as()?)
    }

    /// The raw value of a column.
    #[must_use]
    pub fn value(&self, column: &str) -> Option<&Value> {
        self.columns
            .iter()
            .position(|c| c == column)
            .map(|i| &self.values[i])
    }

    #[must_use]
    pub fn values(&self) -> &[Value] {
        &self.values
    }

    #[must_use]
    pub fn columns(&self) -> &[String] {
        &self.columns
    }

    /// The row as a map from column name to value.
    #[must_use]
    pub fn to_map(&self) -> Map {
        self.columns
            .iter()
            .cloned()
            .zip(self.values.iter().cloned())
            .collect()
    }
}

/// The result of a statement: columns, rows and what it changed.
#[derive(Debug, Clone, PartialEq)]
pub struct QueryResult {
    pub columns: Vec<String>,
    pub rows: Vec<Row>,
    pub stats: Stats,
    /// With PROFILE: the plan with the rows that entered each operator, and the time taken.
    pub profile: Option<String>,
}

impl QueryResult {
    pub(crate) fn new(
        columns: Vec<String>,
        values: Vec<Vec<Value>>,
        stats: Stats,
        profile: Option<String>,
    ) -> Self {
        let shared: Arc<[String]> = columns.clone().into();
        let rows = values
            .into_iter()
            .map(|values| Row {
                columns: Arc::clone(&shared),
                values,
            })
            .collect();
        QueryResult {
            columns,
            rows,
            stats,
            profile,
        }
    }

    #[must_use]
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    pub fn iter(&self) -> std::slice::Iter<'_, Row> {
        self.rows.iter()
    }

    /// Every row deserialized into `T` (a struct whose fields are named like the columns).
    pub fn deserialize<T: DeserializeOwned>(&self) -> Result<Vec<T>> {
        self.rows
            .iter()
            .map(|row| Ok(crate::value::from_value(Value::Map(row.to_map().into()))?))
            .collect()
    }
}

impl<'a> IntoIterator for &'a QueryResult {
    type Item = &'a Row;
    type IntoIter = std::slice::Iter<'a, Row>;
    fn into_iter(self) -> Self::IntoIter {
        self.rows.iter()
    }
}

/// The planner's view of the function library and of the graph's figures.
pub(crate) struct EngineCatalog<'a> {
    pub graph: &'a dyn GraphRead,
}

impl Catalog for EngineCatalog<'_> {
    fn function(&self, name: &str) -> Option<FunctionInfo> {
        functions::lookup(name).map(|d| FunctionInfo {
            name: d.name.to_owned(),
            min_args: d.min_args,
            max_args: d.max_args,
        })
    }

    fn aggregate(&self, name: &str) -> Option<FunctionInfo> {
        aggregate::lookup(name).map(|d| FunctionInfo {
            name: d.name.to_owned(),
            min_args: d.min_args,
            max_args: Some(d.max_args),
        })
    }

    fn procedure(&self, name: &str) -> Option<ProcedureInfo> {
        procedures().lookup(name).map(|p| ProcedureInfo {
            name: p.name.to_owned(),
            min_args: p.min_args,
            max_args: p.max_args,
            outputs: p.outputs.iter().map(|o| (*o).to_owned()).collect(),
            writes: p.writes,
        })
    }

    fn label_count(&self, label: &str) -> Option<u64> {
        let id = self.graph.label_id(label)?;
        self.graph.count_nodes(Some(id)).ok()
    }

    fn type_count(&self, rel_type: &str) -> Option<u64> {
        let id = self.graph.type_id(rel_type)?;
        self.graph.count_relationships(Some(id)).ok()
    }

    fn has_index(&self, label: &str, key: &str) -> bool {
        match (self.graph.label_id(label), self.graph.key_id(key)) {
            (Some(l), Some(k)) => self.graph.has_index(l, k),
            // The store indexes every label's `id` from the moment the label is created, so a
            // statement that creates the label (LOAD CSV ... MERGE into an empty database)
            // seeks by id from its second row on instead of scanning; a seek on a label that
            // is still absent finds nothing, as a scan would.
            (None, _) => key == "id",
            _ => false,
        }
    }
}

/// Every procedure `CALL` can reach: the graph's own, the graph algorithms and the
/// customer-management procedures.
pub fn procedures() -> &'static Registry {
    static REGISTRY: LazyLock<Registry> = LazyLock::new(|| {
        Registry::new(&[
            crate::exec::procedures::DB_PROCEDURES,
            crate::algo::PROCEDURES,
            crate::domain::PROCEDURES,
            crate::domain::gdpr::GDPR_PROCEDURES,
        ])
    });
    &REGISTRY
}

fn text_rows(column: &str, lines: impl IntoIterator<Item = String>) -> QueryResult {
    QueryResult::new(
        vec![column.to_owned()],
        lines
            .into_iter()
            .map(|l| vec![Value::String(l.into())])
            .collect(),
        Stats::default(),
        None,
    )
}

/// A statement parsed and planned once: what `Database::query` and `WriteTxn::execute` run.
pub(crate) enum Prepared {
    Query {
        plan: plan::QueryPlan,
        profile: bool,
    },
    Explain(plan::QueryPlan),
    Show(ShowKind),
    Schema(SchemaCommand),
    TransactionControl,
}

impl Prepared {
    /// Parses `text` and plans it against `graph`'s catalog.
    pub(crate) fn new(
        text: &str,
        graph: &dyn GraphRead,
        options: crate::plan::PlanOptions,
    ) -> Result<Prepared> {
        Prepared::plan(&crate::syntax::parse(text)?, text, graph, options)
    }

    /// Plans `statement`, parsed from `text` already, against `graph`'s catalog.
    pub(crate) fn plan(
        statement: &Statement,
        text: &str,
        graph: &dyn GraphRead,
        options: crate::plan::PlanOptions,
    ) -> Result<Prepared> {
        let catalog = EngineCatalog { graph };
        let plan_query =
            |q: &crate::syntax::ast::Query| plan::plan_query_with(q, text, &catalog, options);
        Ok(match statement {
            Statement::Query(q) => Prepared::Query {
                plan: plan_query(q)?,
                profile: false,
            },
            Statement::Profile(q) => Prepared::Query {
                plan: plan_query(q)?,
                profile: true,
            },
            Statement::Explain(q) => Prepared::Explain(plan_query(q)?),
            Statement::Schema(SchemaCommand::Show(kind)) => Prepared::Show(*kind),
            Statement::Schema(command) => Prepared::Schema(command.clone()),
            Statement::Begin | Statement::Commit | Statement::Rollback => {
                Prepared::TransactionControl
            }
        })
    }

    /// Whether the statement needs a write transaction.
    pub(crate) fn writes(&self) -> bool {
        match self {
            Prepared::Query { plan, .. } => plan.writes,
            Prepared::Schema(_) => true,
            Prepared::Explain(_) | Prepared::Show(_) | Prepared::TransactionControl => false,
        }
    }
}

/// What a statement runs with besides the graph.
pub(crate) struct Settings<'s> {
    pub params: &'s Params,
    pub now: &'s DateTime,
    pub interrupt: Option<&'s crate::exec::context::Interrupt>,
    pub cancel: Option<&'s crate::exec::context::Interrupt>,
    pub import_dir: Option<&'s std::path::Path>,
    /// Bytes the statement's holding operators may keep; `None` for no limit.
    pub memory_limit: Option<u64>,
    /// Run without the executor's shortcuts (with a simple plan, for differential tests).
    pub simple: bool,
}

/// Runs a planned query, handing each materialized row to `deliver` (which returns `false` to
/// stop); returns what it changed and, with PROFILE, the report. With `buffered`, the rows
/// delivered are kept until the statement ends, so they count against its memory budget.
pub(crate) fn run_plan(
    graph: Graph<'_>,
    plan: &plan::QueryPlan,
    profiling: bool,
    buffered: bool,
    settings: &Settings<'_>,
    deliver: &mut dyn FnMut(Vec<Value>) -> bool,
) -> Result<(Stats, Option<String>)> {
    let started = std::time::Instant::now();
    let mut ctx = Context::new(
        graph,
        settings.params.clone(),
        settings.now.clone(),
        procedures(),
    );
    ctx.interrupt = settings.interrupt.cloned();
    ctx.cancel = settings.cancel.cloned();
    ctx.budget = crate::exec::budget::MemoryBudget::new(settings.memory_limit);
    ctx.simple = settings.simple;
    ctx.import_dir = settings.import_dir.map(std::path::Path::to_path_buf);
    if profiling {
        ctx.profile = Some(std::collections::HashMap::new());
    }
    let mut rows_out = 0usize;
    run::run_query(&mut ctx, plan, &mut |ctx, row| {
        let read = ctx.read();
        let row = row
            .into_iter()
            .map(|v| materialize(read, v))
            .collect::<Result<Vec<_>, _>>()?;
        if buffered {
            ctx.budget
                .charge(crate::exec::budget::row_size(&row), "the result buffer")?;
        }
        rows_out += 1;
        Ok(if deliver(row) {
            crate::exec::matcher::Flow::Continue
        } else {
            crate::exec::matcher::Flow::Stop
        })
    })?;
    let profile = ctx
        .profile
        .take()
        .map(|counts| profile_text(plan, &counts, rows_out, started));
    Ok((ctx.stats, profile))
}

/// Runs a prepared statement against a graph to its end and returns every row.
pub(crate) fn execute(
    mut graph: Graph<'_>,
    prepared: &Prepared,
    settings: &Settings<'_>,
) -> Result<QueryResult> {
    match prepared {
        Prepared::Query { plan, profile } => {
            let mut rows = Vec::new();
            let (stats, profile) = run_plan(graph, plan, *profile, true, settings, &mut |row| {
                rows.push(row);
                true
            })?;
            Ok(QueryResult::new(plan.column_names(), rows, stats, profile))
        }
        Prepared::Explain(plan) => Ok(text_rows(
            "plan",
            plan.to_sexpr().lines().map(str::to_owned),
        )),
        Prepared::Show(kind) => {
            let read: &dyn GraphRead = match &graph {
                Graph::Read(g) => *g,
                Graph::Write(g) => &**g,
            };
            Ok(show(read, *kind))
        }
        Prepared::Schema(command) => {
            let Graph::Write(write) = &mut graph else {
                return Err(crate::storage::StorageError::ReadOnly.into());
            };
            schema(&mut **write, command)?;
            Ok(QueryResult::new(
                Vec::new(),
                Vec::new(),
                Stats::default(),
                None,
            ))
        }
        Prepared::TransactionControl => Err(Error::TransactionControl),
    }
}

/// The plan with rows in and time per operator. A streaming operator's own time is its time
/// less that of the operator it passes rows to; a blocking operator's is the time it spent
/// taking rows in and producing its own.
fn profile_text(
    plan: &plan::QueryPlan,
    counts: &std::collections::HashMap<usize, crate::exec::context::OpProfile>,
    rows_out: usize,
    started: std::time::Instant,
) -> String {
    use crate::plan::logical::Operator;
    let key = |op: &Operator| std::ptr::from_ref(op) as usize;
    let mut own: std::collections::HashMap<usize, u64> = std::collections::HashMap::new();
    for branch in &plan.branches {
        let ops = &branch.operators;
        for (i, op) in ops.iter().enumerate() {
            let this = counts.get(&key(op)).copied().unwrap_or_default();
            let time = match ops.get(i + 1) {
                _ if this.own_nanos > 0 || this.rows == 0 => this.own_nanos,
                Some(next) => {
                    let next = counts.get(&key(next)).copied().unwrap_or_default();
                    this.inclusive_nanos
                        .saturating_sub(next.inclusive_nanos + next.own_nanos)
                }
                None => this.inclusive_nanos,
            };
            own.insert(key(op), time);
        }
    }
    let mut text = plan.to_sexpr_annotated(&|op| {
        let profile = counts.get(&key(op)).copied().unwrap_or_default();
        let nanos = own.get(&key(op)).copied().unwrap_or(0);
        format!(
            "  ; rows in: {}, time: {:.3} ms",
            profile.rows,
            nanos as f64 / 1e6
        )
    });
    text.push_str(&format!(
        "; {rows_out} rows out in {:.3} ms\n",
        started.elapsed().as_secs_f64() * 1000.0
    ));
    text
}

/// The columns of each SHOW.
fn show_columns(kind: ShowKind) -> &'static [&'static str] {
    match kind {
        ShowKind::Indexes => &["name", "label", "property", "implicit", "online"],
        ShowKind::Constraints => &["name", "label", "property", "type"],
        ShowKind::Functions => &["name", "arguments"],
        ShowKind::Procedures => &["name", "outputs", "description"],
    }
}

fn show(graph: &dyn GraphRead, kind: ShowKind) -> QueryResult {
    let columns = || {
        show_columns(kind)
            .iter()
            .map(|s| (*s).to_owned())
            .collect::<Vec<_>>()
    };
    match kind {
        ShowKind::Indexes => QueryResult::new(
            columns(),
            graph
                .indexes()
                .into_iter()
                .map(|i| {
                    vec![
                        Value::String(i.name.into()),
                        Value::String(i.label.into()),
                        Value::String(i.key.into()),
                        Value::Bool(i.implicit),
                        Value::Bool(i.online),
                    ]
                })
                .collect(),
            Stats::default(),
            None,
        ),
        ShowKind::Constraints => QueryResult::new(
            columns(),
            graph
                .constraints()
                .into_iter()
                .map(|c| {
                    vec![
                        Value::String(c.name.into()),
                        Value::String(c.label.into()),
                        Value::String(c.key.into()),
                        Value::from(c.kind.name()),
                    ]
                })
                .collect(),
            Stats::default(),
            None,
        ),
        ShowKind::Functions => QueryResult::new(
            columns(),
            functions::all()
                .map(|f| {
                    vec![
                        Value::String(f.name.into()),
                        Value::String(f.arity_text().into()),
                    ]
                })
                .collect(),
            Stats::default(),
            None,
        ),
        ShowKind::Procedures => QueryResult::new(
            columns(),
            procedures()
                .all()
                .map(|p| {
                    vec![
                        Value::String(p.name.into()),
                        Value::List(
                            p.outputs
                                .iter()
                                .map(|o| Value::String((*o).into()))
                                .collect(),
                        ),
                        Value::String(p.description.into()),
                    ]
                })
                .collect(),
            Stats::default(),
            None,
        ),
    }
}

fn schema(graph: &mut dyn GraphWrite, command: &SchemaCommand) -> Result<()> {
    let single = |properties: &[String]| -> Result<String> {
        match properties {
            [one] => Ok(one.clone()),
            _ => Err(Error::Unsupported(
                "indexes and constraints on several properties".into(),
            )),
        }
    };
    match command {
        SchemaCommand::CreateIndex {
            name,
            if_not_exists,
            label,
            properties,
            ..
        } => {
            let key = single(properties)?;
            match graph.create_index(name.as_deref(), label, &key) {
                Err(crate::storage::StorageError::AlreadyExists { .. }) if *if_not_exists => Ok(()),
                other => other.map(|_| ()).map_err(Error::from),
            }
        }
        SchemaCommand::DropIndex { name, if_exists } => match graph.drop_index(name) {
            Err(crate::storage::StorageError::NoSuchSchemaObject { .. }) if *if_exists => Ok(()),
            other => other.map_err(Error::from),
        },
        SchemaCommand::CreateConstraint {
            name,
            if_not_exists,
            label,
            properties,
            kind,
            ..
        } => {
            let key = single(properties)?;
            let kind = match kind {
                crate::syntax::ast::ConstraintKind::Unique => ConstraintKind::Unique,
                crate::syntax::ast::ConstraintKind::NotNull => ConstraintKind::NotNull,
            };
            match graph.create_constraint(name.as_deref(), label, &key, kind) {
                Err(crate::storage::StorageError::AlreadyExists { .. }) if *if_not_exists => Ok(()),
                other => other.map(|_| ()).map_err(Error::from),
            }
        }
        SchemaCommand::DropConstraint { name, if_exists } => match graph.drop_constraint(name) {
            Err(crate::storage::StorageError::NoSuchSchemaObject { .. }) if *if_exists => Ok(()),
            other => other.map_err(Error::from),
        },
        SchemaCommand::Show(_) => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn procedure_names_are_unique() {
        let mut seen = std::collections::HashSet::new();
        for p in super::procedures().all() {
            assert!(
                seen.insert(p.name.to_ascii_lowercase()),
                "procedure {} is registered twice",
                p.name
            );
        }
    }
}

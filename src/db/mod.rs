//! The public API: `Database` (open, snapshots, write transactions) and conveniences that name
//! labels, types and keys by string on top of the id-based storage traits.

mod cursor;
pub mod language;
pub mod query;
mod statement;

use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;

use crate::error::Result;
use crate::storage::{self, Edge, GraphWrite, OpenOptions, Store, StoreStats};
use crate::value::{Map, Node, NodeId, RelId, Relationship, Value};

pub use crate::exec::budget::parse_size;
pub use crate::exec::context::Stats;
pub use crate::storage::{Direction, GraphRead, Snapshot as ReadTxn, WriteTxn};
pub use cursor::Rows;
use query::Prepared;
pub use query::{Params, QueryResult, Row};
pub use statement::{Statement, TransactionControl};
/// What the CLI needs of the engine besides the public API, so that it reaches the engine
/// through `db` alone.
#[cfg(feature = "cli")]
pub use {crate::storage::compact, query::procedures};

use crate::exec::budget::default_limit;
use crate::exec::context::Graph;
pub use crate::exec::context::Interrupt;
use crate::plan::PlanOptions;
use crate::value::DateTime;

/// Results known to hold at most this many rows (a LIMIT, an aggregation without keys) are
/// computed on the caller's thread and handed over whole; larger ones stream.
const SMALL_RESULT_ROWS: i64 = 10_000;

/// An embedded Cordial database: a directory on disk, or memory only.
///
/// `Database` is `Send + Sync`: share it between threads (in an `Arc`); readers work on
/// snapshots and are never blocked by the one writer.
#[derive(Clone)]
pub struct Database {
    store: Store,
    /// A pinned "now" for `date()`, `datetime()` and friends; the real clock when `None`.
    now: Option<DateTime>,
    /// Raised from another thread to stop the statements `query` runs; shared by clones.
    interrupt: Interrupt,
    /// The directory `LOAD CSV` reads below; the process's current directory when `None`.
    import_dir: Option<PathBuf>,
    /// Bytes one statement's sorts, aggregations and other holding operators may keep.
    memory_limit: Option<u64>,
    /// How `query` plans statements (the optimised plan unless `with_simple_plans`).
    plan_options: PlanOptions,
}

impl Database {
    /// Opens the database in `path`, creating it when the directory is absent or empty.
    pub fn open(path: impl AsRef<Path>) -> Result<Database> {
        Database::open_with(path, OpenOptions::default())
    }

    /// Opens an existing database for reading only: writes fail with `ReadOnly`.
    pub fn open_read_only(path: impl AsRef<Path>) -> Result<Database> {
        Database::open_with(
            path,
            OpenOptions {
                read_only: true,
                create: false,
                ..OpenOptions::default()
            },
        )
    }

    pub fn open_with(path: impl AsRef<Path>, options: OpenOptions) -> Result<Database> {
        Ok(Database {
            store: Store::open(path.as_ref(), options)?,
            now: None,
            interrupt: Interrupt::new(),
            import_dir: None,
            memory_limit: default_limit(),
            plan_options: PlanOptions::default(),
        })
    }

    /// A database in memory, gone when dropped.
    pub fn in_memory() -> Result<Database> {
        Ok(Database {
            store: Store::in_memory(OpenOptions::default())?,
            now: None,
            interrupt: Interrupt::new(),
            import_dir: None,
            memory_limit: default_limit(),
            plan_options: PlanOptions::default(),
        })
    }

    /// Pins the statement clock, so that scripted reports repeat (`--now 2025-01-01`).
    #[must_use]
    pub fn with_now(mut self, now: Option<DateTime>) -> Self {
        self.now = now;
        self
    }

    /// The flag that stops statements run by `query` (and `WriteTxn::execute_interruptible`
    /// when given it): raise it from another thread, e.g. a Ctrl-C handler; they fail with
    /// `ExecError::Interrupted` and change nothing. It stays raised until cleared.
    #[must_use]
    pub fn interrupt_handle(&self) -> Interrupt {
        self.interrupt.clone()
    }

    /// The date `date()` gives a statement run now: the pinned clock's, or today's.
    pub fn today(&self) -> Result<chrono::NaiveDate> {
        Ok(crate::value::Date::current(&self.statement_time(), None)?.0)
    }

    /// The pinned statement clock, if any.
    #[must_use]
    pub fn pinned_now(&self) -> Option<&DateTime> {
        self.now.as_ref()
    }

    /// Sets the directory `LOAD CSV` may read below (`file:///a.csv` is `dir/a.csv`); files
    /// outside it are refused. Without it, the process's current directory at the time of
    /// the statement.
    #[must_use]
    pub fn with_import_dir(mut self, dir: Option<PathBuf>) -> Self {
        self.import_dir = dir;
        self
    }

    /// Sets the memory budget of each statement: the bytes its sorts, aggregations, DISTINCT
    /// sets and other operators that hold rows may keep at once (`None`: no limit). Past it the
    /// statement fails with `ExecErrorKind::MemoryLimitExceeded`, naming the operator, and
    /// changes nothing. The default is half of the machine's memory.
    #[must_use]
    pub fn with_memory_limit(mut self, bytes: Option<u64>) -> Self {
        self.memory_limit = bytes;
        self
    }

    /// The memory budget of each statement, in bytes.
    #[must_use]
    pub fn memory_limit(&self) -> Option<u64> {
        self.memory_limit
    }

    /// The directory `LOAD CSV` reads below, when one was set.
    #[must_use]
    pub fn import_dir(&self) -> Option<&Path> {
        self.import_dir.as_deref()
    }

    /// With `true`, `query` runs the simplest plan of each statement (no index seek, no
    /// cost-based start, no shortcut), which must give the same rows as the optimised one:
    /// the reference of the differential test. Statements in a `WriteTxn` plan as usual.
    #[doc(hidden)]
    #[must_use]
    pub fn with_simple_plans(mut self, simple: bool) -> Self {
        self.plan_options.simple = simple;
        self
    }

    /// Runs one statement inside `txn` with this database's clock and import directory (what
    /// `WriteTxn::execute` does with the real clock and the current directory). The statement
    /// is atomic: when it fails, the transaction is as it was before it.
    pub fn execute_in(&self, txn: &mut WriteTxn, text: &str, params: &Params) -> Result<Rows> {
        self.run_in(txn, &Statement::parse(text)?, params)
    }

    /// `execute_in` for a prepared statement.
    pub fn run_in(
        &self,
        txn: &mut WriteTxn,
        statement: &Statement,
        params: &Params,
    ) -> Result<Rows> {
        txn.execute_inner(
            (statement.text(), Some(statement.parsed())),
            params,
            &self.statement_time(),
            Some(&self.interrupt),
            self.import_dir(),
            self.memory_limit,
        )
    }

    fn statement_time(&self) -> DateTime {
        self.now.clone().unwrap_or_else(DateTime::now)
    }

    /// Runs one statement in its own transaction (a snapshot for reads, a write transaction
    /// committed at the end for writes) and returns its rows as a cursor.
    ///
    /// A read streams: it runs on a thread of its own over a snapshot while the caller pulls
    /// rows, in memory bounded by a few batches; dropping the cursor stops it. A write runs to
    /// its end and commits before this returns. Errors in parsing and planning, and any raised
    /// before the first rows, come from this call; a later one from the iterator.
    pub fn query(&self, text: &str, params: Params) -> Result<Rows> {
        self.run(&Statement::parse(text)?, params)
    }

    /// Parses a statement once, to run it (`run`, `run_in`, `query_on`) as often as wanted:
    /// the shell parses each statement once, tells BEGIN, COMMIT and EXPLAIN apart by it, and
    /// hands it down.
    ///
    /// # Errors
    /// A syntax error, with its position.
    pub fn prepare(&self, text: &str) -> Result<Statement> {
        Statement::parse(text)
    }

    /// `query` for a prepared statement: planned against the snapshot (or transaction) it runs
    /// on, then run as `query` runs it.
    pub fn run(&self, statement: &Statement, params: Params) -> Result<Rows> {
        let snapshot = self.begin_read();
        let prepared = Prepared::plan(
            statement.parsed(),
            statement.text(),
            &snapshot,
            self.plan_options,
        )?;
        if prepared.writes() {
            drop(snapshot);
            let now = self.statement_time();
            let mut txn = self.begin_write()?;
            let settings = self.settings(&params, &now);
            let result = query::execute(Graph::Write(&mut txn), &prepared, &settings)?;
            txn.commit()?;
            return Ok(Rows::buffered(result));
        }
        self.read_rows(snapshot, prepared, params)
    }

    /// Runs a read-only statement on `snapshot`, as `query` runs a read: its rows come from
    /// that state of the graph whatever commits meanwhile, so a caller can read more from the
    /// same snapshot and find what the rows name (an export of what a query returns). A
    /// statement that writes is refused (`Error::WriteOnSnapshot`) before it runs.
    pub fn query_on(
        &self,
        snapshot: &ReadTxn,
        statement: &Statement,
        params: Params,
    ) -> Result<Rows> {
        let prepared = Prepared::plan(
            statement.parsed(),
            statement.text(),
            snapshot,
            self.plan_options,
        )?;
        if prepared.writes() {
            return Err(crate::Error::WriteOnSnapshot);
        }
        self.read_rows(snapshot.clone(), prepared, params)
    }

    /// The rows of a prepared read statement over `snapshot`: on this thread when they are few,
    /// else streamed from a worker.
    fn read_rows(&self, snapshot: ReadTxn, prepared: Prepared, params: Params) -> Result<Rows> {
        let now = self.statement_time();
        let Prepared::Query { plan, profile } = prepared else {
            let settings = self.settings(&params, &now);
            let result = query::execute(Graph::Read(&snapshot), &prepared, &settings)?;
            return Ok(Rows::buffered(result));
        };
        if plan.output_at_most(SMALL_RESULT_ROWS, &params) || plan.starts_from_seeks() {
            // A few rows (a bounded output, or a start from an index seek, which finds a few
            // nodes): computed on this thread, so a point query pays for no thread. The rows
            // count against the statement's memory budget while they wait.
            let settings = self.settings(&params, &now);
            let prepared = Prepared::Query { plan, profile };
            let result = query::execute(Graph::Read(&snapshot), &prepared, &settings)?;
            return Ok(Rows::buffered(result));
        }
        let interrupt = self.interrupt.clone();
        let import_dir = self.import_dir.clone();
        let memory_limit = self.memory_limit;
        let plan_options = self.plan_options;
        Rows::stream(plan.column_names(), move |producer, cancel| {
            let settings = query::Settings {
                params: &params,
                now: &now,
                interrupt: Some(&interrupt),
                cancel: Some(cancel),
                import_dir: import_dir.as_deref(),
                memory_limit,
                simple: plan_options.simple,
            };
            query::run_plan(
                Graph::Read(&snapshot),
                &plan,
                profile,
                false,
                &settings,
                &mut |row| producer.push(row),
            )
        })
    }

    /// Runs one statement like `query` and reads every row: a convenience for results known
    /// to be small.
    pub fn query_all(&self, text: &str, params: Params) -> Result<QueryResult> {
        self.query(text, params)?.into_result()
    }

    /// What statements run with: this database's interrupt flag and import directory.
    fn settings<'s>(&'s self, params: &'s Params, now: &'s DateTime) -> query::Settings<'s> {
        query::Settings {
            params,
            now,
            interrupt: Some(&self.interrupt),
            cancel: None,
            import_dir: self.import_dir(),
            memory_limit: self.memory_limit,
            simple: self.plan_options.simple,
        }
    }

    /// Runs a query and deserializes each row into `T` (fields named like the columns).
    pub fn query_as<T: DeserializeOwned>(&self, text: &str, params: Params) -> Result<Vec<T>> {
        self.query(text, params)?.deserialize().collect()
    }

    /// A snapshot of the last committed state.
    #[must_use]
    pub fn begin_read(&self) -> ReadTxn {
        self.store.snapshot()
    }

    /// The write transaction; waits while another one is open.
    pub fn begin_write(&self) -> Result<WriteTxn> {
        Ok(self.store.begin_write()?)
    }

    /// Folds committed changes into the columnar base now (it also happens on its own).
    pub fn checkpoint(&self) -> Result<()> {
        Ok(self.store.checkpoint()?)
    }

    pub fn stats(&self) -> Result<StoreStats> {
        Ok(self.store.stats()?)
    }

    /// Whether the database was opened read-only (`open_read_only`): writes then fail.
    #[must_use]
    pub fn is_read_only(&self) -> bool {
        self.store.is_read_only()
    }

    /// How many unreferenced chunks the open deleted because the database had not been closed
    /// cleanly (a crash, a kill), or `None` when it had been (or is new, or open read-only).
    #[must_use]
    pub fn swept_at_open(&self) -> Option<usize> {
        self.store.swept_at_open()
    }

    /// The storage engine, for bulk loading.
    #[must_use]
    pub(crate) fn store(&self) -> &Store {
        &self.store
    }

    /// Checkpoints and flushes. Dropping the database without closing loses nothing committed
    /// (the log is replayed at the next open), but the next open is slower.
    pub fn close(self) -> Result<()> {
        Ok(self.store.close()?)
    }
}

fn props_by_name(graph: &(impl GraphRead + ?Sized), props: Vec<(u32, Value)>) -> Map {
    props
        .into_iter()
        .map(|(k, v)| (graph.key_name(k).unwrap_or("?").to_owned(), v))
        .collect()
}

/// Reading by names, for any snapshot or transaction.
pub trait GraphReadExt: GraphRead {
    /// A node with its labels and properties, `None` when it does not exist.
    fn node(&self, id: NodeId) -> Result<Option<Node>> {
        if !self.node_exists(id)? {
            return Ok(None);
        }
        let labels = self
            .node_labels(id)?
            .into_iter()
            .map(|l| self.label_name(l).unwrap_or("?").to_owned())
            .collect();
        let properties = props_by_name(self, self.node_properties(id)?);
        Ok(Some(Node {
            id,
            labels,
            properties,
        }))
    }

    /// A relationship with its type, endpoints and properties.
    fn relationship_value(&self, id: RelId) -> Result<Option<Relationship>> {
        let Some(info) = self.relationship(id)? else {
            return Ok(None);
        };
        Ok(Some(Relationship {
            id,
            rel_type: self.type_name(info.rel_type).unwrap_or("?").to_owned(),
            start: info.start,
            end: info.end,
            properties: props_by_name(self, self.rel_properties(id)?),
        }))
    }

    /// A property by name, `Null` when absent.
    fn property(&self, node: NodeId, key: &str) -> Result<Value> {
        match self.key_id(key) {
            Some(key) => Ok(self.node_property(node, key)?),
            None if self.node_exists(node)? => Ok(Value::Null),
            None => Err(storage::StorageError::NodeNotFound(node.0).into()),
        }
    }

    /// The nodes with a label.
    fn nodes_labelled(&self, label: &str) -> Result<Vec<NodeId>> {
        match self.label_id(label) {
            Some(label) => Ok(self.nodes_with_label(label)?),
            None => Ok(Vec::new()),
        }
    }

    /// The nodes with `label` whose `key` equals `value`; an index seek where one exists.
    fn find_nodes(&self, label: &str, key: &str, value: &Value) -> Result<Vec<NodeId>> {
        match (self.label_id(label), self.key_id(key)) {
            (Some(label), Some(key)) => Ok(self.nodes_by_property(label, key, value)?),
            _ => Ok(Vec::new()),
        }
    }

    /// The relationships of a node, of one type (or any), in a direction.
    fn neighbours(
        &self,
        node: NodeId,
        rel_type: Option<&str>,
        direction: Direction,
    ) -> Result<Vec<Edge>> {
        let types = match rel_type {
            Some(name) => match self.type_id(name) {
                Some(id) => vec![id],
                None => return Ok(Vec::new()),
            },
            None => Vec::new(),
        };
        let mut edges = Vec::new();
        self.expand(node, direction, &types, &mut edges)?;
        Ok(edges)
    }
}

impl<T: GraphRead + ?Sized> GraphReadExt for T {}

impl WriteTxn {
    /// Runs one statement inside this transaction. The statement is atomic: when it fails, the
    /// transaction is as it was before the statement.
    pub fn execute(&mut self, text: &str, params: Params) -> Result<Rows> {
        self.execute_at(text, &params, &DateTime::now())
    }

    /// `execute`, reading every row.
    pub fn execute_all(&mut self, text: &str, params: Params) -> Result<QueryResult> {
        self.execute(text, params)?.into_result()
    }

    /// `execute` with the statement clock given.
    pub fn execute_at(&mut self, text: &str, params: &Params, now: &DateTime) -> Result<Rows> {
        self.execute_inner((text, None), params, now, None, None, default_limit())
    }

    /// `execute_at` that stops when `interrupt` is raised, leaving the transaction as it was
    /// before the statement.
    pub fn execute_interruptible(
        &mut self,
        text: &str,
        params: &Params,
        now: &DateTime,
        interrupt: &Interrupt,
    ) -> Result<Rows> {
        self.execute_inner(
            (text, None),
            params,
            now,
            Some(interrupt),
            None,
            default_limit(),
        )
    }

    /// `execute` with the statement clock and the `LOAD CSV` import directory given (the
    /// current directory when `None`).
    pub fn execute_with(
        &mut self,
        text: &str,
        params: &Params,
        now: &DateTime,
        import_dir: Option<&Path>,
    ) -> Result<Rows> {
        self.execute_inner((text, None), params, now, None, import_dir, default_limit())
    }

    /// Runs one statement with every setting given: its text (and the statement, when the
    /// caller parsed it already), the clock, the flag that stops it, and the directory
    /// `LOAD CSV` reads below.
    pub(crate) fn execute_inner(
        &mut self,
        source: (&str, Option<&crate::syntax::Statement>),
        params: &Params,
        now: &DateTime,
        interrupt: Option<&Interrupt>,
        import_dir: Option<&Path>,
        memory_limit: Option<u64>,
    ) -> Result<Rows> {
        let options = crate::plan::PlanOptions::default();
        let prepared = match source {
            (text, Some(statement)) => Prepared::plan(statement, text, self, options)?,
            (text, None) => Prepared::new(text, self, options)?,
        };
        let savepoint = self.savepoint();
        let settings = query::Settings {
            params,
            now,
            interrupt,
            cancel: None,
            import_dir,
            memory_limit,
            simple: false,
        };
        let result = query::execute(Graph::Write(self), &prepared, &settings);
        if result.is_err() {
            self.rollback_to(savepoint);
        }
        result.map(Rows::buffered)
    }

    fn intern_props(&mut self, props: &[(&str, Value)]) -> Result<Vec<(u32, Value)>> {
        props
            .iter()
            .map(|(k, v)| Ok((self.intern_key(k)?, v.clone())))
            .collect()
    }

    /// Creates a node with labels and properties given by name.
    pub fn add_node(&mut self, labels: &[&str], props: &[(&str, Value)]) -> Result<NodeId> {
        let labels = labels
            .iter()
            .map(|l| self.intern_label(l))
            .collect::<Result<Vec<_>, _>>()?;
        let props = self.intern_props(props)?;
        Ok(self.create_node(&labels, props)?)
    }

    /// Creates a relationship of a type given by name.
    pub fn add_relationship(
        &mut self,
        rel_type: &str,
        start: NodeId,
        end: NodeId,
        props: &[(&str, Value)],
    ) -> Result<RelId> {
        let rel_type = self.intern_type(rel_type)?;
        let props = self.intern_props(props)?;
        Ok(self.create_relationship(rel_type, start, end, props)?)
    }

    /// Sets (or, with `Null`, removes) a node property by name.
    pub fn set_property(&mut self, node: NodeId, key: &str, value: Value) -> Result<()> {
        let key = self.intern_key(key)?;
        Ok(self.set_node_property(node, key, value)?)
    }

    /// Adds a label by name; false when the node had it.
    pub fn label_node(&mut self, node: NodeId, label: &str) -> Result<bool> {
        let label = self.intern_label(label)?;
        Ok(self.add_label(node, label)?)
    }

    /// Removes a label by name; false when the node did not have it.
    pub fn unlabel_node(&mut self, node: NodeId, label: &str) -> Result<bool> {
        match self.label_id(label) {
            Some(label) => Ok(self.remove_label(node, label)?),
            None => Ok(false),
        }
    }
}

#[cfg(test)]
mod tests;

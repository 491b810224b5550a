//! The public API: `Database` (open, snapshots, write transactions) and conveniences that name
//! labels, types and keys by string on top of the id-based storage traits.

pub mod query;

use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;

use crate::error::Result;
use crate::storage::{
    self, Direction, Edge, GraphRead, GraphWrite, OpenOptions, Store, StoreStats,
};
use crate::value::{Map, Node, NodeId, RelId, Relationship, Value};

pub use crate::storage::{Snapshot as ReadTxn, WriteTxn};
pub use query::{Params, QueryResult, Row, procedures};

use crate::exec::context::Graph;
pub use crate::exec::context::Interrupt;
use crate::plan::PlanOptions;
use crate::value::DateTime;

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
    pub fn execute_in(
        &self,
        txn: &mut WriteTxn,
        text: &str,
        params: &Params,
    ) -> Result<QueryResult> {
        txn.execute_inner(
            text,
            params,
            &self.statement_time(),
            Some(&self.interrupt),
            self.import_dir(),
        )
    }

    fn statement_time(&self) -> DateTime {
        self.now.clone().unwrap_or_else(DateTime::now)
    }

    /// Runs one statement in its own transaction (a snapshot for reads, a write transaction
    /// committed at the end for writes) and returns its result.
    pub fn query(&self, text: &str, params: Params) -> Result<QueryResult> {
        let statement = crate::syntax::parse(text)?;
        let now = self.statement_time();
        let snapshot = self.begin_read();
        if !query::writes(&statement, text, &snapshot)? {
            return query::execute(
                Graph::Read(&snapshot),
                &statement,
                text,
                &params,
                &now,
                Some(&self.interrupt),
                self.import_dir(),
                self.plan_options,
            );
        }
        drop(snapshot);
        let mut txn = self.begin_write()?;
        let result = query::execute(
            Graph::Write(&mut txn),
            &statement,
            text,
            &params,
            &now,
            Some(&self.interrupt),
            self.import_dir(),
            self.plan_options,
        )?;
        txn.commit()?;
        Ok(result)
    }

    /// Runs a query and deserializes each row into `T` (fields named like the columns).
    pub fn query_as<T: DeserializeOwned>(&self, text: &str, params: Params) -> Result<Vec<T>> {
        self.query(text, params)?.deserialize()
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

    /// The storage engine, for bulk loading and tools.
    #[must_use]
    pub fn store(&self) -> &Store {
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
    pub fn execute(&mut self, text: &str, params: Params) -> Result<QueryResult> {
        self.execute_at(text, &params, &DateTime::now())
    }

    /// `execute` with the statement clock given.
    pub fn execute_at(
        &mut self,
        text: &str,
        params: &Params,
        now: &DateTime,
    ) -> Result<QueryResult> {
        self.execute_inner(text, params, now, None, None)
    }

    /// `execute_at` that stops when `interrupt` is raised, leaving the transaction as it was
    /// before the statement.
    pub fn execute_interruptible(
        &mut self,
        text: &str,
        params: &Params,
        now: &DateTime,
        interrupt: &Interrupt,
    ) -> Result<QueryResult> {
        self.execute_inner(text, params, now, Some(interrupt), None)
    }

    /// `execute` with the statement clock and the `LOAD CSV` import directory given (the
    /// current directory when `None`).
    pub fn execute_with(
        &mut self,
        text: &str,
        params: &Params,
        now: &DateTime,
        import_dir: Option<&Path>,
    ) -> Result<QueryResult> {
        self.execute_inner(text, params, now, None, import_dir)
    }

    /// Runs one statement with every setting given: the clock, the flag that stops it, and
    /// the directory `LOAD CSV` reads below.
    pub(crate) fn execute_inner(
        &mut self,
        text: &str,
        params: &Params,
        now: &DateTime,
        interrupt: Option<&Interrupt>,
        import_dir: Option<&Path>,
    ) -> Result<QueryResult> {
        let statement = crate::syntax::parse(text)?;
        let savepoint = self.savepoint();
        let result = query::execute(
            Graph::Write(self),
            &statement,
            text,
            params,
            now,
            interrupt,
            import_dir,
            PlanOptions::default(),
        );
        if result.is_err() {
            self.rollback_to(savepoint);
        }
        result
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
mod tests {
    use super::*;

    fn assert_send_sync<T: Send + Sync>() {}

    #[test]
    fn a_raised_interrupt_stops_statements_and_changes_nothing() {
        let db = Database::in_memory().unwrap();
        db.query("CREATE (:Customer {id: 1})", Params::new())
            .unwrap();
        let flag = db.interrupt_handle();
        flag.raise();
        let interrupted = |r: Result<QueryResult>| matches!(r, Err(crate::Error::Exec(e)) if e.kind() == crate::exec::ExecErrorKind::Interrupted);
        assert!(interrupted(db.query(
            "UNWIND range(1, 1000000) AS x RETURN count(x)",
            Params::new()
        )));
        assert!(interrupted(db.query(
            "UNWIND range(1, 10) AS x CREATE (:Customer {id: x})",
            Params::new()
        )));
        let mut txn = db.begin_write().unwrap();
        assert!(interrupted(txn.execute_interruptible(
            "MATCH (c:Customer) SET c.seen = true",
            &Params::new(),
            &DateTime::now(),
            &flag
        )));
        txn.commit().unwrap();
        flag.clear();
        let rows = db
            .query(
                "MATCH (c:Customer) RETURN count(c) AS n, count(c.seen) AS seen",
                Params::new(),
            )
            .unwrap();
        assert_eq!(rows.rows[0].get::<i64>("n").unwrap(), 1);
        assert_eq!(rows.rows[0].get::<i64>("seen").unwrap(), 0);
    }

    #[test]
    fn database_is_send_and_sync() {
        assert_send_sync::<Database>();
        assert_send_sync::<ReadTxn>();
        assert_send_sync::<WriteTxn>();
    }
}

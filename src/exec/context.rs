//! The state a statement runs with: the graph (read-only snapshot or write transaction), the
//! parameters, the statement clock, and the side-effect counters.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::storage::{GraphRead, GraphWrite, StorageError};
use crate::value::{DateTime, Map, Value};

use super::ExecError;

/// The graph a statement runs against.
pub enum Graph<'g> {
    Read(&'g dyn GraphRead),
    Write(&'g mut dyn GraphWrite),
}

/// Counts of what a statement changed, as the TCK's side-effect tables list them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stats {
    pub nodes_created: u64,
    pub nodes_deleted: u64,
    pub relationships_created: u64,
    pub relationships_deleted: u64,
    pub properties_set: u64,
    pub properties_removed: u64,
    pub labels_added: u64,
    pub labels_removed: u64,
}

impl Stats {
    /// True when the statement changed nothing.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        *self == Stats::default()
    }
}

/// What PROFILE measures of one operator.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OpProfile {
    /// Rows that entered the operator.
    pub rows: u64,
    /// Time in the operator and everything it passed rows on to (streaming operators).
    pub inclusive_nanos: u64,
    /// Time a blocking operator spent taking rows in and producing its own.
    pub own_nanos: u64,
}

/// A flag another thread raises to stop running statements (Ctrl-C in the shell). Clones share
/// the flag. It stays raised until cleared: every statement that sees it fails with
/// `ExecError::Interrupted`, so the owner clears it before starting the next one.
#[derive(Debug, Clone, Default)]
pub struct Interrupt(Arc<AtomicBool>);

impl Interrupt {
    #[must_use]
    pub fn new() -> Self {
        Interrupt::default()
    }

    /// Asks running statements to stop.
    pub fn raise(&self) {
        self.0.store(true, Ordering::Relaxed);
    }

    pub fn clear(&self) {
        self.0.store(false, Ordering::Relaxed);
    }

    #[must_use]
    pub fn is_raised(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

/// Everything a running statement reads besides rows.
pub struct Context<'g> {
    pub graph: Graph<'g>,
    pub params: Map,
    pub now: DateTime,
    pub stats: Stats,
    /// Slots in a row of the running query.
    pub row_width: usize,
    /// With PROFILE: what each operator did, by the operator's address in the plan.
    pub profile: Option<std::collections::HashMap<usize, OpProfile>>,
    /// The procedures `CALL` reaches.
    pub procedures: &'g crate::procedure::Registry,
    /// Checked once per row pushed and per candidate scanned: a raised flag stops the statement.
    pub interrupt: Option<Interrupt>,
    /// Raised when the statement's result is no longer wanted (its cursor was dropped).
    pub cancel: Option<Interrupt>,
    /// What the operators that hold rows may keep.
    pub budget: super::budget::MemoryBudget,
    /// The directory `LOAD CSV` reads below; the process's current directory when `None`.
    pub import_dir: Option<std::path::PathBuf>,
    /// The file and line of the row the innermost `LOAD CSV` is handling, for `file()` and
    /// `linenumber()`.
    pub csv_row: Option<(std::sync::Arc<str>, u64)>,
    /// Run the plan without shortcuts (DISTINCT by node or relationship id, in projections and
    /// in aggregates; a bounded heap for ORDER BY with LIMIT): the reference side of the
    /// differential test, with `PlanOptions::simple`.
    pub simple: bool,
    /// For a worker of a parallel run: the next node scan takes only its part `.0` of `.1`
    /// equal parts of the candidates, in order.
    pub scan_part: Option<(usize, usize)>,
    /// Property key ids found for key names, by the address and length of the name (direct
    /// mapped; a hit is confirmed by the id's name), so a property read per row hashes no
    /// string. Only found ids are kept: an id, once given, never changes.
    key_ids: [std::cell::Cell<(usize, usize, u32)>; KEY_MEMO],
}

const KEY_MEMO: usize = 8;

impl<'g> Context<'g> {
    pub fn new(
        graph: Graph<'g>,
        params: Map,
        now: DateTime,
        procedures: &'g crate::procedure::Registry,
    ) -> Self {
        Context {
            graph,
            params,
            now,
            stats: Stats::default(),
            row_width: 0,
            profile: None,
            procedures,
            import_dir: None,
            csv_row: None,
            interrupt: None,
            cancel: None,
            budget: super::budget::MemoryBudget::default(),
            simple: false,
            scan_part: None,
            key_ids: Default::default(),
        }
    }

    /// The id of property key `name`, `None` when the graph has no such key.
    pub fn key_id(&self, name: &str) -> Option<u32> {
        let at = name.as_ptr() as usize;
        let slot = (at >> 3) % KEY_MEMO;
        let (address, len, id) = self.key_ids[slot].get();
        // The address only points to the entry; the name itself is compared (by id, without
        // hashing), so a name at an address another name had before is never mistaken.
        if address == at && len == name.len() && self.read().key_name(id) == Some(name) {
            return Some(id);
        }
        let id = self.read().key_id(name)?;
        self.key_ids[slot].set((at, name.len(), id));
        Some(id)
    }

    /// `Err(Interrupted)` once the statement's interrupt flag is raised.
    pub fn check_interrupt(&self) -> Result<(), ExecError> {
        let raised = |flag: &Option<Interrupt>| flag.as_ref().is_some_and(Interrupt::is_raised);
        if raised(&self.interrupt) || raised(&self.cancel) {
            Err(ExecError::Interrupted)
        } else {
            Ok(())
        }
    }

    pub fn read(&self) -> &dyn GraphRead {
        match &self.graph {
            Graph::Read(g) => *g,
            Graph::Write(g) => &**g,
        }
    }

    pub fn write(&mut self) -> Result<&mut dyn GraphWrite, ExecError> {
        match &mut self.graph {
            Graph::Write(g) => Ok(&mut **g),
            Graph::Read(_) => Err(ExecError::Storage(StorageError::ReadOnly)),
        }
    }

    pub fn param(&self, name: &str) -> Result<Value, ExecError> {
        self.params
            .get(name)
            .cloned()
            .ok_or_else(|| ExecError::ParameterMissing(name.to_owned()))
    }
}

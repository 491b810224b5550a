//! Getting data out: `export` writes the whole graph, or the subgraph a query returns, as a
//! neo4j-admin CSV bundle (which `import` reloads), JSON lines, GraphML or a Cypher script;
//! `dump` and `restore` (in `dump.rs`) make a versioned, checksummed backup file that does not
//! depend on the store's on-disk format.
//!
//! Exports read one snapshot, so they see one committed state even while others write. A
//! format that cannot hold a value faithfully (an empty string in CSV, a map property) is
//! refused with an error naming the element, never written lossily. Knows the store only
//! through `GraphRead` and the bulk loader; knows nothing of the CLI.

mod cypher;
pub mod dump;
mod graphml;
mod jsonl;
mod neo4j_csv;

use std::collections::BTreeSet;
use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Instant;

use crate::db::{Database, Params, ReadTxn};
use crate::storage::{GraphRead, StorageError};
use crate::value::{NodeId, RelId, Value};

pub use dump::{DumpSummary, RestoreSummary, dump, restore, restore_into};

/// Why an export, dump or restore failed. Tests match on the variants.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ExportError {
    /// Exports write into a new or empty directory, so they never mix with older files.
    #[error("{} exists and is not empty: export into a new or empty directory", path.display())]
    TargetNotEmpty { path: PathBuf },
    #[error("cannot write {}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A value, name or element the chosen format cannot hold exactly.
    #[error(
        "{format} cannot represent {element}: {detail} (use --format jsonl, cypher or `cordial dump`)"
    )]
    Unrepresentable {
        format: &'static str,
        element: String,
        detail: String,
    },
    /// The `--query` failed.
    #[error("the export query failed: {0}")]
    Query(Box<crate::Error>),
    /// The file does not start with the dump header.
    #[error("{} is not a cordial dump (its first bytes are not the dump header)", path.display())]
    NotADump { path: PathBuf },
    /// A dump written by a newer (or unknown) version of the dump format.
    #[error("{} is a dump of format version {found}; this build reads version {supported}", path.display())]
    DumpVersion {
        path: PathBuf,
        found: u32,
        supported: u32,
    },
    /// The dump's checksum does not match its contents: it was damaged.
    #[error("{} is damaged: checksum {found:08x} does not match the recorded {expected:08x}", path.display())]
    DumpChecksum {
        path: PathBuf,
        expected: u32,
        found: u32,
    },
    /// The dump ends before its trailer.
    #[error("{} is truncated: it ends at byte {at} before the dump's end record", path.display())]
    DumpTruncated { path: PathBuf, at: u64 },
    /// A record that does not decode (with a valid checksum: written by a faulty program).
    #[error("{} is corrupt at byte {at}: {detail}", path.display())]
    DumpCorrupt {
        path: PathBuf,
        at: u64,
        detail: String,
    },
    /// Restore builds a database from nothing; it never merges into existing data.
    #[error("{} holds data: restore needs a new or empty database", path.display())]
    RestoreTargetNotEmpty { path: PathBuf },
    #[error(transparent)]
    Storage(#[from] StorageError),
}

pub(crate) fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> ExportError + '_ {
    move |source| ExportError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// An export format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    /// `nodes/<Label>.csv` and `relationships/<TYPE>.csv` with typed headers.
    Neo4jCsv,
    /// `graph.jsonl`: one JSON object per node, then per relationship.
    Jsonl,
    /// `graph.graphml`.
    GraphMl,
    /// `graph.cypher`: CREATE statements that rebuild the graph.
    Cypher,
}

impl ExportFormat {
    /// Every format's name, as the command line takes it.
    pub const NAMES: &'static [&'static str] = &["neo4j-csv", "jsonl", "graphml", "cypher"];

    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            ExportFormat::Neo4jCsv => "neo4j-csv",
            ExportFormat::Jsonl => "jsonl",
            ExportFormat::GraphMl => "graphml",
            ExportFormat::Cypher => "cypher",
        }
    }
}

impl std::str::FromStr for ExportFormat {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "neo4j-csv" | "csv" => Ok(ExportFormat::Neo4jCsv),
            "jsonl" | "json" => Ok(ExportFormat::Jsonl),
            "graphml" => Ok(ExportFormat::GraphMl),
            "cypher" => Ok(ExportFormat::Cypher),
            _ => Err(format!(
                "unknown export format `{s}` (expected one of {})",
                ExportFormat::NAMES.join(", ")
            )),
        }
    }
}

impl fmt::Display for ExportFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// How far a long operation is: `done` of `total` elements (or bytes, as the operation says).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    pub done: u64,
    pub total: u64,
}

/// What an export wrote.
#[derive(Debug, Clone, PartialEq)]
pub struct ExportSummary {
    pub nodes: u64,
    pub relationships: u64,
    /// The files written, relative to the export directory.
    pub files: Vec<PathBuf>,
    pub bytes: u64,
    pub seconds: f64,
}

/// The nodes and relationships to export, ascending by id; every relationship's ends are in
/// `nodes`.
pub(crate) struct Selection {
    pub nodes: Vec<NodeId>,
    pub rels: Vec<RelId>,
    /// The whole graph, so its indexes and constraints go with it.
    pub whole: bool,
}

impl Selection {
    fn total(&self) -> u64 {
        (self.nodes.len() + self.rels.len()) as u64
    }
}

/// Collects the nodes and relationships in a value (paths, lists and maps included).
fn collect(value: &Value, nodes: &mut BTreeSet<NodeId>, rels: &mut BTreeSet<RelId>) {
    match value {
        Value::Node(n) => {
            nodes.insert(n.id);
        }
        Value::Relationship(r) => {
            rels.insert(r.id);
            nodes.insert(r.start);
            nodes.insert(r.end);
        }
        Value::Path(p) => {
            nodes.extend(p.nodes.iter().map(|n| n.id));
            for r in &p.relationships {
                rels.insert(r.id);
                nodes.insert(r.start);
                nodes.insert(r.end);
            }
        }
        Value::List(items) => items.iter().for_each(|v| collect(v, nodes, rels)),
        Value::Map(map) => map.values().for_each(|v| collect(v, nodes, rels)),
        _ => {}
    }
}

/// The elements a query returns, with the endpoints of returned relationships; everything
/// when there is no query.
pub(crate) fn select(
    db: &Database,
    snapshot: &ReadTxn,
    query: Option<&str>,
) -> Result<Selection, ExportError> {
    let Some(query) = query else {
        return Ok(Selection {
            nodes: snapshot.all_nodes()?,
            rels: snapshot.all_relationships()?,
            whole: true,
        });
    };
    // On the export's own snapshot: everything the rows name is there to be read, whatever
    // commits meanwhile. A query that writes is refused.
    let result = db
        .prepare(query)
        .and_then(|statement| db.query_on(snapshot, &statement, Params::new()))
        .map_err(|e| ExportError::Query(Box::new(e)))?;
    let (mut nodes, mut rels) = (BTreeSet::new(), BTreeSet::new());
    for row in result {
        let row = row.map_err(|e| ExportError::Query(Box::new(e)))?;
        for value in row.values() {
            collect(value, &mut nodes, &mut rels);
        }
    }
    Ok(Selection {
        nodes: nodes.into_iter().collect(),
        rels: rels.into_iter().collect(),
        whole: false,
    })
}

/// One node as the writers see it: label names and named properties, by key id order.
pub(crate) struct NodeData<'a> {
    pub id: NodeId,
    pub labels: Vec<&'a str>,
    pub props: Vec<(&'a str, Value)>,
}

pub(crate) struct RelData<'a> {
    pub id: RelId,
    pub rel_type: &'a str,
    pub start: NodeId,
    pub end: NodeId,
    pub props: Vec<(&'a str, Value)>,
}

fn name(names: &[String], id: u32) -> Result<&str, StorageError> {
    names
        .get(id as usize)
        .map(String::as_str)
        .ok_or(StorageError::UnknownName(id))
}

pub(crate) fn read_node<'a>(
    snapshot: &'a ReadTxn,
    id: NodeId,
) -> Result<NodeData<'a>, StorageError> {
    let labels = snapshot
        .node_labels(id)?
        .into_iter()
        .map(|l| name(snapshot.label_names(), l))
        .collect::<Result<_, _>>()?;
    let props = snapshot
        .node_properties(id)?
        .into_iter()
        .map(|(k, v)| Ok((name(snapshot.key_names(), k)?, v)))
        .collect::<Result<_, StorageError>>()?;
    Ok(NodeData { id, labels, props })
}

pub(crate) fn read_rel<'a>(snapshot: &'a ReadTxn, id: RelId) -> Result<RelData<'a>, StorageError> {
    let info = snapshot
        .relationship(id)?
        .ok_or(StorageError::RelationshipNotFound(id.0))?;
    let props = snapshot
        .rel_properties(id)?
        .into_iter()
        .map(|(k, v)| Ok((name(snapshot.key_names(), k)?, v)))
        .collect::<Result<_, StorageError>>()?;
    Ok(RelData {
        id,
        rel_type: name(snapshot.type_names(), info.rel_type)?,
        start: info.start,
        end: info.end,
        props,
    })
}

/// A scalar's text without quotes: temporals in ISO 8601 (`2024-01-31`, `PT1H`), as the
/// importer and the temporal functions read them.
pub(crate) fn plain_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.to_string(),
        Value::Date(d) => d.to_string(),
        Value::LocalTime(t) => t.to_string(),
        Value::Time(t) => t.to_string(),
        Value::LocalDateTime(t) => t.to_string(),
        Value::DateTime(t) => t.to_string(),
        Value::Duration(d) => d.to_string(),
        other => other.to_string(),
    }
}

/// Creates the export directory, which must be absent or empty.
fn prepare_dir(dir: &Path) -> Result<(), ExportError> {
    if dir.exists() {
        let mut entries = std::fs::read_dir(dir).map_err(io_error(dir))?;
        if entries.next().is_some() {
            return Err(ExportError::TargetNotEmpty {
                path: dir.to_path_buf(),
            });
        }
    }
    std::fs::create_dir_all(dir).map_err(io_error(dir))
}

/// Calls `progress` every so many elements, so the callback costs nothing noticeable.
pub(crate) struct Ticker<'p> {
    progress: &'p mut dyn FnMut(Progress),
    done: u64,
    total: u64,
}

impl<'p> Ticker<'p> {
    pub fn new(progress: &'p mut dyn FnMut(Progress), total: u64) -> Self {
        progress(Progress { done: 0, total });
        Ticker {
            progress,
            done: 0,
            total,
        }
    }

    pub fn tick(&mut self) {
        self.done += 1;
        if self.done.is_multiple_of(4096) || self.done == self.total {
            (self.progress)(Progress {
                done: self.done,
                total: self.total,
            });
        }
    }
}

/// Writes the graph (or `query`'s subgraph) of `db` into the directory `dir` (new or empty) in
/// `format`. On failure the files written so far are removed.
pub fn export(
    db: &Database,
    dir: &Path,
    format: ExportFormat,
    query: Option<&str>,
    progress: &mut dyn FnMut(Progress),
) -> Result<ExportSummary, ExportError> {
    let started = Instant::now();
    let snapshot = db.begin_read();
    let selection = select(db, &snapshot, query)?;
    prepare_dir(dir)?;
    let mut ticker = Ticker::new(progress, selection.total());
    let written = match format {
        ExportFormat::Neo4jCsv => neo4j_csv::write(&snapshot, &selection, dir, &mut ticker),
        ExportFormat::Jsonl => jsonl::write(&snapshot, &selection, dir, &mut ticker),
        ExportFormat::GraphMl => graphml::write(&snapshot, &selection, dir, &mut ticker),
        ExportFormat::Cypher => cypher::write(&snapshot, &selection, dir, &mut ticker),
    };
    let files = match written {
        Ok(files) => files,
        Err(error) => {
            // Leave the directory as it was: empty (it was checked above).
            if let Ok(entries) = std::fs::read_dir(dir) {
                for entry in entries.flatten() {
                    let path = entry.path();
                    let _ = if path.is_dir() {
                        std::fs::remove_dir_all(&path)
                    } else {
                        std::fs::remove_file(&path)
                    };
                }
            }
            return Err(error);
        }
    };
    let mut bytes = 0;
    for file in &files {
        let path = dir.join(file);
        bytes += std::fs::metadata(&path).map_err(io_error(&path))?.len();
    }
    Ok(ExportSummary {
        nodes: selection.nodes.len() as u64,
        relationships: selection.rels.len() as u64,
        files,
        bytes,
        seconds: started.elapsed().as_secs_f64(),
    })
}

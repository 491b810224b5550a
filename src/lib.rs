//! Cordial: an embedded customer knowledge graph database with an openCypher-family query
//! language. See `ARCHITECTURE.md` for the map of modules and their invariants.
//!
//! The public API is what this file declares public or re-exports; every other module is
//! internal (`pub(crate)`). `tests/architecture.rs` lists the public modules, so that one is
//! not added unnoticed.
#![doc = include_str!("../README.md")]
#![doc(test(attr(deny(warnings))))]

// The engine's layers, internal: a program reaches them through the re-exports below.
pub(crate) mod algo;
pub(crate) mod db;
pub(crate) mod domain;
pub(crate) mod error;
pub(crate) mod exec;
pub(crate) mod plan;
pub(crate) mod procedure;
pub(crate) mod storage;
pub(crate) mod syntax;

// Public modules. Values: `Value`, the temporal types, ids, and the mapping of values to and
// from Rust types.
pub mod value;

// Bulk import of a neo4j-admin CSV bundle, and the upserting import of CRM exports through
// mapping files; their options, summaries and errors.
pub mod import;

// Export (neo4j-admin CSV, JSON lines, GraphML, Cypher), dump and restore.
pub mod export;

// Pictures of query results: SVG, Graphviz DOT, Mermaid.
pub mod picture;

// The customer domain a program uses directly: the sample company and the standard schema.
pub mod crm;

// The `cordial` binary and its shell, which run in process too (`Session`).
#[cfg(feature = "cli")]
pub mod cli;

// Opening a database, running statements, transactions, results.
pub use db::{
    Database, Interrupt, Params, QueryResult, ReadTxn, Row, Rows, Statement, Stats,
    TransactionControl, WriteTxn,
};

// Opening with options, the store's figures, compaction (what `cordial compact` runs; every
// other handle on the directory must be closed), and memory limits given as text (`512MB`).
pub use db::parse_size;
pub use storage::{CompactStats, OpenOptions, StoreStats, compact};

// Errors: one `Error` with a structured `ErrorKind`, wrapping a typed error per layer.
pub use error::{Error, ErrorKind, Phase, Result};
pub use exec::{ExecError, ExecErrorKind, LoadCsvProblem};
pub use plan::{PlanError, PlanErrorKind};
pub use storage::{ConstraintKind, StorageError};
pub use syntax::{SyntaxError, SyntaxErrorKind};
pub use value::{ValueError, ValueErrorKind};

// The graph by ids, below the query language: the traits every snapshot (`ReadTxn`) and write
// transaction implement, reading by names (`GraphReadExt`), and what they take and return.
pub use db::GraphReadExt;
pub use storage::{
    ConstraintInfo, Direction, Edge, GraphRead, GraphWrite, IndexInfo, KeyId, LabelId, RelInfo,
    Savepoint, TypeId,
};

// The query language as a tool presents it (what the shell uses): keywords, functions and
// aggregates, whether typed text needs more input, the statement splitter.
pub use db::language;

// The value types most programs name.
pub use value::{List, Map, Node, NodeId, Path, RelId, Relationship, SharedMap, Value};

// `params! {"id" => "cus-1"}`, a `Params` map, is exported by `db::query` (`#[macro_export]`).

//! The graph store: a columnar base graph in packed chunks, a durable log of committed
//! transactions, an in-memory overlay of the changes since the last checkpoint, and snapshots.
//!
//! The only module that names sled or bincode. The executor reaches it through the `GraphRead`
//! and `GraphWrite` traits; `Store` opens, commits and checkpoints. The same engine runs on a
//! sled tree or on an in-memory map (`backend`), and both pass one test suite.
//!
//! **Invariants:** a committed transaction is one log record, durable before `commit` returns;
//! the manifest names exactly the chunks of the base graph and is switched in the same atomic
//! batch as the chunks a checkpoint writes; a reader's snapshot never changes under it.

mod backend;
mod bits;
mod bulk;
mod cache;
mod catalog;
mod checkpoint;
mod chunk_files;
mod chunks;
pub(crate) mod codec;
mod compact;
pub mod keys;
mod read;
pub mod records;
mod state;
mod store;
#[cfg(test)]
pub(crate) mod testing;
mod traits;
mod write;

pub use bulk::{BulkLoader, Field, LabelBatch, RelBatch};
pub use catalog::{KeyId, LabelId, TypeId};
pub use chunks::{FxHasher, MemoScope};
pub use compact::{CompactStats, compact};
pub use read::Snapshot;
pub use records::ConstraintKind;
pub use store::{OpenOptions, Store, StoreStats, moved_here};
pub use traits::{ConstraintInfo, Direction, Edge, GraphRead, GraphWrite, IndexInfo, RelInfo};
pub use write::{Savepoint, WriteTxn};

/// Node and relationship ids are grouped in blocks of this many: a group's chunks hold the
/// properties, labels and adjacency of its ids.
pub const GROUP_SHIFT: u32 = 12;
pub const GROUP_SIZE: u32 = 1 << GROUP_SHIFT;

/// Why a storage operation failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StorageError {
    #[error("storage i/o failed: {0}")]
    Sled(#[from] sled::Error),
    #[error("i/o error on {path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot encode record: {0}")]
    Encode(String),
    #[error("corrupt {what}: {detail}")]
    Corruption { what: String, detail: String },
    #[error("{path} is a database of format version {found}, this build reads version {supported}")]
    UnsupportedFormat {
        path: String,
        found: u32,
        supported: u32,
    },
    #[error("{path} is not a cordial database ({detail})")]
    ForeignDirectory { path: String, detail: String },
    #[error("database {path} is in use by another process")]
    Locked { path: String },
    #[error("database {path} does not exist")]
    NotFound { path: String },
    #[error("the database is open read-only")]
    ReadOnly,
    #[error("node {0} does not exist")]
    NodeNotFound(u64),
    #[error("relationship {0} does not exist")]
    RelationshipNotFound(u64),
    #[error("cannot delete node {0}: it still has relationships (use DETACH DELETE)")]
    NodeHasRelationships(u64),
    #[error("cannot store {type_name} as a property value")]
    UnsupportedValue { type_name: &'static str },
    #[error("node {node} with label `{label}` must have property `{key}`")]
    NotNullViolation {
        node: u64,
        label: String,
        key: String,
    },
    #[error("node {node} already exists with label `{label}` and property `{key}` = {value}")]
    UniqueViolation {
        node: u64,
        label: String,
        key: String,
        value: String,
    },
    #[error("{what} `{name}` already exists")]
    AlreadyExists { what: &'static str, name: String },
    #[error("{what} `{name}` does not exist")]
    NoSuchSchemaObject { what: &'static str, name: String },
    #[error("index `{0}` is maintained by the engine and cannot be dropped")]
    Protected(String),
    #[error("label, type or key id {0} is not in the catalog")]
    UnknownName(u32),
    #[error("bulk import needs an empty database")]
    NotEmpty,
    #[error("too many {0}")]
    Capacity(&'static str),
}

impl StorageError {
    /// True when the error means the stored data is damaged (as opposed to a bad request).
    #[must_use]
    pub fn is_corruption(&self) -> bool {
        matches!(self, StorageError::Corruption { .. })
    }
}

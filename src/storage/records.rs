//! Every structure that is persisted. Nothing else is serialized: the AST, plans and the
//! in-memory `Value` never reach the disk; `codec` converts at this boundary.
//!
//! Changing any type here changes the on-disk format: bump `FORMAT_VERSION`, freeze the old
//! types under `storage/migrate/` and record the change in ARCHITECTURE.md.

use serde::{Deserialize, Serialize};
use std::sync::Arc;

/// The on-disk format this build writes. Format 2 keeps chunks in chunk files
/// (`storage/chunk_files.rs`); format 1 kept them in sled. The records are the same in both.
pub const FORMAT_VERSION: u32 = 2;

/// The oldest format this build still reads and writes (in place, as that format); compaction
/// converts it to `FORMAT_VERSION`.
pub const OLDEST_FORMAT_VERSION: u32 = 1;

/// A property value as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum StoredValue {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    String(String),
    /// Days since 1970-01-01.
    Date(i64),
    /// Nanoseconds since midnight.
    LocalTime(i64),
    /// Nanoseconds since midnight, offset seconds.
    Time(i64, i32),
    /// Seconds since the epoch of the wall-clock time read as UTC, nanoseconds.
    LocalDateTime(i64, u32),
    /// Seconds since the epoch (UTC), nanoseconds, offset seconds, zone name.
    DateTime(i64, u32, i32, Option<String>),
    /// Months, days, seconds, nanoseconds.
    Duration(i64, i64, i64, i32),
    List(Vec<StoredValue>),
}

/// Names interned as small integers; the position in each list is the id.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CatalogRecord {
    pub labels: Vec<String>,
    pub types: Vec<String>,
    pub keys: Vec<String>,
}

/// The root of the checkpointed (base) graph. Written only by a checkpoint or a bulk load, in
/// the same atomic batch as the chunks it names.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// Bumped by every checkpoint; chunks written by it carry this number in their keys.
    pub generation: u64,
    /// The last log sequence number folded into the chunks; replay starts after it.
    pub log_applied: u64,
    pub catalog: CatalogRecord,
    pub node_groups: Vec<NodeGroupRecord>,
    pub rel_groups: Vec<RelGroupRecord>,
    pub indexes: Vec<IndexRecord>,
    pub constraints: Vec<ConstraintRecord>,
    pub next_index_id: u32,
}

/// One node group: up to `GROUP_SIZE` consecutive node ids.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct NodeGroupRecord {
    /// The label new nodes of this group are created with (their first label), if any.
    pub owner: Option<u32>,
    /// The generation of the group's chunks; 0 when the group has no chunks yet.
    pub generation: u64,
    /// Slots in use (live or deleted); ids `group * GROUP_SIZE + slot` for `slot < slots`.
    pub slots: u32,
    /// Live nodes.
    pub live: u32,
    /// Label id and the number of live nodes of the group carrying it.
    pub labels: Vec<(u32, u32)>,
    /// Keys that have a column chunk.
    pub columns: Vec<u32>,
    /// Relationship type and direction (0 outgoing, 1 incoming) that have a CSR chunk.
    pub csr: Vec<(u32, u8)>,
}

/// One relationship group: up to `GROUP_SIZE` consecutive relationship ids of one type.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RelGroupRecord {
    pub rel_type: u32,
    pub generation: u64,
    pub slots: u32,
    pub live: u32,
    pub columns: Vec<u32>,
}

/// A property index on (label, key): sorted pages of (encoded value, node id).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IndexRecord {
    pub id: u32,
    pub name: String,
    pub label: u32,
    pub key: u32,
    /// Created by the engine (the `id` of every label, or a uniqueness constraint), not by a user.
    pub implicit: bool,
    pub pages: Vec<IndexPageRecord>,
    pub next_page: u32,
}

/// Where one page of an index lives and the first entry it holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IndexPageRecord {
    pub page: u32,
    pub generation: u64,
    pub first_key: Vec<u8>,
    pub first_node: u64,
    pub entries: u32,
}

/// A constraint on (label, key).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConstraintRecord {
    pub name: String,
    pub label: u32,
    pub key: u32,
    pub kind: ConstraintKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ConstraintKind {
    Unique,
    NotNull,
}

impl ConstraintKind {
    /// The kind as Cypher names it after `IS` (`REQUIRE n.id IS UNIQUE`) and SHOW CONSTRAINTS
    /// lists it.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            ConstraintKind::Unique => "UNIQUE",
            ConstraintKind::NotNull => "NOT NULL",
        }
    }
}

/// Existence and label membership of a node group, as bitsets of `slots` bits.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct NodeMetaChunk {
    pub slots: u32,
    pub exists: Vec<u64>,
    pub labels: Vec<(u32, Vec<u64>)>,
}

/// One property of one group, `slots` values long. A clear `present` bit means no value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum ColumnChunk {
    Bool {
        present: Vec<u64>,
        values: Vec<u64>,
    },
    Int {
        present: Vec<u64>,
        values: Vec<i64>,
    },
    Float {
        present: Vec<u64>,
        values: Vec<f64>,
    },
    /// Dictionary-encoded strings, for columns with few distinct values.
    DictString {
        present: Vec<u64>,
        dict: Vec<Arc<str>>,
        codes: Vec<u32>,
    },
    String {
        present: Vec<u64>,
        values: Vec<Arc<str>>,
    },
    Date {
        present: Vec<u64>,
        values: Vec<i64>,
    },
    /// Datetimes at offset zero with no zone name: seconds and nanoseconds since the epoch.
    DateTimeUtc {
        present: Vec<u64>,
        seconds: Vec<i64>,
        nanos: Vec<u32>,
    },
    /// Anything else, value by value (`Null` where absent).
    Mixed {
        values: Vec<StoredValue>,
    },
}

/// Adjacency of one relationship type in one direction for the nodes of one group, in compressed
/// sparse row form: the neighbours of slot `s` are `targets[offsets[s]..offsets[s + 1]]`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CsrChunk {
    pub offsets: Vec<u32>,
    pub targets: Vec<u64>,
    pub rels: Vec<u64>,
}

/// Existence and endpoints of a relationship group.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RelMetaChunk {
    pub slots: u32,
    pub exists: Vec<u64>,
    pub src: Vec<u64>,
    pub dst: Vec<u64>,
}

/// One page of an index, sorted by (key, node).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct IndexPageChunk {
    pub keys: Vec<Vec<u8>>,
    pub nodes: Vec<u64>,
}

/// One committed write transaction: the changes in the order they were made.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LogRecord {
    pub seq: u64,
    pub ops: Vec<Op>,
}

/// One change. Replaying the ops of a record against the state before it gives the state after.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Op {
    InternLabel {
        id: u32,
        name: String,
    },
    InternType {
        id: u32,
        name: String,
    },
    InternKey {
        id: u32,
        name: String,
    },
    CreateNode {
        id: u64,
        labels: Vec<u32>,
        props: Vec<(u32, StoredValue)>,
    },
    SetNodeProperty {
        id: u64,
        key: u32,
        value: StoredValue,
    },
    AddLabel {
        id: u64,
        label: u32,
    },
    RemoveLabel {
        id: u64,
        label: u32,
    },
    DeleteNode {
        id: u64,
    },
    CreateRel {
        id: u64,
        rel_type: u32,
        src: u64,
        dst: u64,
        props: Vec<(u32, StoredValue)>,
    },
    SetRelProperty {
        id: u64,
        key: u32,
        value: StoredValue,
    },
    DeleteRel {
        id: u64,
    },
    CreateIndex {
        id: u32,
        name: String,
        label: u32,
        key: u32,
        implicit: bool,
    },
    DropIndex {
        id: u32,
    },
    CreateConstraint {
        name: String,
        label: u32,
        key: u32,
        kind: ConstraintKind,
    },
    DropConstraint {
        name: String,
    },
}

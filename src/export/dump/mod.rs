//! `dump` and `restore`: a backup file that does not depend on the store's on-disk format.
//!
//! Layout (integers little-endian; `varint` is LEB128, signed ones zigzag-encoded first):
//!
//! ```text
//! magic "CRDLDUMP" | format version u32 | record* | end record
//! record     = tag u8 | payload length u32 | payload
//! end record = tag 0xFF | length 12 | record count u64 | CRC-32 u32 of every byte before it
//! ```
//!
//! Records, in this order: `META` (JSON: writer, counts), `LABELS`, `TYPES` and `KEYS` (the
//! name tables the rest refer to by position), `NODES` blocks (a label set, then up to 4096 rows
//! of old node id and sparse properties), `RELS` blocks (a type, then rows of old start and end
//! ids and properties), `INDEX` and `CONSTRAINT` records. Values are encoded by hand from the
//! store's value records: a tag byte, then the fields.
//!
//! Restore reads the file twice: first the framing and the checksum (so a damaged, truncated or
//! foreign file is refused before anything is built), then the records into the bulk loader,
//! which writes nothing until it finishes. A path restore builds the database in a sibling
//! temporary directory and renames it into place, so a failure leaves the target as it was.

use std::collections::HashMap;
use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use super::{ExportError, Progress, Ticker, io_error};
use crate::db::Database;
use crate::storage::codec::{from_stored, to_stored};
use crate::storage::records::StoredValue;
use crate::storage::{ConstraintKind, Field, GraphRead, GraphWrite, LabelBatch, RelBatch};
use crate::value::{NodeId, RelId};

mod restore;

pub use restore::{restore, restore_into};

const MAGIC: &[u8; 8] = b"CRDLDUMP";
/// The dump format version this build writes and reads.
pub const DUMP_VERSION: u32 = 1;
const BLOCK_ROWS: usize = 4096;

const TAG_META: u8 = 1;
const TAG_LABELS: u8 = 2;
const TAG_TYPES: u8 = 3;
const TAG_KEYS: u8 = 4;
const TAG_NODES: u8 = 5;
const TAG_RELS: u8 = 6;
const TAG_INDEX: u8 = 7;
const TAG_CONSTRAINT: u8 = 8;
const TAG_END: u8 = 0xFF;

/// What a dump wrote.
#[derive(Debug, Clone, PartialEq)]
pub struct DumpSummary {
    pub nodes: u64,
    pub relationships: u64,
    pub indexes: u64,
    pub constraints: u64,
    pub bytes: u64,
    pub seconds: f64,
}

/// What a restore loaded.
#[derive(Debug, Clone, PartialEq)]
pub struct RestoreSummary {
    pub nodes: u64,
    pub relationships: u64,
    pub indexes: u64,
    pub constraints: u64,
    pub bytes: u64,
    pub seconds: f64,
}

// ---------------------------------------------------------------------------------------------
// Encoding.

fn put_varint(out: &mut Vec<u8>, mut n: u64) {
    while n >= 0x80 {
        out.push((n as u8) | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

fn put_signed(out: &mut Vec<u8>, n: i64) {
    put_varint(out, ((n << 1) ^ (n >> 63)) as u64);
}

fn put_str(out: &mut Vec<u8>, s: &str) {
    put_varint(out, s.len() as u64);
    out.extend_from_slice(s.as_bytes());
}

fn put_value(out: &mut Vec<u8>, value: &StoredValue) {
    match value {
        StoredValue::Null => out.push(0),
        StoredValue::Bool(false) => out.push(1),
        StoredValue::Bool(true) => out.push(2),
        StoredValue::Int(i) => {
            out.push(3);
            put_signed(out, *i);
        }
        StoredValue::Float(f) => {
            out.push(4);
            out.extend_from_slice(&f.to_bits().to_le_bytes());
        }
        StoredValue::String(s) => {
            out.push(5);
            put_str(out, s);
        }
        StoredValue::Date(d) => {
            out.push(6);
            put_signed(out, *d);
        }
        StoredValue::LocalTime(n) => {
            out.push(7);
            put_signed(out, *n);
        }
        StoredValue::Time(n, offset) => {
            out.push(8);
            put_signed(out, *n);
            put_signed(out, i64::from(*offset));
        }
        StoredValue::LocalDateTime(s, n) => {
            out.push(9);
            put_signed(out, *s);
            put_varint(out, u64::from(*n));
        }
        StoredValue::DateTime(s, n, offset, zone) => {
            out.push(10);
            put_signed(out, *s);
            put_varint(out, u64::from(*n));
            put_signed(out, i64::from(*offset));
            match zone {
                None => out.push(0),
                Some(zone) => {
                    out.push(1);
                    put_str(out, zone);
                }
            }
        }
        StoredValue::Duration(m, d, s, n) => {
            out.push(11);
            put_signed(out, *m);
            put_signed(out, *d);
            put_signed(out, *s);
            put_signed(out, i64::from(*n));
        }
        StoredValue::List(items) => {
            out.push(12);
            put_varint(out, items.len() as u64);
            for item in items {
                put_value(out, item);
            }
        }
    }
}

/// Writes records and keeps the running checksum of every byte.
struct DumpWriter {
    out: BufWriter<File>,
    crc: crc32fast::Hasher,
    records: u64,
    bytes: u64,
    path: PathBuf,
}

impl DumpWriter {
    fn raw(&mut self, bytes: &[u8]) -> Result<(), ExportError> {
        self.crc.update(bytes);
        self.bytes += bytes.len() as u64;
        self.out.write_all(bytes).map_err(io_error(&self.path))
    }

    fn record(&mut self, tag: u8, payload: &[u8]) -> Result<(), ExportError> {
        let len = u32::try_from(payload.len()).map_err(|_| ExportError::DumpCorrupt {
            path: self.path.clone(),
            at: self.bytes,
            detail: "a record is larger than 4 GiB".into(),
        })?;
        self.raw(&[tag])?;
        self.raw(&len.to_le_bytes())?;
        self.raw(payload)?;
        self.records += 1;
        Ok(())
    }

    fn finish(mut self) -> Result<u64, ExportError> {
        let crc = self.crc.clone().finalize();
        let mut end = vec![TAG_END];
        end.extend_from_slice(&12u32.to_le_bytes());
        end.extend_from_slice(&self.records.to_le_bytes());
        end.extend_from_slice(&crc.to_le_bytes());
        self.out.write_all(&end).map_err(io_error(&self.path))?;
        self.bytes += end.len() as u64;
        let file = self
            .out
            .into_inner()
            .map_err(|e| io_error(&self.path)(e.into_error()))?;
        file.sync_all().map_err(io_error(&self.path))?;
        Ok(self.bytes)
    }
}

fn names_payload(names: &[String]) -> Vec<u8> {
    let mut out = Vec::new();
    put_varint(&mut out, names.len() as u64);
    for name in names {
        put_str(&mut out, name);
    }
    out
}

/// Writes a dump of `db` to `file` (through a temporary sibling renamed at the end, so a
/// failed dump leaves no partial file).
pub fn dump(
    db: &Database,
    file: &Path,
    progress: &mut dyn FnMut(Progress),
) -> Result<DumpSummary, ExportError> {
    let started = Instant::now();
    let partial = file.with_file_name(format!(
        ".{}.partial",
        file.file_name()
            .map_or_else(|| "dump".into(), |n| n.to_string_lossy())
    ));
    let result = write_dump(db, &partial, progress);
    let mut summary = match result {
        Ok(summary) => summary,
        Err(error) => {
            let _ = std::fs::remove_file(&partial);
            return Err(error);
        }
    };
    std::fs::rename(&partial, file).map_err(io_error(file))?;
    summary.seconds = started.elapsed().as_secs_f64();
    Ok(summary)
}

fn write_dump(
    db: &Database,
    path: &Path,
    progress: &mut dyn FnMut(Progress),
) -> Result<DumpSummary, ExportError> {
    let snapshot = db.begin_read();
    let file = File::create(path).map_err(io_error(path))?;
    let mut w = DumpWriter {
        out: BufWriter::with_capacity(1 << 20, file),
        crc: crc32fast::Hasher::new(),
        records: 0,
        bytes: 0,
        path: path.to_path_buf(),
    };
    w.raw(MAGIC)?;
    w.raw(&DUMP_VERSION.to_le_bytes())?;

    let nodes = snapshot.all_nodes()?;
    let rels = snapshot.all_relationships()?;
    let indexes: Vec<_> = snapshot
        .indexes()
        .into_iter()
        .filter(|i| !i.implicit)
        .collect();
    let constraints = snapshot.constraints();
    let meta = serde_json::json!({
        "writer": format!("cordial {}", env!("CARGO_PKG_VERSION")),
        "nodes": nodes.len(),
        "relationships": rels.len(),
    });
    w.record(TAG_META, meta.to_string().as_bytes())?;
    w.record(TAG_LABELS, &names_payload(snapshot.label_names()))?;
    w.record(TAG_TYPES, &names_payload(snapshot.type_names()))?;
    w.record(TAG_KEYS, &names_payload(snapshot.key_names()))?;

    let mut ticker = Ticker::new(progress, (nodes.len() + rels.len()) as u64);
    // Nodes grouped by label set, so that restore fills one bulk batch per set.
    let mut by_labels: HashMap<Vec<u32>, Vec<NodeId>> = HashMap::new();
    let mut order = Vec::new();
    for &node in &nodes {
        let labels = snapshot.node_labels(node)?;
        by_labels
            .entry(labels)
            .or_insert_with_key(|k| {
                order.push(k.clone());
                Vec::new()
            })
            .push(node);
    }
    for labels in &order {
        for block in by_labels[labels].chunks(BLOCK_ROWS) {
            let mut payload = Vec::new();
            put_varint(&mut payload, labels.len() as u64);
            for label in labels {
                put_varint(&mut payload, u64::from(*label));
            }
            put_varint(&mut payload, block.len() as u64);
            for &node in block {
                put_varint(&mut payload, node.0);
                let props = snapshot.node_properties(node)?;
                put_varint(&mut payload, props.len() as u64);
                for (key, value) in &props {
                    put_varint(&mut payload, u64::from(*key));
                    put_value(&mut payload, &to_stored(value)?);
                }
                ticker.tick();
            }
            w.record(TAG_NODES, &payload)?;
        }
    }
    let mut by_type: HashMap<u32, Vec<(RelId, NodeId, NodeId)>> = HashMap::new();
    for &rel in &rels {
        let info = snapshot
            .relationship(rel)?
            .ok_or(crate::storage::StorageError::RelationshipNotFound(rel.0))?;
        by_type
            .entry(info.rel_type)
            .or_default()
            .push((rel, info.start, info.end));
    }
    let mut types: Vec<_> = by_type.into_iter().collect();
    types.sort_unstable_by_key(|(t, _)| *t);
    for (rel_type, list) in &types {
        for block in list.chunks(BLOCK_ROWS) {
            let mut payload = Vec::new();
            put_varint(&mut payload, u64::from(*rel_type));
            put_varint(&mut payload, block.len() as u64);
            for &(rel, start, end) in block {
                put_varint(&mut payload, start.0);
                put_varint(&mut payload, end.0);
                let props = snapshot.rel_properties(rel)?;
                put_varint(&mut payload, props.len() as u64);
                for (key, value) in &props {
                    put_varint(&mut payload, u64::from(*key));
                    put_value(&mut payload, &to_stored(value)?);
                }
                ticker.tick();
            }
            w.record(TAG_RELS, &payload)?;
        }
    }
    for index in &indexes {
        let mut payload = Vec::new();
        put_str(&mut payload, &index.name);
        put_str(&mut payload, &index.label);
        put_str(&mut payload, &index.key);
        w.record(TAG_INDEX, &payload)?;
    }
    for constraint in &constraints {
        let mut payload = Vec::new();
        put_str(&mut payload, &constraint.name);
        put_str(&mut payload, &constraint.label);
        put_str(&mut payload, &constraint.key);
        payload.push(match constraint.kind {
            ConstraintKind::Unique => 0,
            ConstraintKind::NotNull => 1,
        });
        w.record(TAG_CONSTRAINT, &payload)?;
    }
    let bytes = w.finish()?;
    Ok(DumpSummary {
        nodes: nodes.len() as u64,
        relationships: rels.len() as u64,
        indexes: indexes.len() as u64,
        constraints: constraints.len() as u64,
        bytes,
        seconds: 0.0,
    })
}

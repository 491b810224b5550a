//! Bulk import of a CSV bundle in the neo4j-admin header convention (`nodes/<Label>.csv`,
//! `relationships/<TYPE>[.<Start>-<End>].csv`, typed headers such as `since:date`) into an
//! empty database.
//!
//! Every file is parsed (on all cores) before anything is written; the storage's bulk loader
//! then writes the chunks and, last, the manifest. So an import that fails, at any row, leaves
//! the database exactly as empty as it was.
//!
//! The bundle import knows the store only through `BulkLoader` and the stored value records;
//! it does not depend on `value`'s parsers. Its tests are in `tests/import.rs`.
//!
//! `mapping` is the other way in: CRM exports mapped by a TOML file and upserted through a
//! write transaction into a new or existing database (values parsed by `lenient`); its tests
//! are in `tests/mapping.rs`.

mod bundle;
mod error;
mod header;
mod ids;
pub mod lenient;
mod load;
pub mod mapping;
mod values;

use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

pub use error::ImportError;
pub use header::{Column, ColumnKind, ScalarType, parse_column};
pub use mapping::{
    Mapping, MappingError, MappingOptions, MappingSummary, RowError, import_mapped, read_mapping,
};

use crate::db::Database;
use crate::storage::{GraphRead, StorageError};
use load::{Parsed, Shared, plan_files, provisional_to_node};

/// How to read a bundle.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// The field separator.
    pub delimiter: u8,
    /// The separator of array items (`string[]` columns, `:LABEL`); `None` takes the bundle
    /// manifest's `arrayDelimiter`, else `;`.
    pub array_delimiter: Option<u8>,
    /// Parsing threads; 0 means one per core.
    pub threads: usize,
}

impl Default for ImportOptions {
    fn default() -> Self {
        ImportOptions {
            delimiter: b',',
            array_delimiter: None,
            threads: 0,
        }
    }
}

/// Where an import is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImportPhase {
    /// Parsing the CSV files; `done` and `total` count bytes.
    Reading,
    /// Building adjacency and indexes and writing chunks; `done` and `total` count chunks.
    Writing,
}

/// A progress report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImportProgress {
    pub phase: ImportPhase,
    pub done: u64,
    pub total: u64,
}

/// What an import loaded, and how long it took.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportSummary {
    pub nodes: u64,
    pub relationships: u64,
    /// Nodes per label, in label id order (a node with several labels counts under each).
    pub labels: Vec<(String, u64)>,
    /// Relationships per type, in type id order.
    pub types: Vec<(String, u64)>,
    /// Bytes of CSV read.
    pub input_bytes: u64,
    /// Bytes the database takes on disk after the import (0 in memory).
    pub bytes_on_disk: u64,
    /// Chunks written and the bytes of their encoded payloads (before sled's own overhead).
    pub chunks: u64,
    pub chunk_bytes: u64,
    pub seconds: f64,
    /// Time spent per phase: parsing, assembling the batches, and building plus writing chunks.
    pub parse_seconds: f64,
    pub assemble_seconds: f64,
    pub write_seconds: f64,
}

/// Imports the bundle in `dir` into `db`, which must be empty. Nothing is written unless the
/// whole bundle is valid. `progress` is called from the calling thread now and then.
pub fn import_bundle(
    db: &Database,
    dir: &Path,
    options: &ImportOptions,
    progress: &mut dyn FnMut(ImportProgress),
) -> Result<ImportSummary, ImportError> {
    let started = Instant::now();
    let bundle = bundle::open_bundle(dir, options.delimiter)?;
    let mut loader = db.store().bulk_loader().map_err(|e| match e {
        StorageError::NotEmpty => ImportError::NotEmpty,
        other => ImportError::Storage(other),
    })?;
    let array_delimiter = options
        .array_delimiter
        .or(bundle.array_delimiter)
        .unwrap_or(b';');
    let (plans, spaces) = plan_files(&bundle, &mut loader);
    let input_bytes: u64 = bundle.files.iter().map(|f| f.bytes).sum();
    let threads = match options.threads {
        0 => std::thread::available_parallelism().map_or(2, std::num::NonZero::get),
        n => n,
    }
    .min(bundle.files.len())
    .max(1);

    // Parse every file; the calling thread reports progress meanwhile.
    let loader = Mutex::new(loader);
    let shared = Shared::new(
        &bundle,
        &plans,
        &spaces,
        &loader,
        options.delimiter,
        array_delimiter,
    );
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|_| scope.spawn(|| shared.work()))
            .collect();
        while !handles
            .iter()
            .all(std::thread::ScopedJoinHandle::is_finished)
        {
            progress(ImportProgress {
                phase: ImportPhase::Reading,
                done: shared.bytes_done.load(Ordering::Relaxed),
                total: input_bytes,
            });
            std::thread::sleep(Duration::from_millis(50));
        }
    });
    let parsed = shared.into_results()?;
    let mut loader = loader
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    progress(ImportProgress {
        phase: ImportPhase::Reading,
        done: input_bytes,
        total: input_bytes,
    });
    let parse_seconds = started.elapsed().as_secs_f64();

    // Nodes get their ids in file order; then relationship ends are rewritten to them.
    let assembling = Instant::now();
    let mut firsts = vec![0u64; parsed.len()];
    let mut rel_batches = Vec::new();
    for (file, parsed) in parsed.into_iter().enumerate() {
        match parsed {
            Parsed::Nodes(batch) => firsts[file] = loader.add_nodes(batch)?,
            Parsed::Relationships(batches) => rel_batches.extend(batches),
        }
    }
    for mut batch in rel_batches {
        batch.map_endpoints(|provisional| provisional_to_node(provisional, &firsts));
        loader.add_relationships(batch)?;
    }
    let assemble_seconds = assembling.elapsed().as_secs_f64();

    let writing = Instant::now();
    let stats = loader.finish(&mut |done, total| {
        progress(ImportProgress {
            phase: ImportPhase::Writing,
            done,
            total,
        });
    })?;
    let write_seconds = writing.elapsed().as_secs_f64();

    let snapshot = db.begin_read();
    let mut labels = Vec::new();
    for (id, name) in snapshot.label_names().iter().enumerate() {
        let id = u32::try_from(id).map_err(|_| StorageError::Capacity("labels"))?;
        labels.push((name.clone(), snapshot.count_nodes(Some(id))?));
    }
    let mut types = Vec::new();
    for (id, name) in snapshot.type_names().iter().enumerate() {
        let id = u32::try_from(id).map_err(|_| StorageError::Capacity("types"))?;
        types.push((name.clone(), snapshot.count_relationships(Some(id))?));
    }
    Ok(ImportSummary {
        nodes: snapshot.count_nodes(None)?,
        relationships: snapshot.count_relationships(None)?,
        labels,
        types,
        input_bytes,
        bytes_on_disk: db.store().stats()?.size_on_disk,
        chunks: stats.chunks,
        chunk_bytes: stats.bytes,
        seconds: started.elapsed().as_secs_f64(),
        parse_seconds,
        assemble_seconds,
        write_seconds,
    })
}

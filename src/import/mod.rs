//! Bulk import of a CSV bundle in the neo4j-admin header convention (`nodes/<Label>.csv`,
//! `relationships/<TYPE>[.<Start>-<End>].csv`, typed headers such as `since:date`) into an
//! empty database.
//!
//! Files are parsed on all cores and handed to the storage's bulk loader as they are done (in
//! file order), which writes chunks as they fill and the manifest last. An import that fails,
//! at any row, removes the chunks written so far, so the database is exactly as empty as it
//! was (anything a crash leaves behind is unreferenced and swept at the next open).
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
use std::sync::atomic::Ordering;
use std::sync::{Mutex, mpsc};
use std::time::{Duration, Instant};

pub use error::ImportError;
pub use header::{Column, ColumnKind, HeaderProblem, ScalarType, parse_column};
pub use mapping::{
    Mapping, MappingError, MappingOptions, MappingSummary, RowError, import_mapped, read_mapping,
};

use crate::db::Database;
use crate::storage::{BulkLoader, GraphRead, StorageError};
use header::FileKind;
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
    /// Bytes of built chunks the load keeps in memory before writing them; `None` takes the
    /// loader's default (64 MiB). Lower keeps less in memory at the cost of smaller writes.
    pub write_after: Option<usize>,
}

impl Default for ImportOptions {
    fn default() -> Self {
        ImportOptions {
            delimiter: b',',
            array_delimiter: None,
            threads: 0,
            write_after: None,
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

/// Adds parsed files to the loader in the order of `order` as they arrive.
struct Adder<'o> {
    order: &'o [usize],
    /// Position in `order` of the next file to add.
    next: usize,
    waiting: Vec<Option<Parsed>>,
    /// The id of the first node of each node file, once added.
    firsts: Vec<u64>,
    /// When the last file was added.
    added_at: Option<Instant>,
}

impl Adder<'_> {
    fn add_ready(&mut self, loader: &Mutex<BulkLoader>) -> Result<(), ImportError> {
        while let Some(&file) = self.order.get(self.next) {
            let Some(parsed) = self.waiting[file].take() else {
                return Ok(());
            };
            let mut loader = loader
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            match parsed {
                Parsed::Nodes(batch) => self.firsts[file] = loader.add_nodes(batch)?,
                Parsed::Relationships(batches) => {
                    for mut batch in batches {
                        batch.map_endpoints(|provisional| {
                            provisional_to_node(provisional, &self.firsts)
                        });
                        loader.add_relationships(batch)?;
                    }
                }
            }
            self.next += 1;
            self.added_at = Some(Instant::now());
        }
        Ok(())
    }
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
    if let Some(bytes) = options.write_after {
        loader.write_after(bytes);
    }
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

    // Parse on `threads` threads. This thread adds each parsed file to the loader, which writes
    // its chunks as they fill: node files in file order (so node ids follow the bundle), then
    // relationship files in file order once every node has its id. A parsed file therefore
    // waits only for the files before it, not for the whole bundle.
    let loader = Mutex::new(loader);
    let shared = Shared::new(
        &bundle,
        &plans,
        &spaces,
        &loader,
        options.delimiter,
        array_delimiter,
    );
    let order: Vec<usize> = (bundle.files.iter().enumerate())
        .filter(|(_, f)| f.kind == FileKind::Nodes)
        .chain((bundle.files.iter().enumerate()).filter(|(_, f)| f.kind == FileKind::Relationships))
        .map(|(i, _)| i)
        .collect();
    let mut adder = Adder {
        order: &order,
        next: 0,
        waiting: (0..bundle.files.len()).map(|_| None).collect(),
        firsts: vec![0; bundle.files.len()],
        added_at: None,
    };
    std::thread::scope(|scope| {
        let (sender, receiver) = mpsc::channel();
        for _ in 0..threads {
            let sender = sender.clone();
            let shared = &shared;
            scope.spawn(move || shared.work(&sender));
        }
        drop(sender);
        loop {
            match receiver.recv_timeout(Duration::from_millis(50)) {
                Ok((file, parsed)) => {
                    adder.waiting[file] = Some(parsed);
                    if let Err(error) = adder.add_ready(&loader) {
                        shared.fail(error);
                    }
                }
                Err(mpsc::RecvTimeoutError::Timeout) => {}
                Err(mpsc::RecvTimeoutError::Disconnected) => break,
            }
            progress(ImportProgress {
                phase: ImportPhase::Reading,
                done: shared.bytes_done.load(Ordering::Relaxed),
                total: input_bytes,
            });
        }
    });
    let parse_seconds = started.elapsed().as_secs_f64();
    if let Some(error) = shared.take_error() {
        return Err(error);
    }
    if adder.next < order.len() {
        return Err(ImportError::Storage(StorageError::Corruption {
            what: "import".into(),
            detail: "a file was not parsed".into(),
        }));
    }
    let loader = loader
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    progress(ImportProgress {
        phase: ImportPhase::Reading,
        done: input_bytes,
        total: input_bytes,
    });
    // What was still being added when the last file was parsed.
    let assemble_seconds = adder
        .added_at
        .map_or(0.0, |at: Instant| {
            at.saturating_duration_since(started).as_secs_f64() - parse_seconds
        })
        .max(0.0);

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

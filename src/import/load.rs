//! Parsing the rows of a bundle on several threads. Node files are parsed first, largest first;
//! a relationship file starts as soon as the id spaces of both its ends are complete, so the
//! two cores stay busy even while one large node file is still being read.
//!
//! Each parsed file is sent to the importing thread, which adds it to the loader (see
//! `import_bundle`). Relationship endpoints are pushed as provisional ids, `file << 32 | row`,
//! because node ids are handed out only when the node batches are added to the loader, in file
//! order; `provisional_to_node` rewrites them then.
//!
//! **Invariant:** nothing here writes to the store; the loader only interns names and creates
//! batches.

use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Condvar, Mutex, OnceLock, PoisonError, mpsc};

use super::ImportError;
use super::bundle::{Bundle, BundleFile, csv_error, csv_reader};
use super::header::{ColumnKind, FileKind, ScalarType};
use super::ids::IdMap;
use super::values::parse_value;
use crate::storage::{BulkLoader, Field, LabelBatch, RelBatch};

/// The node id of a provisional id, given the first node id of each node file.
#[must_use]
pub fn provisional_to_node(provisional: u64, firsts: &[u64]) -> u64 {
    let file = usize::try_from(provisional >> 32).unwrap_or(usize::MAX);
    firsts.get(file).copied().unwrap_or(0) + (provisional & 0xffff_ffff)
}

/// What a field of a row becomes.
#[derive(Debug, Clone)]
enum Action {
    Skip,
    /// The node's id; also the property in `slot` when the column names one.
    Id {
        slot: Option<usize>,
    },
    Start,
    End,
    Labels,
    Type,
    Property {
        slot: usize,
        scalar: ScalarType,
        array: bool,
    },
}

/// How to turn one file's rows into a batch: decided from the header before any thread starts.
pub struct FilePlan {
    actions: Vec<Action>,
    keys: Vec<u32>,
    /// The label or relationship type the file name gives.
    name_id: u32,
    /// Node files: the id space their ids enter. Relationship files: the spaces of both ends.
    id_space: Option<usize>,
    start_space: usize,
    end_space: usize,
}

/// The parsed rows of one file.
pub enum Parsed {
    Nodes(LabelBatch),
    Relationships(Vec<RelBatch>),
}

/// Decides, for every file, which store key each column fills; interns every name the headers
/// hold. Returns the plans and the names of the id spaces.
pub fn plan_files(bundle: &Bundle, loader: &mut BulkLoader) -> (Vec<FilePlan>, Vec<String>) {
    let mut spaces: Vec<String> = Vec::new();
    let mut space_of = |name: &str| match spaces.iter().position(|s| s == name) {
        Some(i) => i,
        None => {
            spaces.push(name.to_owned());
            spaces.len() - 1
        }
    };
    // The `id` key must exist before batches are created so the id index picks it up.
    loader.key("id");
    let mut plans = Vec::new();
    for file in &bundle.files {
        let mut keys = Vec::new();
        let mut actions = Vec::new();
        let (mut id_space, mut start_space, mut end_space) = (None, 0, 0);
        for column in &file.columns {
            let action = match &column.kind {
                ColumnKind::Id { space, property } => {
                    id_space = Some(space_of(space));
                    let slot = property.as_deref().map(|p| {
                        keys.push(loader.key(p));
                        keys.len() - 1
                    });
                    Action::Id { slot }
                }
                ColumnKind::StartId { space } => {
                    start_space = space_of(space);
                    Action::Start
                }
                ColumnKind::EndId { space } => {
                    end_space = space_of(space);
                    Action::End
                }
                ColumnKind::Label => Action::Labels,
                ColumnKind::Type => Action::Type,
                ColumnKind::Ignore => Action::Skip,
                ColumnKind::Property { key, scalar, array } => {
                    keys.push(loader.key(key));
                    Action::Property {
                        slot: keys.len() - 1,
                        scalar: *scalar,
                        array: *array,
                    }
                }
            };
            actions.push(action);
        }
        let name_id = match file.kind {
            FileKind::Nodes => loader.label(&file.name),
            FileKind::Relationships => loader.rel_type(&file.name),
        };
        plans.push(FilePlan {
            actions,
            keys,
            name_id,
            id_space,
            start_space,
            end_space,
        });
    }
    (plans, spaces)
}

/// The work queue shared by the parsing threads.
struct Queue {
    /// Files not started, node files first, each kind largest first (popped from the end).
    pending: Vec<usize>,
    /// Node files not finished, per id space.
    space_left: Vec<usize>,
    /// Id maps of finished node files, per space, until the space is complete.
    partial: Vec<Vec<(usize, IdMap)>>,
}

/// Everything the threads share.
pub struct Shared<'a> {
    bundle: &'a Bundle,
    plans: &'a [FilePlan],
    spaces: &'a [String],
    loader: &'a Mutex<BulkLoader>,
    delimiter: u8,
    array_delimiter: u8,
    queue: Mutex<Queue>,
    ready: Condvar,
    maps: Vec<OnceLock<IdMap>>,
    failed: AtomicBool,
    error: Mutex<Option<ImportError>>,
    /// Bytes of CSV parsed so far, for progress.
    pub bytes_done: AtomicU64,
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // A panic on another thread is propagated by the thread scope; the data is never left torn.
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl<'a> Shared<'a> {
    pub fn new(
        bundle: &'a Bundle,
        plans: &'a [FilePlan],
        spaces: &'a [String],
        loader: &'a Mutex<BulkLoader>,
        delimiter: u8,
        array_delimiter: u8,
    ) -> Self {
        let mut nodes: Vec<usize> = Vec::new();
        let mut rels: Vec<usize> = Vec::new();
        let mut space_left = vec![0; spaces.len()];
        for (i, file) in bundle.files.iter().enumerate() {
            match file.kind {
                FileKind::Nodes => {
                    nodes.push(i);
                    if let Some(space) = plans[i].id_space {
                        space_left[space] += 1;
                    }
                }
                FileKind::Relationships => rels.push(i),
            }
        }
        let size = |i: &usize| bundle.files[*i].bytes;
        nodes.sort_by_key(size);
        rels.sort_by_key(size);
        // Popped from the end: node files first, largest first.
        let mut pending = rels;
        pending.extend(nodes);
        let maps: Vec<OnceLock<IdMap>> = spaces.iter().map(|_| OnceLock::new()).collect();
        for (space, left) in space_left.iter().enumerate() {
            if *left == 0 {
                // Named only by relationship files: every lookup fails as unknown.
                let _ = maps[space].set(IdMap::default());
            }
        }
        Shared {
            bundle,
            plans,
            spaces,
            loader,
            delimiter,
            array_delimiter,
            queue: Mutex::new(Queue {
                pending,
                space_left,
                partial: spaces.iter().map(|_| Vec::new()).collect(),
            }),
            ready: Condvar::new(),
            maps,
            failed: AtomicBool::new(false),
            error: Mutex::new(None),
            bytes_done: AtomicU64::new(0),
        }
    }

    fn is_ready(&self, file: usize) -> bool {
        let plan = &self.plans[file];
        match self.bundle.files[file].kind {
            FileKind::Nodes => true,
            FileKind::Relationships => {
                self.maps[plan.start_space].get().is_some()
                    && self.maps[plan.end_space].get().is_some()
            }
        }
    }

    /// The next file to parse, waiting while every pending file waits for an id space.
    fn next_file(&self) -> Option<usize> {
        let mut queue = lock(&self.queue);
        loop {
            if self.failed.load(Ordering::Relaxed) || queue.pending.is_empty() {
                return None;
            }
            if let Some(pos) = queue.pending.iter().rposition(|f| self.is_ready(*f)) {
                return Some(queue.pending.remove(pos));
            }
            queue = self
                .ready
                .wait(queue)
                .unwrap_or_else(PoisonError::into_inner);
        }
    }

    /// Records the first error and stops every thread at its next record.
    pub fn fail(&self, error: ImportError) {
        let mut slot = lock(&self.error);
        if slot.is_none() {
            *slot = Some(error);
        }
        self.failed.store(true, Ordering::Relaxed);
        drop(slot);
        let _queue = lock(&self.queue);
        self.ready.notify_all();
    }

    /// Records a finished node file's ids; completes its space when it was the last file.
    fn finish_node_file(&self, file: usize, map: Option<IdMap>) -> Result<(), ImportError> {
        let Some(space) = self.plans[file].id_space else {
            return Ok(());
        };
        let parts = {
            let mut queue = lock(&self.queue);
            queue.space_left[space] -= 1;
            queue.partial[space].push((file, map.unwrap_or_default()));
            if queue.space_left[space] > 0 {
                return Ok(());
            }
            std::mem::take(&mut queue.partial[space])
        };
        let merged = self.merge_space(space, parts)?;
        let _ = self.maps[space].set(merged);
        let _queue = lock(&self.queue);
        self.ready.notify_all();
        Ok(())
    }

    /// One map from the maps of a space's files, refusing an id two files share.
    fn merge_space(
        &self,
        space: usize,
        mut parts: Vec<(usize, IdMap)>,
    ) -> Result<IdMap, ImportError> {
        parts.sort_by_key(|(file, _)| *file);
        let mut parts = parts.into_iter();
        let Some((_, mut merged)) = parts.next() else {
            return Ok(IdMap::default());
        };
        for (file, map) in parts {
            let mut first_duplicate: Option<(u64, Box<[u8]>)> = None;
            for (id, provisional) in map.into_entries() {
                if !merged.insert(&id, provisional)
                    && first_duplicate
                        .as_ref()
                        .is_none_or(|(p, _)| provisional < *p)
                {
                    first_duplicate = Some((provisional, id));
                }
            }
            if let Some((provisional, id)) = first_duplicate {
                let path = &self.bundle.files[file].path;
                let row = provisional & 0xffff_ffff;
                return Err(ImportError::DuplicateId {
                    file: path.clone(),
                    line: line_of_row(path, row, self.delimiter),
                    column: id_column(&self.bundle.files[file]),
                    id: String::from_utf8_lossy(&id).into_owned(),
                    space: self.spaces[space].clone(),
                });
            }
        }
        Ok(merged)
    }

    /// Parses files until none is left, sending each as it is done; run on each thread.
    pub fn work(&self, done: &mpsc::Sender<(usize, Parsed)>) {
        let _guard = PanicGuard(self);
        let delimiter = self.delimiter;
        while let Some(file) = self.next_file() {
            let result = match self.bundle.files[file].kind {
                FileKind::Nodes => self.parse_nodes(file, delimiter).and_then(|(batch, map)| {
                    self.finish_node_file(file, map)?;
                    Ok(Parsed::Nodes(batch))
                }),
                FileKind::Relationships => self
                    .parse_relationships(file, delimiter)
                    .map(Parsed::Relationships),
            };
            match result {
                Ok(parsed) => {
                    // The receiver goes only after every thread is done.
                    let _ = done.send((file, parsed));
                }
                Err(error) => {
                    self.fail(error);
                    return;
                }
            }
        }
    }

    /// The first error, if any thread failed.
    pub fn take_error(&self) -> Option<ImportError> {
        lock(&self.error).take()
    }

    fn parse_nodes(
        &self,
        file_idx: usize,
        delimiter: u8,
    ) -> Result<(LabelBatch, Option<IdMap>), ImportError> {
        let file = &self.bundle.files[file_idx];
        let plan = &self.plans[file_idx];
        let mut batch = lock(self.loader).label_batch(plan.name_id, plan.keys.clone());
        let mut map = plan.id_space.map(|_| IdMap::default());
        let mut labels: HashMap<Vec<u8>, u32> = HashMap::new();
        let mut row_labels = Vec::new();
        let file_bits = u64::try_from(file_idx).unwrap_or(u64::MAX) << 32;
        let mut rows = RowReader::open(self, file, delimiter)?;
        let mut spare: Vec<Field<'static>> = Vec::with_capacity(plan.keys.len());
        while rows.next_record()? {
            let (record, line) = (&rows.record, rows.line);
            let row = batch.rows();
            let mut values = renew(std::mem::take(&mut spare));
            values.resize(plan.keys.len(), Field::Null);
            for (i, field) in record.iter().enumerate() {
                match &plan.actions[i] {
                    Action::Id { slot } => {
                        if field.is_empty() {
                            return Err(bad_value(file, line, i, field, "id (it is empty)"));
                        }
                        if let Some(map) = map.as_mut()
                            && !map.insert(field, file_bits | u64::from(row))
                        {
                            return Err(ImportError::DuplicateId {
                                file: file.path.clone(),
                                line,
                                column: file.columns[i].text.clone(),
                                id: String::from_utf8_lossy(field).into_owned(),
                                space: plan
                                    .id_space
                                    .and_then(|s| self.spaces.get(s))
                                    .cloned()
                                    .unwrap_or_default(),
                            });
                        }
                        if let Some(slot) = slot {
                            values[*slot] = Field::Str(
                                std::str::from_utf8(field)
                                    .map_err(|_| bad_value(file, line, i, field, "string"))?,
                            );
                        }
                    }
                    Action::Property {
                        slot,
                        scalar,
                        array,
                    } => {
                        if !field.is_empty() {
                            values[*slot] = self.value(file, line, i, field, *scalar, *array)?;
                        }
                    }
                    Action::Labels => {
                        for name in field.split(|b| *b == self.array_delimiter) {
                            let name = name.trim_ascii();
                            if name.is_empty() {
                                continue;
                            }
                            let label = match labels.get(name) {
                                Some(label) => *label,
                                None => {
                                    let text = std::str::from_utf8(name)
                                        .map_err(|_| bad_value(file, line, i, field, "label"))?;
                                    let label = lock(self.loader).label(text);
                                    labels.insert(name.to_vec(), label);
                                    label
                                }
                            };
                            row_labels.push(label);
                        }
                    }
                    Action::Skip | Action::Start | Action::End | Action::Type => {}
                }
            }
            batch.push_fields(&mut values)?;
            spare = renew(values);
            for label in row_labels.drain(..) {
                batch.add_label(row, label);
            }
            if batch.rows() == u32::MAX {
                return Err(ImportError::Capacity {
                    file: file.path.clone(),
                    what: "rows in one file",
                });
            }
        }
        Ok((batch, map))
    }

    fn parse_relationships(
        &self,
        file_idx: usize,
        delimiter: u8,
    ) -> Result<Vec<RelBatch>, ImportError> {
        let file = &self.bundle.files[file_idx];
        let plan = &self.plans[file_idx];
        let empty = IdMap::default();
        let starts = self.maps[plan.start_space].get().unwrap_or(&empty);
        let ends = self.maps[plan.end_space].get().unwrap_or(&empty);
        // One batch per relationship type; the file's own type first.
        let mut batches = vec![lock(self.loader).rel_batch(plan.name_id, plan.keys.clone())];
        let mut types: HashMap<Vec<u8>, usize> = HashMap::new();
        let mut rows = RowReader::open(self, file, delimiter)?;
        let mut spare: Vec<Field<'static>> = Vec::with_capacity(plan.keys.len());
        while rows.next_record()? {
            let (record, line) = (&rows.record, rows.line);
            let mut values = renew(std::mem::take(&mut spare));
            values.resize(plan.keys.len(), Field::Null);
            let (mut start, mut end, mut batch_idx) = (0, 0, 0);
            for (i, field) in record.iter().enumerate() {
                match &plan.actions[i] {
                    Action::Start | Action::End => {
                        let (map, space, out) = if matches!(plan.actions[i], Action::Start) {
                            (starts, plan.start_space, &mut start)
                        } else {
                            (ends, plan.end_space, &mut end)
                        };
                        *out = map.get(field).ok_or_else(|| ImportError::UnknownId {
                            file: file.path.clone(),
                            line,
                            column: file.columns[i].text.clone(),
                            id: String::from_utf8_lossy(field).into_owned(),
                            space: self.spaces[space].clone(),
                        })?;
                    }
                    Action::Property {
                        slot,
                        scalar,
                        array,
                    } => {
                        if !field.is_empty() {
                            values[*slot] = self.value(file, line, i, field, *scalar, *array)?;
                        }
                    }
                    Action::Type => {
                        let name = field.trim_ascii();
                        if !name.is_empty() {
                            batch_idx = match types.get(name) {
                                Some(idx) => *idx,
                                None => {
                                    let text = std::str::from_utf8(name).map_err(|_| {
                                        bad_value(file, line, i, field, "relationship type")
                                    })?;
                                    let mut loader = lock(self.loader);
                                    let rel_type = loader.rel_type(text);
                                    let idx = if rel_type == plan.name_id {
                                        0
                                    } else {
                                        batches.push(loader.rel_batch(rel_type, plan.keys.clone()));
                                        batches.len() - 1
                                    };
                                    types.insert(name.to_vec(), idx);
                                    idx
                                }
                            };
                        }
                    }
                    Action::Skip | Action::Id { .. } | Action::Labels => {}
                }
            }
            batches[batch_idx].push_fields(start, end, &mut values)?;
            spare = renew(values);
        }
        Ok(batches)
    }

    fn value<'f>(
        &self,
        file: &BundleFile,
        line: u64,
        column: usize,
        field: &'f [u8],
        scalar: ScalarType,
        array: bool,
    ) -> Result<Field<'f>, ImportError> {
        let parsed = if scalar == ScalarType::String && !array {
            std::str::from_utf8(field).ok().map(Field::Str)
        } else {
            parse_value(field, scalar, array.then_some(self.array_delimiter)).map(Field::Value)
        };
        parsed.ok_or_else(|| {
            let type_name = if array {
                format!("{}[]", scalar.name())
            } else {
                scalar.name().to_owned()
            };
            bad_value(file, line, column, field, &type_name)
        })
    }
}

/// An empty vector of fields in `spare`'s allocation. Fields borrow from the CSV record, which
/// changes every row, so the buffer's lifetime is renewed per row; collecting an emptied vector
/// in place allocates nothing.
fn renew<'b>(mut spare: Vec<Field<'_>>) -> Vec<Field<'b>> {
    spare.clear();
    spare.into_iter().map(|_| Field::Null).collect()
}

/// Wakes the other threads if this one panics, so none waits forever for an id space the
/// panicking thread would have completed; the scope then propagates the panic.
struct PanicGuard<'s, 'a>(&'s Shared<'a>);

impl Drop for PanicGuard<'_, '_> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            self.0.failed.store(true, Ordering::Relaxed);
            let _queue = lock(&self.0.queue);
            self.0.ready.notify_all();
        }
    }
}

fn bad_value(
    file: &BundleFile,
    line: u64,
    column: usize,
    field: &[u8],
    type_name: &str,
) -> ImportError {
    let mut value = String::from_utf8_lossy(field).into_owned();
    if value.len() > 80 {
        let mut end = 80;
        while !value.is_char_boundary(end) {
            end -= 1;
        }
        value.truncate(end);
        value.push('…');
    }
    ImportError::BadValue {
        file: file.path.clone(),
        line,
        column: file
            .columns
            .get(column)
            .map(|c| c.text.clone())
            .unwrap_or_default(),
        value,
        type_name: type_name.to_owned(),
    }
}

fn id_column(file: &BundleFile) -> String {
    file.columns
        .iter()
        .find(|c| matches!(c.kind, ColumnKind::Id { .. }))
        .map(|c| c.text.clone())
        .unwrap_or_default()
}

/// The line of data row `row` (0-based, after the header) of a file: only for error messages,
/// so it reads the file again rather than keep a line per row.
fn line_of_row(path: &Path, row: u64, delimiter: u8) -> u64 {
    let Ok(mut reader) = csv_reader(path, delimiter) else {
        return 0;
    };
    let mut record = csv::ByteRecord::new();
    let mut seen = 0u64;
    while let Ok(true) = reader.read_byte_record(&mut record) {
        if seen == row + 1 {
            return record.position().map_or(0, csv::Position::line);
        }
        seen += 1;
    }
    0
}

/// Reads the data records of one file, checking each has as many fields as the header and
/// reporting progress in bytes.
struct RowReader<'s, 'a> {
    shared: &'s Shared<'a>,
    file: &'s BundleFile,
    reader: csv::Reader<std::io::BufReader<std::fs::File>>,
    record: csv::ByteRecord,
    line: u64,
    reported: u64,
    rows: u64,
}

impl<'s, 'a> RowReader<'s, 'a> {
    fn open(
        shared: &'s Shared<'a>,
        file: &'s BundleFile,
        delimiter: u8,
    ) -> Result<Self, ImportError> {
        let mut reader = csv_reader(&file.path, delimiter)?;
        let mut record = csv::ByteRecord::new();
        // The header was parsed when the bundle was opened.
        reader
            .read_byte_record(&mut record)
            .map_err(|e| csv_error(&file.path, &e))?;
        Ok(RowReader {
            shared,
            file,
            reader,
            record,
            line: 0,
            reported: 0,
            rows: 0,
        })
    }

    /// Reads the next record into `self.record`; false at the end (or when another thread
    /// failed, as the import is lost anyway).
    fn next_record(&mut self) -> Result<bool, ImportError> {
        self.rows += 1;
        if self.rows.is_multiple_of(8192) {
            self.report();
            if self.shared.failed.load(Ordering::Relaxed) {
                return Ok(false);
            }
        }
        let found = self
            .reader
            .read_byte_record(&mut self.record)
            .map_err(|e| csv_error(&self.file.path, &e))?;
        if !found {
            self.report();
            return Ok(false);
        }
        self.line = self.record.position().map_or(0, csv::Position::line);
        let expected = self.file.columns.len();
        if self.record.len() != expected {
            return Err(ImportError::ColumnCount {
                file: self.file.path.clone(),
                line: self.line,
                expected,
                found: self.record.len(),
            });
        }
        Ok(true)
    }

    fn report(&mut self) {
        let byte = self.reader.position().byte();
        self.shared
            .bytes_done
            .fetch_add(byte.saturating_sub(self.reported), Ordering::Relaxed);
        self.reported = byte;
    }
}

//! Reading a dump back: a cursor over each record (every read fails cleanly at the end), a
//! first pass that verifies the checksums, then `restore_into` and `restore` (into a temporary
//! directory renamed into place).

use super::*;

/// A cursor over one record's payload; every read fails cleanly at the end.
struct Cursor<'a> {
    bytes: &'a [u8],
    at: usize,
}

/// Why a payload did not decode.
struct Bad(String);

impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize) -> Result<&'a [u8], Bad> {
        let end = self
            .at
            .checked_add(n)
            .filter(|e| *e <= self.bytes.len())
            .ok_or_else(|| Bad("a record ends inside a value".into()))?;
        let slice = &self.bytes[self.at..end];
        self.at = end;
        Ok(slice)
    }

    fn byte(&mut self) -> Result<u8, Bad> {
        Ok(self.take(1)?[0])
    }

    fn varint(&mut self) -> Result<u64, Bad> {
        let mut n = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.byte()?;
            n |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Ok(n);
            }
        }
        Err(Bad("a number is too long".into()))
    }

    fn signed(&mut self) -> Result<i64, Bad> {
        let n = self.varint()?;
        Ok(((n >> 1) as i64) ^ -((n & 1) as i64))
    }

    fn small<T: TryFrom<i64>>(&mut self) -> Result<T, Bad> {
        T::try_from(self.signed()?).map_err(|_| Bad("a number is out of range".into()))
    }

    fn index(&mut self, len: usize, what: &str) -> Result<usize, Bad> {
        let n = self.varint()?;
        usize::try_from(n)
            .ok()
            .filter(|n| *n < len)
            .ok_or_else(|| Bad(format!("{what} {n} is not in the dump's name table")))
    }

    fn string(&mut self) -> Result<String, Bad> {
        let len =
            usize::try_from(self.varint()?).map_err(|_| Bad("a string is too long".into()))?;
        let bytes = self.take(len)?;
        String::from_utf8(bytes.to_vec()).map_err(|_| Bad("a string is not valid utf-8".into()))
    }

    fn value(&mut self, depth: usize) -> Result<StoredValue, Bad> {
        let value = match self.byte()? {
            0 => StoredValue::Null,
            1 => StoredValue::Bool(false),
            2 => StoredValue::Bool(true),
            3 => StoredValue::Int(self.signed()?),
            4 => {
                let bits: [u8; 8] = self
                    .take(8)?
                    .try_into()
                    .map_err(|_| Bad("a float is cut short".into()))?;
                StoredValue::Float(f64::from_bits(u64::from_le_bytes(bits)))
            }
            5 => StoredValue::String(self.string()?),
            6 => StoredValue::Date(self.signed()?),
            7 => StoredValue::LocalTime(self.signed()?),
            8 => StoredValue::Time(self.signed()?, self.small()?),
            9 => StoredValue::LocalDateTime(
                self.signed()?,
                u32::try_from(self.varint()?).map_err(|_| Bad("bad nanoseconds".into()))?,
            ),
            10 => {
                let seconds = self.signed()?;
                let nanos =
                    u32::try_from(self.varint()?).map_err(|_| Bad("bad nanoseconds".into()))?;
                let offset = self.small()?;
                let zone = match self.byte()? {
                    0 => None,
                    1 => Some(self.string()?),
                    _ => return Err(Bad("bad time zone marker".into())),
                };
                StoredValue::DateTime(seconds, nanos, offset, zone)
            }
            11 => StoredValue::Duration(
                self.signed()?,
                self.signed()?,
                self.signed()?,
                self.small()?,
            ),
            12 if depth < 64 => {
                let n = self.varint()?;
                let mut items = Vec::new();
                for _ in 0..n {
                    items.push(self.value(depth + 1)?);
                }
                StoredValue::List(items)
            }
            tag => return Err(Bad(format!("unknown value tag {tag}"))),
        };
        // Temporals must be ones the value layer can read back (a valid zone, a date in range).
        if !matches!(
            value,
            StoredValue::Null
                | StoredValue::Bool(_)
                | StoredValue::Int(_)
                | StoredValue::Float(_)
                | StoredValue::String(_)
                | StoredValue::List(_)
        ) {
            from_stored(&value).map_err(|e| Bad(format!("bad temporal value: {e}")))?;
        }
        Ok(value)
    }

    fn names(&mut self) -> Result<Vec<String>, Bad> {
        let n = self.varint()?;
        let mut names = Vec::new();
        for _ in 0..n {
            names.push(self.string()?);
        }
        Ok(names)
    }

    fn done(&self) -> Result<(), Bad> {
        if self.at == self.bytes.len() {
            Ok(())
        } else {
            Err(Bad("a record has bytes after its contents".into()))
        }
    }
}

/// Reads records one by one from a dump file.
struct DumpReader {
    input: BufReader<File>,
    path: PathBuf,
    at: u64,
    size: u64,
}

impl DumpReader {
    /// Opens a dump and checks its header.
    fn open(path: &Path) -> Result<DumpReader, ExportError> {
        let file = File::open(path).map_err(io_error(path))?;
        let size = file.metadata().map_err(io_error(path))?.len();
        let mut reader = DumpReader {
            input: BufReader::with_capacity(1 << 20, file),
            path: path.to_path_buf(),
            at: 0,
            size,
        };
        let mut head = [0u8; 12];
        if reader.fill(&mut head).is_err() || &head[..8] != MAGIC {
            return Err(ExportError::NotADump {
                path: path.to_path_buf(),
            });
        }
        let version = u32::from_le_bytes([head[8], head[9], head[10], head[11]]);
        if version != DUMP_VERSION {
            return Err(ExportError::DumpVersion {
                path: path.to_path_buf(),
                found: version,
                supported: DUMP_VERSION,
            });
        }
        Ok(reader)
    }

    fn fill(&mut self, buf: &mut [u8]) -> Result<(), ExportError> {
        match self.input.read_exact(buf) {
            Ok(()) => {
                self.at += buf.len() as u64;
                Ok(())
            }
            Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
                Err(ExportError::DumpTruncated {
                    path: self.path.clone(),
                    at: self.size,
                })
            }
            Err(e) => Err(io_error(&self.path)(e)),
        }
    }

    /// The next record's tag and payload, and its raw header bytes for the checksum.
    fn next(&mut self) -> Result<(u8, [u8; 5], Vec<u8>), ExportError> {
        let mut head = [0u8; 5];
        self.fill(&mut head)?;
        let len = u32::from_le_bytes([head[1], head[2], head[3], head[4]]);
        if u64::from(len) > self.size.saturating_sub(self.at) {
            return Err(ExportError::DumpTruncated {
                path: self.path.clone(),
                at: self.size,
            });
        }
        let mut payload = vec![0u8; len as usize];
        self.fill(&mut payload)?;
        Ok((head[0], head, payload))
    }

    fn corrupt(&self, detail: impl Into<String>) -> ExportError {
        ExportError::DumpCorrupt {
            path: self.path.clone(),
            at: self.at,
            detail: detail.into(),
        }
    }
}

/// First pass: the framing, the record count and the checksum.
fn verify(path: &Path, progress: &mut dyn FnMut(Progress)) -> Result<u64, ExportError> {
    let mut reader = DumpReader::open(path)?;
    let mut crc = crc32fast::Hasher::new();
    crc.update(MAGIC);
    crc.update(&DUMP_VERSION.to_le_bytes());
    let mut records = 0u64;
    loop {
        let (tag, head, payload) = reader.next()?;
        if tag == TAG_END {
            if payload.len() != 12 {
                return Err(reader.corrupt("the end record has the wrong size"));
            }
            let count = u64::from_le_bytes(payload[..8].try_into().unwrap_or_default());
            let expected = u32::from_le_bytes(payload[8..].try_into().unwrap_or_default());
            let found = crc.finalize();
            if found != expected {
                return Err(ExportError::DumpChecksum {
                    path: path.to_path_buf(),
                    expected,
                    found,
                });
            }
            if count != records {
                return Err(reader.corrupt(format!(
                    "the end record counts {count} records, the file has {records}"
                )));
            }
            if reader.at != reader.size {
                return Err(reader.corrupt("there are bytes after the end record"));
            }
            progress(Progress {
                done: reader.size,
                total: reader.size,
            });
            return Ok(reader.size);
        }
        crc.update(&head);
        crc.update(&payload);
        records += 1;
        if records.is_multiple_of(64) {
            progress(Progress {
                done: reader.at,
                total: reader.size,
            });
        }
    }
}

/// A label set's batch and the old ids of its rows.
struct NodeBatch {
    batch: LabelBatch,
    old_ids: Vec<u64>,
}

/// Restores the dump in `file` into `db`, which must be empty. Nothing is written unless the
/// whole file checks out. Progress counts bytes of the file, twice (check, then load).
pub fn restore_into(
    db: &Database,
    file: &Path,
    progress: &mut dyn FnMut(Progress),
) -> Result<RestoreSummary, ExportError> {
    let started = Instant::now();
    let size = verify(file, &mut |p| {
        progress(Progress {
            done: p.done / 2,
            total: p.total,
        });
    })?;
    let mut loader = db.store().bulk_loader().map_err(|e| match e {
        crate::storage::StorageError::NotEmpty => ExportError::RestoreTargetNotEmpty {
            path: db
                .store()
                .path()
                .map_or_else(|| PathBuf::from("(in memory)"), Path::to_path_buf),
        },
        other => other.into(),
    })?;
    let mut reader = DumpReader::open(file)?;
    let bad = |reader: &DumpReader, Bad(detail): Bad| reader.corrupt(detail);
    let (mut labels, mut types, mut keys) = (Vec::new(), Vec::new(), Vec::new());
    let (mut label_ids, mut type_ids, mut key_ids) = (Vec::new(), Vec::new(), Vec::new());
    let mut node_batches: HashMap<Vec<usize>, NodeBatch> = HashMap::new();
    let mut batch_order: Vec<Vec<usize>> = Vec::new();
    let mut rel_batches: HashMap<usize, RelBatch> = HashMap::new();
    // Nodes without labels and the relationships touching them are created afterwards in one
    // write transaction: the bulk loader files every node under a label.
    let mut bare_nodes: Vec<(u64, Vec<(usize, StoredValue)>)> = Vec::new();
    let mut bare_rels: Vec<(usize, u64, u64, Vec<(usize, StoredValue)>)> = Vec::new();
    let mut bare_ids: std::collections::HashSet<u64> = std::collections::HashSet::new();
    let mut schema: Vec<(u8, String, String, String, u8)> = Vec::new();
    let mut fields: Vec<Field<'static>> = Vec::new();
    loop {
        let (tag, _, payload) = reader.next()?;
        if tag == TAG_END {
            break;
        }
        let mut c = Cursor {
            bytes: &payload,
            at: 0,
        };
        let result: Result<(), Bad> = (|| {
            match tag {
                TAG_META => {
                    serde_json::from_slice::<serde_json::Value>(c.take(payload.len())?)
                        .map_err(|e| Bad(format!("the header record is not JSON: {e}")))?;
                }
                TAG_LABELS => {
                    labels = c.names()?;
                    label_ids = labels.iter().map(|l| loader.label(l)).collect();
                }
                TAG_TYPES => {
                    types = c.names()?;
                    type_ids = types.iter().map(|t| loader.rel_type(t)).collect();
                }
                TAG_KEYS => {
                    keys = c.names()?;
                    key_ids = keys.iter().map(|k| loader.key(k)).collect();
                    fields = key_ids.iter().map(|_| Field::Null).collect();
                }
                TAG_NODES => {
                    let n = c.varint()?;
                    let mut set = Vec::new();
                    for _ in 0..n {
                        set.push(c.index(labels.len(), "label")?);
                    }
                    let rows = c.varint()?;
                    if set.is_empty() {
                        for _ in 0..rows {
                            let id = c.varint()?;
                            let props = props(&mut c, keys.len())?;
                            bare_ids.insert(id);
                            bare_nodes.push((id, props));
                        }
                        return Ok(());
                    }
                    let entry = node_batches.entry(set.clone()).or_insert_with(|| {
                        batch_order.push(set.clone());
                        NodeBatch {
                            batch: loader.label_batch(label_ids[set[0]], key_ids.clone()),
                            old_ids: Vec::new(),
                        }
                    });
                    for _ in 0..rows {
                        let id = c.varint()?;
                        for (key, value) in props(&mut c, keys.len())? {
                            fields[key] = Field::Value(value);
                        }
                        let row = entry.batch.rows();
                        entry
                            .batch
                            .push_fields(&mut fields)
                            .map_err(|e| Bad(e.to_string()))?;
                        for label in &set[1..] {
                            entry.batch.add_label(row, label_ids[*label]);
                        }
                        entry.old_ids.push(id);
                    }
                }
                TAG_RELS => {
                    let t = c.index(types.len(), "type")?;
                    let rows = c.varint()?;
                    for _ in 0..rows {
                        let (start, end) = (c.varint()?, c.varint()?);
                        let props = props(&mut c, keys.len())?;
                        if bare_ids.contains(&start) || bare_ids.contains(&end) {
                            bare_rels.push((t, start, end, props));
                            continue;
                        }
                        let batch = rel_batches
                            .entry(t)
                            .or_insert_with(|| loader.rel_batch(type_ids[t], key_ids.clone()));
                        for (key, value) in props {
                            fields[key] = Field::Value(value);
                        }
                        batch
                            .push_fields(start, end, &mut fields)
                            .map_err(|e| Bad(e.to_string()))?;
                    }
                }
                TAG_INDEX | TAG_CONSTRAINT => {
                    let (name, label, key) = (c.string()?, c.string()?, c.string()?);
                    let kind = if tag == TAG_CONSTRAINT { c.byte()? } else { 0 };
                    schema.push((tag, name, label, key, kind));
                }
                other => return Err(Bad(format!("unknown record tag {other}"))),
            }
            c.done()
        })();
        result.map_err(|e| bad(&reader, e))?;
        progress(Progress {
            done: size / 2 + reader.at / 2,
            total: size,
        });
    }

    // Node ids are handed out batch by batch; relationship ends are rewritten to them.
    let mut new_ids: HashMap<u64, u64> = HashMap::new();
    let mut nodes = 0u64;
    for set in &batch_order {
        let Some(NodeBatch { batch, old_ids }) = node_batches.remove(set) else {
            continue;
        };
        let first = loader.add_nodes(batch)?;
        nodes += old_ids.len() as u64;
        for (row, old) in old_ids.into_iter().enumerate() {
            new_ids.insert(old, first + row as u64);
        }
    }
    let mut relationships = 0u64;
    let mut types_in_order: Vec<_> = rel_batches.into_iter().collect();
    types_in_order.sort_unstable_by_key(|(t, _)| *t);
    for (_, mut batch) in types_in_order {
        let mut missing = None;
        batch.map_endpoints(|old| match new_ids.get(&old) {
            Some(new) => *new,
            None => {
                missing.get_or_insert(old);
                0
            }
        });
        if let Some(old) = missing {
            return Err(reader.corrupt(format!(
                "a relationship names node {old}, which the dump does not hold"
            )));
        }
        relationships += u64::from(batch.rows());
        loader.add_relationships(batch)?;
    }
    loader.finish(&mut |_, _| {})?;

    let (mut indexes, mut constraints) = (0, 0);
    if !bare_nodes.is_empty() || !bare_rels.is_empty() || !schema.is_empty() {
        let mut txn = db.begin_write().map_err(db_error)?;
        let value = |v: &StoredValue| from_stored(v);
        for (old, props) in bare_nodes {
            let props = props
                .iter()
                .map(|(k, v)| Ok((key_ids[*k], value(v)?)))
                .collect::<Result<Vec<_>, crate::storage::StorageError>>()?;
            let id = txn.create_node(&[], props)?;
            new_ids.insert(old, id.0);
            nodes += 1;
        }
        for (t, start, end, props) in bare_rels {
            let props = props
                .iter()
                .map(|(k, v)| Ok((key_ids[*k], value(v)?)))
                .collect::<Result<Vec<_>, crate::storage::StorageError>>()?;
            let (Some(s), Some(e)) = (new_ids.get(&start), new_ids.get(&end)) else {
                return Err(reader.corrupt("a relationship names a node the dump does not hold"));
            };
            txn.create_relationship(type_ids[t], NodeId(*s), NodeId(*e), props)?;
            relationships += 1;
        }
        for (tag, name, label, key, kind) in schema {
            if tag == TAG_INDEX {
                txn.create_index(Some(&name), &label, &key)?;
                indexes += 1;
            } else {
                let kind = if kind == 0 {
                    ConstraintKind::Unique
                } else {
                    ConstraintKind::NotNull
                };
                txn.create_constraint(Some(&name), &label, &key, kind)?;
                constraints += 1;
            }
        }
        txn.commit()?;
    }
    Ok(RestoreSummary {
        nodes,
        relationships,
        indexes,
        constraints,
        bytes: size,
        seconds: started.elapsed().as_secs_f64(),
    })
}

fn db_error(error: crate::Error) -> ExportError {
    match error {
        crate::Error::Storage(s) => ExportError::Storage(s),
        other => ExportError::Query(Box::new(other)),
    }
}

fn props(c: &mut Cursor<'_>, keys: usize) -> Result<Vec<(usize, StoredValue)>, Bad> {
    let n = c.varint()?;
    let mut out = Vec::new();
    for _ in 0..n {
        let key = c.index(keys, "property key")?;
        out.push((key, c.value(0)?));
    }
    Ok(out)
}

/// True when `path` is absent, an empty directory, or a database without any data.
fn target_is_empty(path: &Path) -> Result<bool, ExportError> {
    if !path.exists() {
        return Ok(true);
    }
    if path.is_dir()
        && std::fs::read_dir(path)
            .map_err(io_error(path))?
            .next()
            .is_none()
    {
        return Ok(true);
    }
    let db = Database::open_with(
        path,
        crate::storage::OpenOptions {
            create: false,
            ..crate::storage::OpenOptions::default()
        },
    )
    .map_err(db_error)?;
    let snapshot = db.begin_read();
    let empty = snapshot.count_nodes(None)? == 0
        && snapshot.count_relationships(None)? == 0
        && snapshot.label_names().is_empty()
        && snapshot.indexes().iter().all(|i| i.implicit);
    drop(snapshot);
    db.close().map_err(db_error)?;
    Ok(empty)
}

/// Restores the dump in `file` as the database directory `target`, which must be absent, an
/// empty directory or an empty database. The database is built in a temporary sibling
/// directory and renamed into place, so on any failure `target` is left as it was.
pub fn restore(
    file: &Path,
    target: &Path,
    progress: &mut dyn FnMut(Progress),
) -> Result<RestoreSummary, ExportError> {
    // Check the file first: a bad file is reported as such even when the target is busy.
    DumpReader::open(file)?;
    if !target_is_empty(target)? {
        return Err(ExportError::RestoreTargetNotEmpty {
            path: target.to_path_buf(),
        });
    }
    let name = target
        .file_name()
        .map_or_else(|| "db".into(), |n| n.to_string_lossy().into_owned());
    let temp = target.with_file_name(format!(".{name}.restore-{}", std::process::id()));
    if temp.exists() {
        std::fs::remove_dir_all(&temp).map_err(io_error(&temp))?;
    }
    let built = (|| {
        let db = Database::open(&temp).map_err(db_error)?;
        let summary = restore_into(&db, file, progress)?;
        db.close().map_err(db_error)?;
        Ok(summary)
    })();
    let summary = match built {
        Ok(summary) => summary,
        Err(error) => {
            let _ = std::fs::remove_dir_all(&temp);
            return Err(error);
        }
    };
    if target.exists() {
        std::fs::remove_dir_all(target).map_err(io_error(target))?;
    }
    if let Err(e) = std::fs::rename(&temp, target) {
        let _ = std::fs::remove_dir_all(&temp);
        return Err(io_error(target)(e));
    }
    // sled may still hold the lock a moment after the close: opening the target here waits.
    crate::storage::moved_here(target);
    Ok(summary)
}

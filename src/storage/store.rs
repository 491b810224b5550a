//! Opening a store (directory checks, format version, log replay, and after an unclean
//! shutdown the sweep of unreferenced chunks), snapshots for readers, one writer at a time,
//! commit, checkpoint, and the clean-close marker.
//!
//! About 800 lines, kept whole: opening, commit and checkpoint share the store's locks and the
//! order in which they take them, which one file lets a reader check at a glance.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, PoisonError, RwLock, Weak};

use super::StorageError;
use super::backend::{Backend, MemBackend, SledBackend};
use super::cache::new_cache;
use super::checkpoint;
use super::chunk_files::ChunkFileBackend;
use super::chunks::Chunks;
use super::codec;
use super::keys::{self, ChunkOwner};
use super::read::Snapshot;
use super::records::{FORMAT_VERSION, LogRecord, Manifest, OLDEST_FORMAT_VERSION, Op};
use super::state::State;
use super::write::{WriteTxn, apply};

/// The file that marks a directory as a Cordial database.
pub const MARKER_FILE: &str = "CORDIAL";
const MARKER_HEADER: &str = "cordial database";
/// The directory of a format-2 store's chunk files, beside sled's `store`.
pub(crate) const CHUNK_DIR: &str = "chunks";

/// How to open a store.
#[derive(Debug, Clone)]
pub struct OpenOptions {
    pub read_only: bool,
    /// Create the database when the directory does not exist or is empty.
    pub create: bool,
    /// Memory budget of the decoded-chunk cache.
    pub cache_bytes: u64,
    /// Checkpoint once the overlay holds this many changes.
    pub checkpoint_after_ops: usize,
}

impl Default for OpenOptions {
    fn default() -> Self {
        OpenOptions {
            read_only: false,
            create: true,
            cache_bytes: 512 << 20,
            checkpoint_after_ops: 200_000,
        }
    }
}

/// Figures about a store.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoreStats {
    pub nodes: u64,
    pub relationships: u64,
    pub size_on_disk: u64,
    /// Bytes on disk that no chunk uses any more (replaced or deleted data, and what a crash
    /// left unfinished): `compact` gives them back.
    pub reclaimable_bytes: u64,
    /// Changes in the overlay, not yet checkpointed.
    pub overlay_ops: usize,
    pub generation: u64,
    pub last_sequence: u64,
}

/// Held by the one open write transaction.
pub(crate) struct WriterPermit {
    inner: Weak<StoreInner>,
}

impl Drop for WriterPermit {
    fn drop(&mut self) {
        if let Some(inner) = self.inner.upgrade() {
            let mut active = inner.writer.lock().unwrap_or_else(PoisonError::into_inner);
            *active = false;
            inner.writer_released.notify_one();
        }
    }
}

pub(crate) struct StoreInner {
    pub chunks: Arc<Chunks>,
    current: RwLock<Arc<State>>,
    writer: Mutex<bool>,
    writer_released: Condvar,
    read_only: bool,
    path: Option<PathBuf>,
    options: OpenOptions,
    /// Chunks replaced by a checkpoint, deleted once no snapshot holds the manifest naming them.
    garbage: Mutex<Vec<(Weak<Manifest>, Vec<Vec<u8>>)>>,
    /// Set while something may have written chunks the manifest does not name (a bulk load
    /// between its first chunk and its manifest, or one whose clean-up failed): the store is then
    /// not closed as clean, and the next open sweeps.
    pub(crate) unreferenced_possible: AtomicBool,
    /// Chunk keys the sweep at open deleted; `None` when the store was closed cleanly (or is
    /// new, or read-only) and the sweep did not run.
    swept_at_open: Option<usize>,
}

/// An open database store. Cloning shares it.
#[derive(Clone)]
pub struct Store {
    pub(crate) inner: Arc<StoreInner>,
}

fn io_error(path: &Path, source: std::io::Error) -> StorageError {
    StorageError::Io {
        path: path.display().to_string(),
        source,
    }
}

/// Checks that `path` is a Cordial database directory (or can become one) before sled touches it.
/// Returns whether the database is new, and its format version.
fn check_directory(path: &Path, options: &OpenOptions) -> Result<(bool, u32), StorageError> {
    let shown = path.display().to_string();
    if !path.exists() {
        if options.read_only || !options.create {
            return Err(StorageError::NotFound { path: shown });
        }
        std::fs::create_dir_all(path).map_err(|e| io_error(path, e))?;
    } else if !path.is_dir() {
        return Err(StorageError::ForeignDirectory {
            path: shown,
            detail: "it is a file, not a directory".into(),
        });
    }
    let marker = path.join(MARKER_FILE);
    if marker.exists() {
        let text = std::fs::read_to_string(&marker).map_err(|e| io_error(&marker, e))?;
        let mut lines = text.lines();
        if lines.next() != Some(MARKER_HEADER) {
            return Err(StorageError::ForeignDirectory {
                path: shown,
                detail: "its CORDIAL file is not ours".into(),
            });
        }
        let version = lines
            .find_map(|l| l.strip_prefix("format_version = "))
            .and_then(|v| v.trim().parse::<u32>().ok())
            .ok_or_else(|| StorageError::ForeignDirectory {
                path: shown.clone(),
                detail: "its CORDIAL file has no format version".into(),
            })?;
        if !(OLDEST_FORMAT_VERSION..=FORMAT_VERSION).contains(&version) {
            return Err(StorageError::UnsupportedFormat {
                path: shown,
                found: version,
                supported: FORMAT_VERSION,
            });
        }
        return Ok((false, version));
    }
    let empty = std::fs::read_dir(path)
        .map_err(|e| io_error(path, e))?
        .next()
        .is_none();
    if !empty {
        return Err(StorageError::ForeignDirectory {
            path: shown,
            detail: "the directory holds other files and no CORDIAL marker".into(),
        });
    }
    if options.read_only || !options.create {
        return Err(StorageError::NotFound { path: shown });
    }
    write_marker(path)?;
    Ok((true, FORMAT_VERSION))
}

/// Writes the `CORDIAL` marker of a new database directory.
pub(crate) fn write_marker(path: &Path) -> Result<(), StorageError> {
    let marker = path.join(MARKER_FILE);
    std::fs::write(
        &marker,
        format!("{MARKER_HEADER}\nformat_version = {FORMAT_VERSION}\n"),
    )
    .map_err(|e| io_error(&marker, e))
}

/// The directories this process has open now (`read_only` per open store), and every one it
/// has ever opened read-write.
///
/// sled releases its file lock only when its background threads let go of the files, a moment
/// after the last handle is dropped. So a reopen of a directory this process opened before, and
/// has no longer open, retries while that happens (up to `RELEASE_WAIT`); a directory open here
/// now, or locked by another process, is `Locked` at once.
struct OpenDirectories {
    open: Vec<(PathBuf, bool)>,
    opened_read_write: Vec<PathBuf>,
}

static OPEN_HERE: Mutex<OpenDirectories> = Mutex::new(OpenDirectories {
    open: Vec::new(),
    opened_read_write: Vec::new(),
});

/// Notes that a store this process opened read-write and closed now lives at `path` (a
/// directory renamed into place): an open at `path` waits for sled's threads to release the
/// lock, as a reopen where it was opened would.
pub fn moved_here(path: &Path) {
    let key = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
    let mut here = OPEN_HERE.lock().unwrap_or_else(PoisonError::into_inner);
    if !here.opened_read_write.contains(&key) {
        here.opened_read_write.push(key);
    }
}

/// How long a reopen in this process waits for sled's threads to release the lock.
const RELEASE_WAIT: std::time::Duration = std::time::Duration::from_secs(5);

/// An open directory's entry in `OPEN_HERE`, removed when dropped with the sled handle.
pub(crate) struct OpenEntry {
    key: PathBuf,
    read_only: bool,
}

impl Drop for OpenEntry {
    fn drop(&mut self) {
        let mut here = OPEN_HERE.lock().unwrap_or_else(PoisonError::into_inner);
        let entry = (self.key.clone(), self.read_only);
        if let Some(i) = here.open.iter().position(|e| *e == entry) {
            here.open.swap_remove(i);
        }
    }
}

/// Runs `attempt` (which returns `None` while the lock is taken) under the rules of
/// `OpenDirectories`, and registers the open directory.
fn open_locked<T>(
    path: &Path,
    read_only: bool,
    mut attempt: impl FnMut() -> Result<Option<T>, StorageError>,
) -> Result<(T, OpenEntry), StorageError> {
    let key = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
    let locked = || StorageError::Locked {
        path: path.display().to_string(),
    };
    let may_wait = {
        let here = OPEN_HERE.lock().unwrap_or_else(PoisonError::into_inner);
        if here
            .open
            .iter()
            .any(|(k, ro)| *k == key && !(read_only && *ro))
        {
            return Err(locked());
        }
        here.opened_read_write.contains(&key)
    };
    let started = std::time::Instant::now();
    let mut pause = std::time::Duration::from_millis(1);
    loop {
        if let Some(value) = attempt()? {
            let mut here = OPEN_HERE.lock().unwrap_or_else(PoisonError::into_inner);
            here.open.push((key.clone(), read_only));
            if !read_only && !here.opened_read_write.contains(&key) {
                here.opened_read_write.push(key.clone());
            }
            return Ok((value, OpenEntry { key, read_only }));
        }
        if !may_wait || started.elapsed() > RELEASE_WAIT {
            return Err(locked());
        }
        std::thread::sleep(pause);
        pause = (pause * 2).min(std::time::Duration::from_millis(50));
    }
}

/// sled's segment size for new stores. With sled's default (512 KiB), a flush after a batch
/// or log record much larger than a segment could wait forever (a 20,000-node transaction hung
/// `Database` drop in the storage suite most times); 16 MiB segments keep every transaction
/// and checkpoint of the test workloads well inside one segment.
const SEGMENT_SIZE: usize = 16 << 20;

/// The sled configuration of a store directory: a new store gets `SEGMENT_SIZE`, an existing
/// one keeps the segment size it was created with (sled refuses to change it).
pub(crate) fn sled_config(store: &Path) -> sled::Config {
    let existing = std::fs::read(store.join("conf")).ok().and_then(|bytes| {
        String::from_utf8_lossy(&bytes)
            .lines()
            .find_map(|l| l.strip_prefix("segment_size: "))
            .and_then(|n| n.trim().parse::<usize>().ok())
    });
    sled::Config::new()
        .path(store)
        .segment_size(existing.unwrap_or(SEGMENT_SIZE))
}

fn open_sled(path: &Path) -> Result<(sled::Db, OpenEntry), StorageError> {
    open_locked(path, false, || {
        match sled_config(&path.join("store")).open() {
            Ok(db) => Ok(Some(db)),
            Err(sled::Error::Io(io))
                if io.to_string().contains("lock")
                    || io.kind() == std::io::ErrorKind::WouldBlock =>
            {
                Ok(None)
            }
            Err(other) => Err(StorageError::Sled(other)),
        }
    })
}

/// A private copy of a store for a read-only open, removed when the store closes.
///
/// sled has no read-only mode: every open recovers into its files (it writes a snapshot and
/// grows the data file), and it cannot open files it may not write. So a read-only open takes a
/// shared lock on the store's data file (a writer holds it exclusively, so either one waits for
/// the other to close: `Locked`), copies the store into a private temporary directory and opens
/// sled there. The database directory is never written. The cost is one copy of sled's files:
/// in format 2 the chunk files are not among them (they are read in place), so it is small.
pub(crate) struct ReadOnlyCopy {
    dir: PathBuf,
    _lock: std::fs::File,
    _entry: OpenEntry,
}

impl Drop for ReadOnlyCopy {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn copy_dir(from: &Path, to: &Path) -> Result<(), StorageError> {
    std::fs::create_dir_all(to).map_err(|e| io_error(to, e))?;
    for entry in std::fs::read_dir(from).map_err(|e| io_error(from, e))? {
        let entry = entry.map_err(|e| io_error(from, e))?;
        let (source, target) = (entry.path(), to.join(entry.file_name()));
        if entry
            .file_type()
            .map_err(|e| io_error(&source, e))?
            .is_dir()
        {
            copy_dir(&source, &target)?;
        } else {
            std::fs::copy(&source, &target).map_err(|e| io_error(&source, e))?;
        }
    }
    Ok(())
}

fn open_sled_read_only(path: &Path) -> Result<(sled::Db, ReadOnlyCopy), StorageError> {
    static COPIES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let store = path.join("store");
    let data = store.join("db");
    let (lock, entry) = open_locked(path, true, || {
        let lock = std::fs::File::open(&data).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => StorageError::NotFound {
                path: path.display().to_string(),
            },
            _ => io_error(&data, e),
        })?;
        match lock.try_lock_shared() {
            Ok(()) => Ok(Some(lock)),
            Err(std::fs::TryLockError::WouldBlock) => Ok(None),
            Err(std::fs::TryLockError::Error(e)) => Err(io_error(&data, e)),
        }
    })?;
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let dir = std::env::temp_dir().join(format!(
        "cordial-read-only-{}-{nanos}-{}",
        std::process::id(),
        COPIES.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
    ));
    let copy = ReadOnlyCopy {
        dir,
        _lock: lock,
        _entry: entry,
    };
    copy_dir(&store, &copy.dir)?;
    let db = sled_config(&copy.dir).open().map_err(StorageError::Sled)?;
    Ok((db, copy))
}

impl Store {
    /// Opens (or creates) the database in `path`.
    pub fn open(path: &Path, options: OpenOptions) -> Result<Store, StorageError> {
        let (new, version) = check_directory(path, &options)?;
        let meta = if options.read_only {
            let (db, copy) = open_sled_read_only(path)?;
            SledBackend::new(db, Box::new(copy))?
        } else {
            let (db, entry) = open_sled(path)?;
            SledBackend::new(db, Box::new(entry))?
        };
        let backend = if version == 1 {
            ChunkFileBackend::inline(meta)
        } else {
            ChunkFileBackend::with_files(meta, &path.join(CHUNK_DIR), !options.read_only)?
        };
        Store::start(
            Arc::new(backend),
            Some(path.to_path_buf()),
            options,
            new,
            version,
        )
    }

    /// A database in memory: the same engine, without durability.
    pub fn in_memory(options: OpenOptions) -> Result<Store, StorageError> {
        Store::start(
            Arc::new(MemBackend::default()),
            None,
            options,
            true,
            FORMAT_VERSION,
        )
    }

    fn start(
        backend: Arc<dyn Backend>,
        path: Option<PathBuf>,
        options: OpenOptions,
        new: bool,
        format: u32,
    ) -> Result<Store, StorageError> {
        let version = backend.get(keys::VERSION)?;
        let created = version.is_none();
        let manifest = match version {
            None if new
                || backend.get(keys::MANIFEST)?.is_none()
                    && backend.scan_prefix(&[keys::TAG_LOG])?.is_empty() =>
            {
                if options.read_only {
                    return Err(StorageError::NotFound {
                        path: path
                            .as_ref()
                            .map(|p| p.display().to_string())
                            .unwrap_or_default(),
                    });
                }
                let manifest = Manifest::default();
                backend.apply(vec![
                    (keys::VERSION.to_vec(), Some(format.to_be_bytes().to_vec())),
                    (keys::MANIFEST.to_vec(), Some(codec::encode(&manifest)?)),
                ])?;
                manifest
            }
            None => {
                return Err(StorageError::Corruption {
                    what: "database".into(),
                    detail: "format version record is missing".into(),
                });
            }
            Some(bytes) => {
                let found = <[u8; 4]>::try_from(bytes.as_slice())
                    .map(u32::from_be_bytes)
                    .map_err(|_| StorageError::Corruption {
                        what: "format version record".into(),
                        detail: format!("{} bytes instead of 4", bytes.len()),
                    })?;
                if found != format {
                    return Err(StorageError::UnsupportedFormat {
                        path: path
                            .as_ref()
                            .map(|p| p.display().to_string())
                            .unwrap_or_default(),
                        found,
                        supported: FORMAT_VERSION,
                    });
                }
                let bytes =
                    backend
                        .get(keys::MANIFEST)?
                        .ok_or_else(|| StorageError::Corruption {
                            what: "database".into(),
                            detail: "manifest is missing".into(),
                        })?;
                codec::decode(&bytes, &|| "manifest".to_owned())?
            }
        };
        let chunks = Arc::new(Chunks::new(backend, new_cache(options.cache_bytes)));
        let manifest = Arc::new(manifest);
        let mut state = State::from_manifest(Arc::clone(&manifest));
        let mut stale_log = Vec::new();
        for (key, bytes) in chunks.backend.scan_prefix(&[keys::TAG_LOG])? {
            let seq = keys::log_seq(&key).ok_or_else(|| StorageError::Corruption {
                what: "log".into(),
                detail: "malformed log key".into(),
            })?;
            if seq <= manifest.log_applied {
                stale_log.push(key);
                continue;
            }
            let record: LogRecord = codec::decode(&bytes, &|| format!("log record {seq}"))?;
            if record.seq != seq || seq != state.last_seq + 1 {
                return Err(StorageError::Corruption {
                    what: format!("log record {seq}"),
                    detail: format!("expected sequence {}", state.last_seq + 1),
                });
            }
            for op in &record.ops {
                apply(&mut state, &chunks, op)?;
            }
            state.last_seq = seq;
        }
        // The sweep of unreferenced chunks reads every chunk key (and with sled every leaf page,
        // values and all), so it runs only when the last session did not end cleanly: the
        // marker is missing (a crash, a database from before the marker) or describes another
        // state than the one just recovered (a session of a build without the marker).
        let marker = chunks.backend.get(keys::CLEAN)?;
        let clean = created
            || marker.as_deref() == Some(&clean_marker(manifest.generation, state.last_seq)[..]);
        let mut swept_at_open = None;
        let mut batch: super::backend::Batch = Vec::new();
        if !options.read_only {
            // The marker goes first, in the same durable batch as the sweep and before any
            // other write of this session: from now on a crash must leave the store unclean.
            if marker.is_some() {
                batch.push((keys::CLEAN.to_vec(), None));
            }
            batch.extend(stale_log.into_iter().map(|k| (k, None)));
            if !clean {
                let stale = unreferenced_chunks(chunks.backend.as_ref(), &manifest)?;
                swept_at_open = Some(stale.len());
                batch.extend(stale.into_iter().map(|k| (k, None)));
            }
        }
        let inner = Arc::new(StoreInner {
            chunks,
            current: RwLock::new(Arc::new(state)),
            writer: Mutex::new(false),
            writer_released: Condvar::new(),
            read_only: options.read_only,
            path,
            options,
            garbage: Mutex::new(Vec::new()),
            unreferenced_possible: AtomicBool::new(false),
            swept_at_open,
        });
        if !inner.read_only {
            if !batch.is_empty() {
                inner.chunks.backend.apply(batch)?;
            }
            let state = inner.current();
            if state.schema.indexes.iter().any(|i| !i.built) {
                inner.checkpoint_state(&state)?;
            }
        }
        Ok(Store { inner })
    }

    /// A snapshot of the last committed state; never blocked by, and never sees, later writes.
    #[must_use]
    pub fn snapshot(&self) -> Snapshot {
        Snapshot {
            state: self.inner.current(),
            chunks: Arc::clone(&self.inner.chunks),
        }
    }

    /// Begins the write transaction, waiting while another one is open.
    pub fn begin_write(&self) -> Result<WriteTxn, StorageError> {
        if self.inner.read_only {
            return Err(StorageError::ReadOnly);
        }
        let mut active = self
            .inner
            .writer
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        while *active {
            active = self
                .inner
                .writer_released
                .wait(active)
                .unwrap_or_else(PoisonError::into_inner);
        }
        *active = true;
        drop(active);
        let permit = WriterPermit {
            inner: Arc::downgrade(&self.inner),
        };
        Ok(WriteTxn {
            inner: Arc::clone(&self.inner),
            state: self.inner.current().as_ref().clone(),
            ops: Vec::new(),
            touched: Vec::new(),
            needs_checkpoint: false,
            permit: Some(permit),
        })
    }

    /// Folds the overlay into new chunks now.
    pub fn checkpoint(&self) -> Result<(), StorageError> {
        if self.inner.read_only {
            return Err(StorageError::ReadOnly);
        }
        let _permit = self.begin_write()?;
        let state = self.inner.current();
        self.inner.checkpoint_state(&state)
    }

    /// How many unreferenced chunk keys the sweep at open deleted, or `None` when it did not
    /// run because the store had been closed cleanly (or is new, or open read-only).
    #[must_use]
    pub fn swept_at_open(&self) -> Option<usize> {
        self.inner.swept_at_open
    }

    #[must_use]
    pub fn is_read_only(&self) -> bool {
        self.inner.read_only
    }

    #[must_use]
    pub fn path(&self) -> Option<&Path> {
        self.inner.path.as_deref()
    }

    pub fn stats(&self) -> Result<StoreStats, StorageError> {
        let snapshot = self.snapshot();
        let view = snapshot.view();
        Ok(StoreStats {
            nodes: view.count_nodes(None)?,
            relationships: view.count_relationships(None)?,
            size_on_disk: self.inner.chunks.backend.size_on_disk(),
            reclaimable_bytes: self.inner.chunks.backend.reclaimable(),
            overlay_ops: snapshot.state.overlay.ops,
            generation: snapshot.state.manifest.generation,
            last_sequence: snapshot.state.last_seq,
        })
    }

    /// Checkpoints what the overlay holds and flushes; the clean way to close.
    pub fn close(self) -> Result<(), StorageError> {
        if !self.inner.read_only {
            let state = self.inner.current();
            if state.overlay.ops > 0 {
                let _permit = self.begin_write()?;
                self.inner.checkpoint_state(&self.inner.current())?;
            }
            self.inner.collect_garbage()?;
            self.inner.chunks.backend.flush()?;
        }
        Ok(())
    }
}

impl StoreInner {
    pub fn current(&self) -> Arc<State> {
        Arc::clone(&self.current.read().unwrap_or_else(PoisonError::into_inner))
    }

    /// Publishes the state a bulk load wrote.
    pub fn publish_bulk(&self, state: State) {
        self.publish(state);
    }

    fn publish(&self, state: State) {
        *self.current.write().unwrap_or_else(PoisonError::into_inner) = Arc::new(state);
    }

    /// Writes a transaction's ops as one durable log record, then publishes its state. The
    /// caller holds the writer permit.
    pub fn commit(
        &self,
        ops: Vec<Op>,
        mut state: State,
        needs_checkpoint: bool,
    ) -> Result<(), StorageError> {
        if ops.is_empty() {
            return Ok(());
        }
        let seq = state.last_seq + 1;
        let record = LogRecord { seq, ops };
        self.chunks
            .backend
            .insert_durable(&keys::log_key(seq), codec::encode(&record)?)?;
        state.last_seq = seq;
        let checkpoint_due =
            needs_checkpoint || state.overlay.ops >= self.options.checkpoint_after_ops;
        self.publish(state);
        if checkpoint_due {
            // The transaction is durable in the log; a failed checkpoint leaves it there for the
            // next one, so its error does not undo the commit.
            let state = self.current();
            self.checkpoint_state(&state)?;
        }
        self.collect_garbage()
    }

    /// Writes the state's overlay into chunks and switches the manifest. The caller holds the
    /// writer permit, so `state` is the current state.
    pub fn checkpoint_state(&self, state: &Arc<State>) -> Result<(), StorageError> {
        let outcome = checkpoint::run(state, &self.chunks)?;
        self.chunks.backend.apply(outcome.batch)?;
        let old_manifest = Arc::downgrade(&state.manifest);
        let mut new_state = State::from_manifest(Arc::new(outcome.manifest));
        new_state.last_seq = state.last_seq;
        self.publish(new_state);
        self.garbage
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push((old_manifest, outcome.garbage));
        Ok(())
    }

    /// Deletes replaced chunks that no snapshot can read any more.
    pub fn collect_garbage(&self) -> Result<(), StorageError> {
        let ready: Vec<Vec<u8>> = {
            let mut garbage = self.garbage.lock().unwrap_or_else(PoisonError::into_inner);
            let (done, waiting): (Vec<_>, Vec<_>) = garbage
                .drain(..)
                .partition(|(manifest, _)| manifest.strong_count() == 0);
            *garbage = waiting;
            done.into_iter().flat_map(|(_, keys)| keys).collect()
        };
        if !ready.is_empty() {
            self.chunks
                .backend
                .apply(ready.into_iter().map(|k| (k, None)).collect())?;
        }
        Ok(())
    }

    /// Chunk keys the manifest does not name; see `unreferenced_chunks`.
    pub(crate) fn unreferenced_chunks(
        &self,
        manifest: &Manifest,
    ) -> Result<Vec<Vec<u8>>, StorageError> {
        unreferenced_chunks(self.chunks.backend.as_ref(), manifest)
    }

    /// Writes the clean-close marker when nothing unreferenced can be left: every replaced
    /// chunk is deleted and no bulk load left chunks behind. Called when the last handle goes.
    fn mark_clean(&self) -> Result<(), StorageError> {
        if self.read_only || self.unreferenced_possible.load(Ordering::Acquire) {
            return Ok(());
        }
        self.collect_garbage()?;
        if !self
            .garbage
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .is_empty()
        {
            // A snapshot outlives the store and still reads replaced chunks: they are left for
            // the sweep of the next open.
            return Ok(());
        }
        let state = self.current();
        self.chunks.backend.insert_durable(
            keys::CLEAN,
            clean_marker(state.manifest.generation, state.last_seq).to_vec(),
        )
    }
}

/// The value of the clean-close marker for a store whose manifest has `generation` and whose
/// log ends at `last_seq`.
pub(crate) fn clean_marker(generation: u64, last_seq: u64) -> [u8; 16] {
    let mut value = [0u8; 16];
    value[..8].copy_from_slice(&generation.to_be_bytes());
    value[8..].copy_from_slice(&last_seq.to_be_bytes());
    value
}

/// Chunk keys the manifest does not name: left by a crash between a checkpoint and its garbage
/// collection, or by an interrupted bulk load.
fn unreferenced_chunks(
    backend: &dyn Backend,
    manifest: &Manifest,
) -> Result<Vec<Vec<u8>>, StorageError> {
    let mut stale = Vec::new();
    for tag in [keys::TAG_NODE_GROUP, keys::TAG_REL_GROUP, keys::TAG_INDEX] {
        for key in backend.keys_with_prefix(&[tag])? {
            let referenced = match keys::chunk_owner(&key) {
                Some(ChunkOwner::NodeGroup { group, generation }) => manifest
                    .node_groups
                    .get(group as usize)
                    .is_some_and(|g| g.generation == generation),
                Some(ChunkOwner::RelGroup { group, generation }) => manifest
                    .rel_groups
                    .get(group as usize)
                    .is_some_and(|g| g.generation == generation),
                Some(ChunkOwner::IndexPage {
                    index,
                    page,
                    generation,
                }) => manifest
                    .indexes
                    .iter()
                    .find(|i| i.id == index)
                    .is_some_and(|i| {
                        i.pages
                            .iter()
                            .any(|p| p.page == page && p.generation == generation)
                    }),
                None => false,
            };
            if !referenced {
                stale.push(key);
            }
        }
    }
    Ok(stale)
}

impl Drop for StoreInner {
    fn drop(&mut self) {
        // Best effort: anything not checkpointed is in the log and is replayed at the next open,
        // and without the marker the next open sweeps. No extra flush: every commit,
        // checkpoint, collection and the marker are flushed when they are written.
        let _ = self.mark_clean();
    }
}

//! Chunk files: in a store of format 2 the chunks (node and relationship groups, index pages)
//! live in append-only files under `<db>/chunks/`, and sled keeps, under each chunk's key, only
//! where its bytes are. sled then holds the manifest, the log and a few bytes per chunk, so it
//! opens and recovers quickly at any size, a read-only open copies only that, and the chunks
//! take their own size on disk (sled's pages and segments nearly doubled it).
//!
//! A chunk's place is a *locator*: file number, offset, length and CRC-32 of the bytes (20
//! bytes, big-endian). A read checks the length against the file and the checksum against the
//! bytes, so damage is reported as corruption, never returned as data.
//!
//! In the file a chunk is one tag byte and its bytes: `0` as they are, `1` compressed with
//! zstd (level 1, the frame records the original size). Chunks are compressed when that saves
//! at least an eighth: the encoded columns, adjacency and endpoints are varint integers whose
//! high bytes repeat, and come out at about 40% (the 100,000-customer database: 341 MiB of
//! chunks in 140 MiB). Decompressing costs a read from the file only; decoded chunks are
//! cached above this layer.
//!
//! **Write order.** A batch appends its chunks to the open file, syncs it, and only then
//! writes the locators to sled (durably: `SledBackend::apply` flushes). A locator therefore
//! never names bytes a crash could lose; bytes whose locators never landed are dead space.
//! Files are never rewritten: each session appends to a new file, and a file whose chunks are
//! all removed is deleted after the removal is durable. Compaction (`compact`) rewrites the
//! live chunks into fresh files.
//!
//! A store of format 1 keeps the chunks in sled itself; this backend then passes everything
//! through (`files: None`) and compaction converts it.

use std::collections::HashMap;
use std::fs::File;
use std::io::Write;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError, RwLock};

use super::StorageError;
use super::backend::{Backend, Batch, SledBackend};
use super::keys;

/// A new file is started once the open one reaches this size.
const FILE_LIMIT: u64 = 256 << 20;
const LOCATOR_LEN: usize = 20;
const SUFFIX: &str = ".chunks";
/// How a chunk is held in its file: its first byte.
const RAW: u8 = 0;
const ZSTD: u8 = 1;
/// zstd's level: its fastest standard one (compressing must not slow the bulk import down).
const ZSTD_LEVEL: i32 = 1;
/// No chunk decompresses to more than this; a larger claim is corruption.
const MAX_CHUNK: u64 = 1 << 31;

/// The bytes a chunk is held as in its file.
fn pack(bytes: &[u8]) -> Vec<u8> {
    if bytes.len() >= 64
        && let Ok(packed) = zstd::bulk::compress(bytes, ZSTD_LEVEL)
        && packed.len() < bytes.len() - bytes.len() / 8
    {
        let mut out = Vec::with_capacity(packed.len() + 1);
        out.push(ZSTD);
        out.extend_from_slice(&packed);
        return out;
    }
    let mut out = Vec::with_capacity(bytes.len() + 1);
    out.push(RAW);
    out.extend_from_slice(bytes);
    out
}

thread_local! {
    /// A zstd decompression context per thread, made once (making one costs more than
    /// decompressing a small chunk).
    static DECOMPRESSOR: std::cell::RefCell<Option<zstd::bulk::Decompressor<'static>>> =
        const { std::cell::RefCell::new(None) };
}

/// The chunk held as `held`; `Err` says what is wrong with it.
fn unpack(mut held: Vec<u8>) -> Result<Vec<u8>, String> {
    match held.first() {
        Some(&RAW) => {
            held.remove(0);
            Ok(held)
        }
        Some(&ZSTD) => {
            let frame = &held[1..];
            let size = zstd::zstd_safe::get_frame_content_size(frame)
                .ok()
                .flatten()
                .filter(|&n| n <= MAX_CHUNK)
                .ok_or("its compressed frame does not state a plausible size")?;
            let size = usize::try_from(size).map_err(|_| "its size does not fit in memory")?;
            let bytes = DECOMPRESSOR
                .with(|d| {
                    let mut d = d.borrow_mut();
                    if d.is_none() {
                        *d = Some(zstd::bulk::Decompressor::new()?);
                    }
                    match d.as_mut() {
                        Some(d) => d.decompress(frame, size),
                        None => Err(std::io::Error::other("no decompressor")),
                    }
                })
                .map_err(|e| format!("it does not decompress: {e}"))?;
            if bytes.len() == size {
                Ok(bytes)
            } else {
                Err(format!(
                    "it decompresses to {} bytes instead of {size}",
                    bytes.len()
                ))
            }
        }
        Some(other) => Err(format!("unknown encoding tag {other}")),
        None => Err("it is empty".to_owned()),
    }
}

/// Whether `key` names a chunk (whose value a format-2 store keeps in a file).
fn is_chunk_key(key: &[u8]) -> bool {
    matches!(
        key.first(),
        Some(&(keys::TAG_NODE_GROUP | keys::TAG_REL_GROUP | keys::TAG_INDEX))
    )
}

/// Where a chunk's bytes are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Locator {
    file: u32,
    offset: u64,
    len: u32,
    crc: u32,
}

impl Locator {
    fn encode(self) -> Vec<u8> {
        let mut out = Vec::with_capacity(LOCATOR_LEN);
        out.extend_from_slice(&self.file.to_be_bytes());
        out.extend_from_slice(&self.offset.to_be_bytes());
        out.extend_from_slice(&self.len.to_be_bytes());
        out.extend_from_slice(&self.crc.to_be_bytes());
        out
    }

    fn decode(bytes: &[u8]) -> Option<Locator> {
        if bytes.len() != LOCATOR_LEN {
            return None;
        }
        let u32_at = |i: usize| u32::from_be_bytes(bytes[i..i + 4].try_into().unwrap_or([0; 4]));
        Some(Locator {
            file: u32_at(0),
            offset: u64::from_be_bytes(bytes[4..12].try_into().unwrap_or([0; 8])),
            len: u32_at(12),
            crc: u32_at(16),
        })
    }
}

/// What a chunk key names, in the words the chunk readers use in their errors.
fn describe_key(key: &[u8]) -> String {
    let u32_at = |i: usize| {
        key.get(i..i + 4)
            .map_or(0, |b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]))
    };
    let (kind, a, b) = (key.get(13).copied(), u32_at(14), u32_at(18));
    match keys::chunk_owner(key) {
        Some(keys::ChunkOwner::NodeGroup { group, .. }) => match kind {
            Some(0) => format!("metadata chunk of node group {group}"),
            Some(1) => format!("column {a} of node group {group}"),
            _ => format!("adjacency chunk (type {a}, direction {b}) of node group {group}"),
        },
        Some(keys::ChunkOwner::RelGroup { group, .. }) => match kind {
            Some(0) => format!("metadata chunk of relationship group {group}"),
            _ => format!("column {a} of relationship group {group}"),
        },
        Some(keys::ChunkOwner::IndexPage { index, page, .. }) => {
            format!("page {page} of index {index}")
        }
        None => "chunk".to_owned(),
    }
}

fn io_error(path: &Path, source: std::io::Error) -> StorageError {
    StorageError::Io {
        path: path.display().to_string(),
        source,
    }
}

fn file_name(file: u32) -> String {
    format!("{file:08}{SUFFIX}")
}

/// The file being appended to.
struct Appender {
    file: u32,
    handle: Arc<File>,
    len: u64,
}

/// What the writer keeps: the open file and the live bytes of every file.
#[derive(Default)]
struct WriteState {
    appender: Option<Appender>,
    next_file: u32,
    /// Bytes of each file that some locator names.
    live: HashMap<u32, u64>,
}

struct ChunkFiles {
    dir: PathBuf,
    writable: bool,
    /// Open files for reading, with the length last seen.
    handles: RwLock<HashMap<u32, (Arc<File>, u64)>>,
    state: Mutex<WriteState>,
}

impl ChunkFiles {
    fn path(&self, file: u32) -> PathBuf {
        self.dir.join(file_name(file))
    }

    /// The file `file` for reading, and its length (at least `need` when the file has it).
    fn handle(&self, file: u32, need: u64) -> Result<Option<(Arc<File>, u64)>, StorageError> {
        if let Some((handle, len)) = self
            .handles
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&file)
            && *len >= need
        {
            return Ok(Some((Arc::clone(handle), *len)));
        }
        let path = self.path(file);
        let handle = match File::open(&path) {
            Ok(handle) => Arc::new(handle),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(io_error(&path, e)),
        };
        let len = handle.metadata().map_err(|e| io_error(&path, e))?.len();
        self.handles
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(file, (Arc::clone(&handle), len));
        Ok(Some((handle, len)))
    }

    fn read(&self, key: &[u8], stored: &[u8]) -> Result<Vec<u8>, StorageError> {
        let corrupt = |detail: String| StorageError::Corruption {
            what: describe_key(key),
            detail,
        };
        let at = Locator::decode(stored).ok_or_else(|| {
            corrupt(format!(
                "its locator is {} bytes instead of {LOCATOR_LEN}",
                stored.len()
            ))
        })?;
        let end = at.offset.saturating_add(u64::from(at.len));
        let (handle, len) = self
            .handle(at.file, end)?
            .ok_or_else(|| corrupt(format!("its file {} is missing", file_name(at.file))))?;
        if end > len {
            return Err(corrupt(format!(
                "it ends at byte {end} of {}, which has {len}",
                file_name(at.file)
            )));
        }
        let mut bytes = vec![0u8; at.len as usize];
        handle
            .read_exact_at(&mut bytes, at.offset)
            .map_err(|e| io_error(&self.path(at.file), e))?;
        if crc32fast::hash(&bytes) != at.crc {
            return Err(corrupt(format!(
                "checksum mismatch at byte {} of {}",
                at.offset,
                file_name(at.file)
            )));
        }
        unpack(bytes).map_err(corrupt)
    }

    /// Appends `bytes` to the open file (starting one when there is none or it is full).
    fn append(&self, state: &mut WriteState, bytes: &[u8]) -> Result<Locator, StorageError> {
        if state.appender.as_ref().is_none_or(|a| a.len >= FILE_LIMIT) {
            if let Some(done) = state.appender.take() {
                done.handle
                    .sync_data()
                    .map_err(|e| io_error(&self.path(done.file), e))?;
            }
            let file = state.next_file;
            let path = self.path(file);
            let handle = std::fs::OpenOptions::new()
                .read(true)
                .append(true)
                .create_new(true)
                .open(&path)
                .map_err(|e| io_error(&path, e))?;
            // The new file's name must survive a crash along with what is synced into it.
            File::open(&self.dir)
                .and_then(|d| d.sync_all())
                .map_err(|e| io_error(&self.dir, e))?;
            state.next_file += 1;
            state.appender = Some(Appender {
                file,
                handle: Arc::new(handle),
                len: 0,
            });
        }
        let Some(appender) = state.appender.as_mut() else {
            unreachable!("an appender was just set")
        };
        let len = u32::try_from(bytes.len()).map_err(|_| {
            StorageError::Encode(format!("a chunk of {} bytes is too large", bytes.len()))
        })?;
        (&*appender.handle)
            .write_all(bytes)
            .map_err(|e| io_error(&self.path(appender.file), e))?;
        let at = Locator {
            file: appender.file,
            offset: appender.len,
            len,
            crc: crc32fast::hash(bytes),
        };
        appender.len += u64::from(len);
        Ok(at)
    }
}

/// sled for everything but chunk bytes, which go to chunk files (format 2), or sled alone
/// (format 1).
pub(crate) struct ChunkFileBackend {
    meta: SledBackend,
    files: Option<ChunkFiles>,
}

impl ChunkFileBackend {
    /// A format-1 store: chunks stay in sled.
    pub fn inline(meta: SledBackend) -> ChunkFileBackend {
        ChunkFileBackend { meta, files: None }
    }

    /// A format-2 store whose chunk files are in `dir` (created when `writable` and missing).
    /// The open counts the live bytes of every file (a few bytes read per chunk); a writable
    /// one deletes files none are left in (left by a crash, or emptied by a session that
    /// ended before deleting them).
    pub fn with_files(
        meta: SledBackend,
        dir: &Path,
        writable: bool,
    ) -> Result<ChunkFileBackend, StorageError> {
        if writable {
            std::fs::create_dir_all(dir).map_err(|e| io_error(dir, e))?;
        }
        let mut on_disk = Vec::new();
        match std::fs::read_dir(dir) {
            Ok(entries) => {
                for entry in entries {
                    let entry = entry.map_err(|e| io_error(dir, e))?;
                    let name = entry.file_name();
                    if let Some(n) = name
                        .to_str()
                        .and_then(|n| n.strip_suffix(SUFFIX))
                        .and_then(|n| n.parse::<u32>().ok())
                    {
                        on_disk.push(n);
                    }
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(io_error(dir, e)),
        }
        let files = ChunkFiles {
            dir: dir.to_path_buf(),
            writable,
            handles: RwLock::new(HashMap::new()),
            state: Mutex::new(WriteState {
                next_file: on_disk.iter().max().map_or(0, |n| n + 1),
                ..WriteState::default()
            }),
        };
        let mut live: HashMap<u32, u64> = HashMap::new();
        for tag in [keys::TAG_NODE_GROUP, keys::TAG_REL_GROUP, keys::TAG_INDEX] {
            for (_, stored) in meta.scan_prefix(&[tag])? {
                if let Some(at) = Locator::decode(&stored) {
                    *live.entry(at.file).or_default() += u64::from(at.len);
                }
            }
        }
        if writable {
            for n in on_disk {
                if !live.contains_key(&n) {
                    let path = files.path(n);
                    std::fs::remove_file(&path).map_err(|e| io_error(&path, e))?;
                }
            }
        }
        files
            .state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .live = live;
        Ok(ChunkFileBackend {
            meta,
            files: Some(files),
        })
    }

    /// Resolves the stored value of `key`: a chunk's bytes from its file.
    fn resolve(&self, key: &[u8], stored: Vec<u8>) -> Result<Vec<u8>, StorageError> {
        match &self.files {
            Some(files) if is_chunk_key(key) => files.read(key, &stored),
            _ => Ok(stored),
        }
    }
}

impl Backend for ChunkFileBackend {
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, StorageError> {
        self.meta
            .get(key)?
            .map(|stored| self.resolve(key, stored))
            .transpose()
    }

    fn apply(&self, batch: Batch) -> Result<(), StorageError> {
        let Some(files) = &self.files else {
            return self.meta.apply(batch);
        };
        if !batch.iter().any(|(key, _)| is_chunk_key(key)) {
            return self.meta.apply(batch);
        }
        if !files.writable {
            return Err(StorageError::ReadOnly);
        }
        // Compressed before the writer's lock is taken.
        let batch: Vec<(Vec<u8>, Option<Vec<u8>>)> = batch
            .into_iter()
            .map(|(key, value)| {
                let value = match value {
                    Some(bytes) if is_chunk_key(&key) => Some(pack(&bytes)),
                    other => other,
                };
                (key, value)
            })
            .collect();
        let mut state = files.state.lock().unwrap_or_else(PoisonError::into_inner);
        let mut stored: Batch = Vec::with_capacity(batch.len());
        let (mut added, mut freed) = (Vec::new(), Vec::new());
        for (key, value) in batch {
            if !is_chunk_key(&key) {
                stored.push((key, value));
                continue;
            }
            if let Some(old) = self.meta.get(&key)?.as_deref().and_then(Locator::decode) {
                freed.push(old);
            }
            match value {
                Some(bytes) => {
                    let at = files.append(&mut state, &bytes)?;
                    added.push(at);
                    stored.push((key, Some(at.encode())));
                }
                None => stored.push((key, None)),
            }
        }
        if let Some(appender) = &state.appender
            && !added.is_empty()
        {
            appender
                .handle
                .sync_data()
                .map_err(|e| io_error(&files.path(appender.file), e))?;
        }
        // Durable once this returns (the sled backend flushes every batch).
        self.meta.apply(stored)?;
        for at in added {
            *state.live.entry(at.file).or_default() += u64::from(at.len);
        }
        let open = state.appender.as_ref().map(|a| a.file);
        for at in freed {
            let Some(live) = state.live.get_mut(&at.file) else {
                continue;
            };
            *live = live.saturating_sub(u64::from(at.len));
            if *live == 0 && open != Some(at.file) {
                state.live.remove(&at.file);
                files
                    .handles
                    .write()
                    .unwrap_or_else(PoisonError::into_inner)
                    .remove(&at.file);
                let path = files.path(at.file);
                // Best effort: a file left behind holds nothing live and goes at the next open.
                let _ = std::fs::remove_file(&path);
            }
        }
        Ok(())
    }

    fn insert_durable(&self, key: &[u8], value: Vec<u8>) -> Result<(), StorageError> {
        if self.files.is_some() && is_chunk_key(key) {
            return self.apply(vec![(key.to_vec(), Some(value))]);
        }
        self.meta.insert_durable(key, value)
    }

    fn scan_prefix(&self, prefix: &[u8]) -> Result<Vec<(Vec<u8>, Vec<u8>)>, StorageError> {
        self.meta
            .scan_prefix(prefix)?
            .into_iter()
            .map(|(key, stored)| Ok((key.clone(), self.resolve(&key, stored)?)))
            .collect()
    }

    fn keys_with_prefix(&self, prefix: &[u8]) -> Result<Vec<Vec<u8>>, StorageError> {
        self.meta.keys_with_prefix(prefix)
    }

    fn scan_from(
        &self,
        from: &[u8],
        limit: usize,
    ) -> Result<Vec<(Vec<u8>, Vec<u8>)>, StorageError> {
        self.meta
            .scan_from(from, limit)?
            .into_iter()
            .map(|(key, stored)| Ok((key.clone(), self.resolve(&key, stored)?)))
            .collect()
    }

    fn flush(&self) -> Result<(), StorageError> {
        self.meta.flush()
    }

    fn size_on_disk(&self) -> u64 {
        let files = self.files.as_ref().map_or(0, |files| {
            std::fs::read_dir(&files.dir).map_or(0, |entries| {
                entries
                    .filter_map(Result::ok)
                    .filter_map(|e| e.metadata().ok())
                    .map(|m| m.len())
                    .sum()
            })
        });
        self.meta.size_on_disk() + files
    }

    fn reclaimable(&self) -> u64 {
        let Some(files) = &self.files else {
            return 0;
        };
        let live = files
            .state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .live
            .clone();
        let Ok(entries) = std::fs::read_dir(&files.dir) else {
            return 0;
        };
        entries
            .filter_map(Result::ok)
            .filter_map(|entry| {
                let file = entry
                    .file_name()
                    .to_str()?
                    .strip_suffix(SUFFIX)?
                    .parse::<u32>()
                    .ok()?;
                let len = entry.metadata().ok()?.len();
                Some(len.saturating_sub(live.get(&file).copied().unwrap_or(0)))
            })
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_are_held_compressed_when_that_pays() {
        let repetitive: Vec<u8> = (0..10_000u32).flat_map(|i| (i % 7).to_le_bytes()).collect();
        let packed = pack(&repetitive);
        assert_eq!(packed[0], ZSTD);
        assert!(packed.len() < repetitive.len() / 4, "{}", packed.len());
        assert_eq!(unpack(packed).unwrap(), repetitive);
        let small = b"tiny".to_vec();
        assert_eq!(pack(&small)[0], RAW);
        assert_eq!(unpack(pack(&small)).unwrap(), small);
        let noise: Vec<u8> = (0..4096u64)
            .map(|i| (i.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 56) as u8)
            .collect();
        assert_eq!(unpack(pack(&noise)).unwrap(), noise);
        assert!(unpack(vec![9, 1, 2]).is_err());
        assert!(unpack(vec![ZSTD, 1, 2, 3]).is_err());
        assert!(unpack(Vec::new()).is_err());
    }

    #[test]
    fn locators_round_trip_and_refuse_other_lengths() {
        let at = Locator {
            file: 7,
            offset: 1 << 40,
            len: 123_456,
            crc: 0xDEAD_BEEF,
        };
        assert_eq!(Locator::decode(&at.encode()), Some(at));
        assert_eq!(Locator::decode(&at.encode()[..19]), None);
        assert!(is_chunk_key(b"N1234"));
        assert!(!is_chunk_key(b"M"));
        assert!(!is_chunk_key(b""));
    }
}

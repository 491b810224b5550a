//! Compaction: rewrites a database directory into a fresh one and swaps it in, so that the
//! space of replaced chunks, deleted log records and sled's stale pages is given back, and no
//! byte of a value that is no longer live (an erased e-mail address, say) survives on disk.
//!
//! The store is opened read-write (sled's file lock refuses it while another process has the
//! database open) and the write permit is held throughout, so nothing changes under the copy.
//! The overlay is checkpointed first; then every live key (the version, the manifest and the
//! chunks the manifest names) is copied, in order, into a new sled store in a sibling
//! directory (chunks into its chunk files, so a store of format 1 comes out in format 2), followed by the clean-close marker (the copy holds nothing unreferenced, so its
//! first open need not sweep). The swap is two renames: the old directory aside, the new one
//! into place; the old one is deleted last. A failure before the swap leaves the database as
//! it was.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use super::StorageError;
use super::backend::{Backend, Batch, SledBackend};
use super::chunk_files::ChunkFileBackend;
use super::keys;
use super::records::FORMAT_VERSION;
use super::store::{CHUNK_DIR, OpenOptions, Store, clean_marker, sled_config, write_marker};

/// What a compaction did.
#[derive(Debug, Clone, PartialEq)]
pub struct CompactStats {
    /// Bytes of every file in the directory before and after.
    pub bytes_before: u64,
    pub bytes_after: u64,
    /// Keys copied.
    pub keys: u64,
    pub seconds: f64,
    /// The old directory, when it could not be deleted after the swap (the database itself is
    /// compacted; the directory may be removed by hand).
    pub leftover: Option<PathBuf>,
}

/// Copies are written in batches of about this many bytes: sled flushes each batch, and a
/// batch much larger than a segment can stall its flush.
const BATCH_BYTES: usize = 4 << 20;

fn io_error(path: &Path, source: std::io::Error) -> StorageError {
    StorageError::Io {
        path: path.display().to_string(),
        source,
    }
}

/// The bytes of every file under `path`.
fn dir_size(path: &Path) -> Result<u64, StorageError> {
    let mut total = 0;
    for entry in std::fs::read_dir(path).map_err(|e| io_error(path, e))? {
        let entry = entry.map_err(|e| io_error(path, e))?;
        let meta = entry.metadata().map_err(|e| io_error(&entry.path(), e))?;
        total += if meta.is_dir() {
            dir_size(&entry.path())?
        } else {
            meta.len()
        };
    }
    Ok(total)
}

fn sibling(path: &Path, what: &str) -> PathBuf {
    let name = path
        .file_name()
        .map_or_else(|| "db".into(), |n| n.to_string_lossy().into_owned());
    path.with_file_name(format!(".{name}.{what}-{}", std::process::id()))
}

/// Compacts the database directory `path`. `progress` gets (keys copied, keys in all).
pub fn compact(
    path: &Path,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<CompactStats, StorageError> {
    let started = Instant::now();
    let store = Store::open(
        path,
        OpenOptions {
            create: false,
            ..OpenOptions::default()
        },
    )?;
    let bytes_before = dir_size(path)?;
    let permit = store.begin_write()?;
    let inner = &store.inner;
    let state = inner.current();
    if state.overlay.ops > 0 {
        inner.checkpoint_state(&state)?;
    }
    drop(state);
    // No snapshot of the old manifest is left, so its replaced chunks go now.
    inner.collect_garbage()?;
    let current = inner.current();
    let manifest = Arc::clone(&current.manifest);
    // The copy holds exactly the live keys, so it starts out closed cleanly: its first open
    // need not sweep.
    let marker = clean_marker(manifest.generation, current.last_seq);
    drop(current);
    let stale: HashSet<Vec<u8>> = inner.unreferenced_chunks(&manifest)?.into_iter().collect();
    let source = &inner.chunks.backend;
    let total = source.keys_with_prefix(&[])?.len() as u64;

    let fresh = sibling(path, "compact");
    if fresh.exists() {
        std::fs::remove_dir_all(&fresh).map_err(|e| io_error(&fresh, e))?;
    }
    let copied = copy_live(source.as_ref(), &fresh, &stale, &marker, total, progress);
    let keys = match copied {
        Ok(keys) => keys,
        Err(error) => {
            let _ = std::fs::remove_dir_all(&fresh);
            return Err(error);
        }
    };
    let bytes_after = dir_size(&fresh)?;

    let old = sibling(path, "compact-old");
    if old.exists() {
        std::fs::remove_dir_all(&old).map_err(|e| io_error(&old, e))?;
    }
    std::fs::rename(path, &old).map_err(|e| io_error(path, e))?;
    if let Err(e) = std::fs::rename(&fresh, path) {
        let _ = std::fs::rename(&old, path);
        let _ = std::fs::remove_dir_all(&fresh);
        return Err(io_error(path, e));
    }
    drop(permit);
    drop(store);
    // sled's threads may still be writing their last files into the old directory for a
    // moment after the handle is dropped.
    let mut leftover = Some(old.clone());
    for _ in 0..50 {
        if std::fs::remove_dir_all(&old).is_ok() || !old.exists() {
            leftover = None;
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    Ok(CompactStats {
        bytes_before,
        bytes_after,
        keys,
        seconds: started.elapsed().as_secs_f64(),
        leftover,
    })
}

/// Writes every key of `source` but the stale ones into a new database directory `fresh`, and
/// last the clean-close `marker`.
fn copy_live(
    source: &dyn Backend,
    fresh: &Path,
    stale: &HashSet<Vec<u8>>,
    marker: &[u8],
    total: u64,
    progress: &mut dyn FnMut(u64, u64),
) -> Result<u64, StorageError> {
    std::fs::create_dir_all(fresh).map_err(|e| io_error(fresh, e))?;
    write_marker(fresh)?;
    let db = sled_config(&fresh.join("store")).open()?;
    let target = ChunkFileBackend::with_files(
        SledBackend::new(db, Box::new(()))?,
        &fresh.join(CHUNK_DIR),
        true,
    )?;
    let mut from: Vec<u8> = Vec::new();
    let (mut seen, mut keys) = (0u64, 0u64);
    let mut batch: Batch = Vec::new();
    let mut batch_bytes = 0;
    loop {
        let page = source.scan_from(&from, 1024)?;
        let Some((last, _)) = page.last() else {
            break;
        };
        // The next page starts just after this one's last key.
        from.clone_from(last);
        from.push(0);
        for (key, mut value) in page {
            seen += 1;
            if stale.contains(&key) {
                continue;
            }
            if key == keys::VERSION {
                // The copy is written in this build's format (chunks in files).
                value = FORMAT_VERSION.to_be_bytes().to_vec();
            }
            batch_bytes += key.len() + value.len();
            batch.push((key, Some(value)));
            keys += 1;
            if batch_bytes >= BATCH_BYTES {
                target.apply(std::mem::take(&mut batch))?;
                batch_bytes = 0;
                progress(seen, total);
            }
        }
    }
    batch.push((keys::CLEAN.to_vec(), Some(marker.to_vec())));
    target.apply(batch)?;
    target.flush()?;
    progress(total, total);
    Ok(keys)
}

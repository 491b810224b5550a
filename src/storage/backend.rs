//! Where the bytes live: a sled tree, or an ordered map in memory. The engine above sees one
//! ordered key-value space with atomic batches and durable single inserts.

use std::collections::BTreeMap;
use std::sync::{Mutex, PoisonError};

use super::StorageError;

/// An atomic set of writes: `None` removes the key.
pub(crate) type Batch = Vec<(Vec<u8>, Option<Vec<u8>>)>;

pub(crate) trait Backend: Send + Sync {
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, StorageError>;
    /// Applies every write or none.
    fn apply(&self, batch: Batch) -> Result<(), StorageError>;
    /// Inserts one key and returns once it is durable.
    fn insert_durable(&self, key: &[u8], value: Vec<u8>) -> Result<(), StorageError>;
    /// Every key with this prefix, in order, with its value.
    fn scan_prefix(&self, prefix: &[u8]) -> Result<Vec<(Vec<u8>, Vec<u8>)>, StorageError>;
    /// Every key with this prefix, in order, without values.
    fn keys_with_prefix(&self, prefix: &[u8]) -> Result<Vec<Vec<u8>>, StorageError>;
    /// Up to `limit` keys from `from` on (inclusive), in order, with their values.
    fn scan_from(&self, from: &[u8], limit: usize)
    -> Result<Vec<(Vec<u8>, Vec<u8>)>, StorageError>;
    fn flush(&self) -> Result<(), StorageError>;
    /// Bytes on disk (0 in memory).
    fn size_on_disk(&self) -> u64;
    /// Bytes on disk that hold nothing live any more, which compaction gives back.
    fn reclaimable(&self) -> u64 {
        0
    }
}

/// Serializes the sled calls that flush or apply a batch, across every database in the process.
///
/// sled 0.34 guards all its databases in a process with one global reader-writer lock
/// (`concurrency_control`): `flush` holds it shared while it waits for its writes to become
/// stable, and `apply_batch` takes it exclusively; the lock is fair, so a queued `apply_batch`
/// holds back every new shared taker, sled's own flusher threads included. A flush that needs
/// one of those to make progress would then wait forever. This was suspected when the storage
/// suite hung with one thread in a flush and another queued in `apply_batch`; the hang turned
/// out to come from oversized records (see `SEGMENT_SIZE` in `store.rs`), so this mutex is a
/// precaution: every flush, every batch and the last drop of a sled handle (which flushes) run
/// under it, one at a time in the process.
static SLED_WRITES: Mutex<()> = Mutex::new(());

fn sled_writes() -> std::sync::MutexGuard<'static, ()> {
    SLED_WRITES.lock().unwrap_or_else(PoisonError::into_inner)
}

pub(crate) struct SledBackend {
    /// The tree and the database, `None` only while dropping.
    handles: Option<(sled::Tree, sled::Db)>,
    /// Released after sled: the process's record that the directory is open, or for a
    /// read-only open the private copy sled works on (removed when dropped).
    _guard: Box<dyn std::any::Any + Send + Sync>,
}

impl SledBackend {
    pub fn new(
        db: sled::Db,
        guard: Box<dyn std::any::Any + Send + Sync>,
    ) -> Result<Self, StorageError> {
        let tree = db.open_tree("cordial")?;
        Ok(SledBackend {
            handles: Some((tree, db)),
            _guard: guard,
        })
    }

    fn tree(&self) -> Result<&sled::Tree, StorageError> {
        self.handles
            .as_ref()
            .map(|(tree, _)| tree)
            .ok_or_else(closed)
    }
}

fn closed() -> StorageError {
    StorageError::Io {
        path: String::new(),
        source: std::io::Error::other("the store is closed"),
    }
}

impl Drop for SledBackend {
    fn drop(&mut self) {
        let _writes = sled_writes();
        drop(self.handles.take());
    }
}

impl Backend for SledBackend {
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, StorageError> {
        Ok(self.tree()?.get(key)?.map(|v| v.to_vec()))
    }

    fn apply(&self, batch: Batch) -> Result<(), StorageError> {
        let mut sled_batch = sled::Batch::default();
        for (key, value) in batch {
            match value {
                Some(value) => sled_batch.insert(key, value),
                None => sled_batch.remove(key),
            }
        }
        let tree = self.tree()?;
        let _writes = sled_writes();
        tree.apply_batch(sled_batch)?;
        tree.flush()?;
        Ok(())
    }

    fn insert_durable(&self, key: &[u8], value: Vec<u8>) -> Result<(), StorageError> {
        let tree = self.tree()?;
        let _writes = sled_writes();
        tree.insert(key, value)?;
        tree.flush()?;
        Ok(())
    }

    fn scan_prefix(&self, prefix: &[u8]) -> Result<Vec<(Vec<u8>, Vec<u8>)>, StorageError> {
        self.tree()?
            .scan_prefix(prefix)
            .map(|item| {
                item.map(|(k, v)| (k.to_vec(), v.to_vec()))
                    .map_err(StorageError::from)
            })
            .collect()
    }

    fn keys_with_prefix(&self, prefix: &[u8]) -> Result<Vec<Vec<u8>>, StorageError> {
        self.tree()?
            .scan_prefix(prefix)
            .keys()
            .map(|item| item.map(|k| k.to_vec()).map_err(StorageError::from))
            .collect()
    }

    fn scan_from(
        &self,
        from: &[u8],
        limit: usize,
    ) -> Result<Vec<(Vec<u8>, Vec<u8>)>, StorageError> {
        self.tree()?
            .range(from..)
            .take(limit)
            .map(|item| {
                item.map(|(k, v)| (k.to_vec(), v.to_vec()))
                    .map_err(StorageError::from)
            })
            .collect()
    }

    fn flush(&self) -> Result<(), StorageError> {
        if let Some((_, db)) = &self.handles {
            let _writes = sled_writes();
            db.flush()?;
        }
        Ok(())
    }

    fn size_on_disk(&self) -> u64 {
        self.handles
            .as_ref()
            .map_or(0, |(_, db)| db.size_on_disk().unwrap_or(0))
    }
}

/// The in-memory database's bytes. The engine is the same; only durability is absent.
#[derive(Default)]
pub(crate) struct MemBackend {
    map: Mutex<BTreeMap<Vec<u8>, Vec<u8>>>,
}

impl MemBackend {
    fn map(&self) -> std::sync::MutexGuard<'_, BTreeMap<Vec<u8>, Vec<u8>>> {
        // The map is consistent after any panic elsewhere: every operation is one call.
        self.map.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Backend for MemBackend {
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, StorageError> {
        Ok(self.map().get(key).cloned())
    }

    fn apply(&self, batch: Batch) -> Result<(), StorageError> {
        let mut map = self.map();
        for (key, value) in batch {
            match value {
                Some(value) => map.insert(key, value),
                None => map.remove(&key),
            };
        }
        Ok(())
    }

    fn insert_durable(&self, key: &[u8], value: Vec<u8>) -> Result<(), StorageError> {
        self.map().insert(key.to_vec(), value);
        Ok(())
    }

    fn scan_prefix(&self, prefix: &[u8]) -> Result<Vec<(Vec<u8>, Vec<u8>)>, StorageError> {
        Ok(self
            .map()
            .range(prefix.to_vec()..)
            .take_while(|(k, _)| k.starts_with(prefix))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect())
    }

    fn keys_with_prefix(&self, prefix: &[u8]) -> Result<Vec<Vec<u8>>, StorageError> {
        Ok(self
            .map()
            .range(prefix.to_vec()..)
            .take_while(|(k, _)| k.starts_with(prefix))
            .map(|(k, _)| k.clone())
            .collect())
    }

    fn scan_from(
        &self,
        from: &[u8],
        limit: usize,
    ) -> Result<Vec<(Vec<u8>, Vec<u8>)>, StorageError> {
        Ok(self
            .map()
            .range(from.to_vec()..)
            .take(limit)
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect())
    }

    fn flush(&self) -> Result<(), StorageError> {
        Ok(())
    }

    fn size_on_disk(&self) -> u64 {
        0
    }
}

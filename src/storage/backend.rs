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
    fn flush(&self) -> Result<(), StorageError>;
    /// Bytes on disk (0 in memory).
    fn size_on_disk(&self) -> u64;
}

pub(crate) struct SledBackend {
    tree: sled::Tree,
    db: sled::Db,
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
            tree,
            db,
            _guard: guard,
        })
    }
}

impl Backend for SledBackend {
    fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, StorageError> {
        Ok(self.tree.get(key)?.map(|v| v.to_vec()))
    }

    fn apply(&self, batch: Batch) -> Result<(), StorageError> {
        let mut sled_batch = sled::Batch::default();
        for (key, value) in batch {
            match value {
                Some(value) => sled_batch.insert(key, value),
                None => sled_batch.remove(key),
            }
        }
        self.tree.apply_batch(sled_batch)?;
        self.tree.flush()?;
        Ok(())
    }

    fn insert_durable(&self, key: &[u8], value: Vec<u8>) -> Result<(), StorageError> {
        self.tree.insert(key, value)?;
        self.tree.flush()?;
        Ok(())
    }

    fn scan_prefix(&self, prefix: &[u8]) -> Result<Vec<(Vec<u8>, Vec<u8>)>, StorageError> {
        self.tree
            .scan_prefix(prefix)
            .map(|item| {
                item.map(|(k, v)| (k.to_vec(), v.to_vec()))
                    .map_err(StorageError::from)
            })
            .collect()
    }

    fn keys_with_prefix(&self, prefix: &[u8]) -> Result<Vec<Vec<u8>>, StorageError> {
        self.tree
            .scan_prefix(prefix)
            .keys()
            .map(|item| item.map(|k| k.to_vec()).map_err(StorageError::from))
            .collect()
    }

    fn flush(&self) -> Result<(), StorageError> {
        self.db.flush()?;
        Ok(())
    }

    fn size_on_disk(&self) -> u64 {
        self.db.size_on_disk().unwrap_or(0)
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

    fn flush(&self) -> Result<(), StorageError> {
        Ok(())
    }

    fn size_on_disk(&self) -> u64 {
        0
    }
}

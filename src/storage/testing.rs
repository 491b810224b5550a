//! Test support: a closed store's sled tree opened directly, for the tests that read, damage
//! or rewrite stored keys and values (`db/tests/corruption.rs`, `db/tests/chunk_files.rs`).
//! It goes through `SledBackend`, so every write is durable when it returns and, like the
//! store's own flushes and batches, runs one at a time in the process (`backend.rs`); the
//! tests that use it name no sled type.

use std::path::Path;

use super::backend::{Backend, SledBackend};
use super::store::sled_config;

/// The key-value space of a closed store (`<db>/store`, tree `cordial`).
pub(crate) struct RawTree(SledBackend);

impl RawTree {
    /// Opens the store of the database directory `path`, with the segment size it was created
    /// with; waits while sled's threads of a just-closed handle still hold the file lock.
    pub(crate) fn open(path: &Path) -> RawTree {
        let store = path.join("store");
        let started = std::time::Instant::now();
        let db = loop {
            match sled_config(&store).open() {
                Ok(db) => break db,
                Err(sled::Error::Io(e))
                    if e.to_string().contains("lock") && started.elapsed().as_secs() < 10 =>
                {
                    std::thread::sleep(std::time::Duration::from_millis(20));
                }
                Err(e) => panic!("cannot open the store with sled: {e}"),
            }
        };
        RawTree(SledBackend::new(db, Box::new(())).expect("the store's tree"))
    }

    /// Every key with its value, in key order.
    pub(crate) fn entries(&self) -> Vec<(Vec<u8>, Vec<u8>)> {
        self.0.scan_prefix(&[]).expect("scan the tree")
    }

    /// Every key with this prefix, in order.
    pub(crate) fn keys_with_prefix(&self, prefix: &[u8]) -> Vec<Vec<u8>> {
        self.0.keys_with_prefix(prefix).expect("scan the tree")
    }

    pub(crate) fn get(&self, key: &[u8]) -> Option<Vec<u8>> {
        self.0.get(key).expect("read the tree")
    }

    /// Sets `key` to `value`, durably.
    pub(crate) fn insert(&self, key: &[u8], value: Vec<u8>) {
        self.0.insert_durable(key, value).expect("write the tree");
    }

    /// Removes `key`, durably; returns its value.
    pub(crate) fn remove(&self, key: &[u8]) -> Option<Vec<u8>> {
        let value = self.get(key);
        self.0
            .apply(vec![(key.to_vec(), None)])
            .expect("write the tree");
        value
    }
}

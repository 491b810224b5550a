//! Helpers shared by the test binaries.
#![allow(dead_code)]

use cordial::Database;

/// A database of each kind: in memory, and on disk in a temporary directory (kept alive by the
/// returned guard).
pub fn databases() -> Vec<(&'static str, Database, Option<tempfile::TempDir>)> {
    let dir = tempfile::tempdir().expect("temporary directory");
    let on_disk = Database::open(dir.path().join("db")).expect("open sled database");
    vec![
        (
            "memory",
            Database::in_memory().expect("in-memory database"),
            None,
        ),
        ("sled", on_disk, Some(dir)),
    ]
}

/// Runs a test body against both stores.
#[macro_export]
macro_rules! on_both_stores {
    ($name:ident, $body:expr) => {
        #[test]
        fn $name() {
            for (kind, db, _guard) in common::databases() {
                let body: fn(&cordial::Database) -> cordial::Result<()> = $body;
                if let Err(e) = body(&db) {
                    panic!("{} store: {e}", kind);
                }
            }
        }
    };
}

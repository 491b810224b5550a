//! Corruption detection: bytes are flipped in (and values truncated from) every stored chunk,
//! log record, the manifest and the format-version record of a closed sled database, reaching
//! the sled tree directly (`<db>/store`, tree `cordial`, keys as `storage::keys` documents).
//! Opening the database and reading everything must then fail with a `Corruption` error that
//! names what is damaged, never panic and never return wrong data silently. The one exception
//! is the clean-close marker: it is a hint, so a damaged one reads as missing (the open sweeps
//! for unreferenced chunks) and the data reads as before.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;

use cordial::db::GraphReadExt;
use cordial::storage::keys::{self, ChunkOwner};
use cordial::storage::{Direction, GraphRead, GraphWrite, StorageError};
use cordial::{Database, Value};

/// sled 0.34 shares one global lock between all databases of a process, and the store
/// serializes its own flushes and batches to stay clear of sled's deadlock between them; the
/// direct sled handles these tests open are not covered by that, so the tests run one at a time.
static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn serial() -> std::sync::MutexGuard<'static, ()> {
    ONE_AT_A_TIME
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn s(v: &str) -> Value {
    Value::String(v.to_owned().into())
}

/// A database with every kind of chunk, a user index, and transactions left in the log.
fn build(path: &Path) {
    let db = Database::open(path).unwrap();
    let mut tx = db.begin_write().unwrap();
    let mut nodes = Vec::new();
    for i in 0..40 {
        nodes.push(
            tx.add_node(
                &["Customer"],
                &[
                    ("id", s(&format!("c-{i}"))),
                    ("score", Value::Int(i)),
                    ("ratio", Value::Float(i as f64 / 3.0)),
                    ("vip", Value::Bool(i % 2 == 0)),
                    ("city", s(["Oslo", "Rome", "Lima"][i as usize % 3])),
                ],
            )
            .unwrap(),
        );
    }
    let staff = tx.add_node(&["Staff"], &[("id", s("s-1"))]).unwrap();
    for (i, &n) in nodes.iter().enumerate() {
        tx.add_relationship("SERVES", staff, n, &[("since", Value::Int(i as i64))])
            .unwrap();
    }
    tx.create_index(None, "Customer", "city").unwrap();
    tx.commit().unwrap();
    db.checkpoint().unwrap();
    for (i, &node) in nodes.iter().take(3).enumerate() {
        let mut tx = db.begin_write().unwrap();
        tx.set_property(node, "score", Value::Int(1000)).unwrap();
        tx.add_node(&["Customer"], &[("id", s(&format!("late-{i}")))])
            .unwrap();
        tx.commit().unwrap();
    }
    // Dropped without close: the last transactions stay in the log.
}

/// Opens the database and reads everything; the first error wins.
fn read_everything(path: &Path) -> Result<usize, cordial::Error> {
    let db = Database::open(path)?;
    let g = db.begin_read();
    let mut seen = 0;
    for n in g.all_nodes()? {
        let node = g.node(n)?.expect("listed node exists");
        for label in &node.labels {
            for (key, value) in &node.properties {
                let found = g.find_nodes(label, key, value)?;
                assert!(found.contains(&n), "{label}.{key} = {value:?} finds {n}");
            }
        }
        seen += g.neighbours(n, None, Direction::Both)?.len();
        seen += node.properties.len();
    }
    for r in g.all_relationships()? {
        seen += g
            .relationship_value(r)?
            .expect("listed rel")
            .properties
            .len();
    }
    for label in g.label_names().to_vec() {
        seen += g.count_nodes(g.label_id(&label))? as usize;
        seen += g.nodes_labelled(&label)?.len();
    }
    seen += g.count_relationships(None)? as usize;
    Ok(seen)
}

/// Opens the store's sled tree directly, with the segment size the store was created with.
fn tree(path: &Path) -> (sled::Db, sled::Tree) {
    let store = path.join("store");
    let conf = std::fs::read(store.join("conf")).unwrap();
    let segment_size = String::from_utf8_lossy(&conf)
        .lines()
        .find_map(|l| l.strip_prefix("segment_size: "))
        .and_then(|n| n.trim().parse::<usize>().ok())
        .expect("segment size in sled's conf");
    // sled's background threads may hold the file lock a moment after the database closed.
    let started = std::time::Instant::now();
    let db = loop {
        match sled::Config::new()
            .path(&store)
            .segment_size(segment_size)
            .open()
        {
            Ok(db) => break db,
            Err(sled::Error::Io(e))
                if e.to_string().contains("lock") && started.elapsed().as_secs() < 10 =>
            {
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            Err(e) => panic!("cannot open the store with sled: {e}"),
        }
    };
    let tree = db.open_tree("cordial").unwrap();
    (db, tree)
}

fn describe(key: &[u8]) -> (String, String) {
    match (key.first(), keys::chunk_owner(key), keys::log_seq(key)) {
        (_, Some(ChunkOwner::NodeGroup { group, .. }), _) => {
            (format!("node group {group}"), "node group".into())
        }
        (_, Some(ChunkOwner::RelGroup { group, .. }), _) => (
            format!("relationship group {group}"),
            "relationship group".into(),
        ),
        (_, Some(ChunkOwner::IndexPage { .. }), _) => ("index page".into(), "index".into()),
        (_, _, Some(seq)) => (format!("log record {seq}"), format!("log record {seq}")),
        _ if key == keys::MANIFEST => ("manifest".into(), "manifest".into()),
        _ if key == keys::CLEAN => ("clean-close marker".into(), String::new()),
        _ => (format!("key {key:?}"), String::new()),
    }
}

/// Replaces one value, runs `read_everything`, restores the value; returns the outcome.
fn with_damage(
    path: &Path,
    key: &[u8],
    damaged: Vec<u8>,
) -> Result<Result<usize, cordial::Error>, String> {
    let original = {
        let (db, tree) = tree(path);
        let original = tree.get(key).unwrap().expect("key present").to_vec();
        tree.insert(key, damaged).unwrap();
        db.flush().unwrap();
        original
    };
    let outcome = catch_unwind(AssertUnwindSafe(|| read_everything(path)));
    {
        let (db, tree) = tree(path);
        tree.insert(key, original).unwrap();
        db.flush().unwrap();
    }
    outcome.map_err(|panic| {
        panic
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
            .unwrap_or_default()
    })
}

#[test]
fn damaged_values_are_reported_as_corruption() {
    let _serial = serial();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    build(&path);
    let baseline = read_everything(&path).unwrap();
    let entries: Vec<(Vec<u8>, usize)> = {
        let (_db, tree) = tree(&path);
        tree.iter()
            .map(|kv| {
                let (k, v) = kv.unwrap();
                (k.to_vec(), v.len())
            })
            .collect()
    };
    let tags: std::collections::BTreeSet<u8> = entries.iter().map(|(k, _)| k[0]).collect();
    for tag in [b'C', b'M', b'V', b'L', b'N', b'R', b'I'] {
        assert!(
            tags.contains(&tag),
            "the sample database has a {} key",
            tag as char
        );
    }
    let mut failures = Vec::new();
    for (key, len) in &entries {
        let (name, expected) = describe(key);
        let original = {
            let (_db, tree) = tree(&path);
            tree.get(key).unwrap().unwrap().to_vec()
        };
        let mut damages: Vec<(String, Vec<u8>)> = Vec::new();
        for pos in [0, 4, len / 2, len - 1] {
            if pos < *len {
                let mut bad = original.clone();
                bad[pos] ^= 0x5a;
                damages.push((format!("byte {pos} flipped"), bad));
            }
        }
        damages.push(("truncated to half".into(), original[..len / 2].to_vec()));
        damages.push(("emptied".into(), Vec::new()));
        damages.push(("one byte cut".into(), original[..len - 1].to_vec()));
        for (how, bad) in damages {
            match with_damage(&path, key, bad) {
                Err(panic) => failures.push(format!("{name}, {how}: panicked: {panic}")),
                Ok(Ok(seen)) if key == keys::CLEAN && seen == baseline => {}
                Ok(Ok(_)) => failures.push(format!("{name}, {how}: not detected")),
                Ok(Err(cordial::Error::Storage(StorageError::Corruption { what, .. })))
                    if what.contains(&expected) => {}
                Ok(Err(cordial::Error::Storage(StorageError::UnsupportedFormat { .. })))
                    if key == keys::VERSION => {}
                Ok(Err(cordial::Error::Storage(StorageError::Corruption { what, .. })))
                    if key == keys::VERSION && what.contains("format version") => {}
                Ok(Err(e)) => failures.push(format!("{name}, {how}: wrong error: {e}")),
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // Every value restored: the database reads as before.
    assert_eq!(read_everything(&path).unwrap(), baseline);
}

#[test]
fn missing_chunks_are_reported_as_corruption() {
    let _serial = serial();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    build(&path);
    let chunk_keys: Vec<Vec<u8>> = {
        let (_db, tree) = tree(&path);
        tree.iter()
            .keys()
            .map(|k| k.unwrap().to_vec())
            .filter(|k| keys::chunk_owner(k).is_some())
            .collect()
    };
    for key in chunk_keys {
        let (name, expected) = describe(&key);
        let original = {
            let (db, tree) = tree(&path);
            let v = tree.remove(&key).unwrap().unwrap();
            db.flush().unwrap();
            v
        };
        let outcome = catch_unwind(AssertUnwindSafe(|| read_everything(&path)));
        {
            let (db, tree) = tree(&path);
            tree.insert(&key, original).unwrap();
            db.flush().unwrap();
        }
        match outcome {
            Ok(Err(cordial::Error::Storage(StorageError::Corruption { what, .. })))
                if what.contains(&expected) => {}
            Ok(other) => panic!("{name} removed: {:?}", other.map_err(|e| e.to_string())),
            Err(_) => panic!("{name} removed: panicked"),
        }
    }
}

#[test]
fn a_log_gap_is_corruption() {
    let _serial = serial();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    build(&path);
    {
        let (db, tree) = tree(&path);
        let logs: Vec<_> = tree
            .scan_prefix([keys::TAG_LOG])
            .keys()
            .map(|k| k.unwrap())
            .collect();
        assert!(logs.len() >= 2);
        tree.remove(&logs[0]).unwrap();
        db.flush().unwrap();
    }
    match Database::open(&path) {
        Err(cordial::Error::Storage(StorageError::Corruption { what, .. })) => {
            assert!(what.contains("log record"), "{what}");
        }
        Err(e) => panic!("wrong error: {e}"),
        Ok(_) => panic!("a missing log record went unnoticed"),
    }
}

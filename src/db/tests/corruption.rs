//! Corruption detection: bytes are flipped in (and values truncated from) every stored chunk
//! locator, log record, the manifest and the format-version record of a closed sled database,
//! reaching the sled tree directly (`<db>/store`, tree `cordial`, keys as `storage::keys`
//! documents), and in the chunk files the locators point into (`<db>/chunks`).
//! Opening the database and reading everything must then fail with a `Corruption` error that
//! names what is damaged, never panic and never return wrong data silently. The one exception
//! is the clean-close marker: it is a hint, so a damaged one reads as missing (the open sweeps
//! for unreferenced chunks) and the data reads as before.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;

use super::serial;
use crate::db::GraphReadExt;
use crate::storage::keys::{self, ChunkOwner};
use crate::storage::testing::RawTree;
use crate::storage::{Direction, GraphRead, GraphWrite, StorageError};
use crate::{Database, Value};

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
fn read_everything(path: &Path) -> Result<usize, crate::Error> {
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
fn tree(path: &Path) -> RawTree {
    RawTree::open(path)
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
) -> Result<Result<usize, crate::Error>, String> {
    let original = {
        let tree = tree(path);
        let original = tree.get(key).expect("key present");
        tree.insert(key, damaged);
        original
    };
    let outcome = catch_unwind(AssertUnwindSafe(|| read_everything(path)));
    tree(path).insert(key, original);
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
    let entries: Vec<(Vec<u8>, usize)> = tree(&path)
        .entries()
        .into_iter()
        .map(|(k, v)| (k, v.len()))
        .collect();
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
        let original = tree(&path).get(key).unwrap();
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
                Ok(Err(crate::Error::Storage(StorageError::Corruption { what, .. })))
                    if what.contains(&expected) => {}
                Ok(Err(crate::Error::Storage(StorageError::UnsupportedFormat { .. })))
                    if key == keys::VERSION => {}
                Ok(Err(crate::Error::Storage(StorageError::Corruption { what, .. })))
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
    let chunk_keys: Vec<Vec<u8>> = tree(&path)
        .keys_with_prefix(&[])
        .into_iter()
        .filter(|k| keys::chunk_owner(k).is_some())
        .collect();
    for key in chunk_keys {
        let (name, expected) = describe(&key);
        let original = tree(&path).remove(&key).unwrap();
        let outcome = catch_unwind(AssertUnwindSafe(|| read_everything(&path)));
        tree(&path).insert(&key, original);
        match outcome {
            Ok(Err(crate::Error::Storage(StorageError::Corruption { what, .. })))
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
        let tree = tree(&path);
        let logs = tree.keys_with_prefix(&[keys::TAG_LOG]);
        assert!(logs.len() >= 2);
        tree.remove(&logs[0]);
    }
    match Database::open(&path) {
        Err(crate::Error::Storage(StorageError::Corruption { what, .. })) => {
            assert!(what.contains("log record"), "{what}");
        }
        Err(e) => panic!("wrong error: {e}"),
        Ok(_) => panic!("a missing log record went unnoticed"),
    }
}

/// Where the store says a chunk's bytes are: its file and byte range (format 2 keeps the chunks
/// in `<db>/chunks/NNNNNNNN.chunks`; sled holds file u32, offset u64, length u32 and CRC-32).
fn chunk_place(path: &Path, stored: &[u8]) -> (std::path::PathBuf, u64, u64) {
    assert_eq!(stored.len(), 20, "a chunk's locator");
    let file = u32::from_be_bytes(stored[0..4].try_into().unwrap());
    let offset = u64::from_be_bytes(stored[4..12].try_into().unwrap());
    let len = u64::from(u32::from_be_bytes(stored[12..16].try_into().unwrap()));
    (
        path.join("chunks").join(format!("{file:08}.chunks")),
        offset,
        len,
    )
}

#[test]
fn damaged_chunk_files_are_reported_as_corruption() {
    let _serial = serial();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    build(&path);
    let baseline = read_everything(&path).unwrap();
    let chunks: Vec<(Vec<u8>, Vec<u8>)> = tree(&path)
        .entries()
        .into_iter()
        .filter(|(k, _)| keys::chunk_owner(k).is_some())
        .collect();
    assert!(chunks.len() > 10, "the sample database has chunks");
    let mut failures = Vec::new();
    for (key, stored) in &chunks {
        let (name, expected) = describe(key);
        let (file, offset, len) = chunk_place(&path, stored);
        let original = std::fs::read(&file).unwrap();
        let mut damages: Vec<(String, Vec<u8>)> = Vec::new();
        for pos in [offset, offset + len / 2, offset + len - 1] {
            let mut bad = original.clone();
            bad[usize::try_from(pos).unwrap()] ^= 0x5a;
            damages.push((format!("byte {pos} of its file flipped"), bad));
        }
        damages.push((
            "its file cut short".into(),
            original[..usize::try_from(offset + len - 1).unwrap()].to_vec(),
        ));
        for (how, bad) in damages {
            std::fs::write(&file, bad).unwrap();
            let outcome = catch_unwind(AssertUnwindSafe(|| read_everything(&path)));
            std::fs::write(&file, &original).unwrap();
            match outcome {
                Err(_) => failures.push(format!("{name}, {how}: panicked")),
                Ok(Ok(_)) => failures.push(format!("{name}, {how}: not detected")),
                Ok(Err(crate::Error::Storage(StorageError::Corruption { what, .. })))
                    if what.contains(&expected) => {}
                // Cutting the file short cuts every chunk after this one too; whichever is
                // read first is reported.
                Ok(Err(crate::Error::Storage(StorageError::Corruption { detail, .. })))
                    if how.contains("cut short") && detail.contains("ends at byte") => {}
                Ok(Err(e)) => failures.push(format!("{name}, {how}: wrong error: {e}")),
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // A chunk file that is gone is corruption too, named as such.
    let (file, _, _) = chunk_place(&path, &chunks[0].1);
    let original = std::fs::read(&file).unwrap();
    std::fs::remove_file(&file).unwrap();
    match read_everything(&path) {
        Err(crate::Error::Storage(StorageError::Corruption { detail, .. })) => {
            assert!(detail.contains("missing"), "{detail}");
        }
        other => panic!(
            "a missing chunk file: {:?}",
            other.map_err(|e| e.to_string())
        ),
    }
    std::fs::write(&file, original).unwrap();
    assert_eq!(read_everything(&path).unwrap(), baseline);
}

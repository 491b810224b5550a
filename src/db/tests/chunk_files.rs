//! Chunk files (format 2): chunks live in `<db>/chunks/*.chunks` and sled holds a 20-byte
//! locator per chunk; files whose chunks are all replaced go; a read-only open reads them in
//! place; a format-1 store (chunks inside sled) still opens, and compaction converts it.

use std::path::Path;

use super::serial;
use crate::db::Params;
use crate::storage::keys;
use crate::storage::testing::RawTree;
use crate::{Database, Value};

fn chunk_files(path: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(path.join("chunks"))
        .map(|entries| {
            entries
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

/// Opens the store's sled tree directly (the store must be closed).
fn tree(path: &Path) -> RawTree {
    RawTree::open(path)
}

fn fill(db: &Database, n: i64) {
    db.query_all(
        "UNWIND range(1, $n) AS i CREATE (:Customer {id: 'c-' + i, score: i})-[:PLACED]->(:Order {n: i})",
        Params::from_iter([("n".to_owned(), Value::Int(n))]),
    )
    .unwrap();
}

/// The answers every test checks before and after what it does to the store.
fn answers(db: &Database) -> Vec<String> {
    let result = db
        .query_all(
            "MATCH (c:Customer)-[:PLACED]->(o:Order) \
             RETURN count(*) AS n, sum(c.score) AS s, sum(o.n) AS t, max(c.id) AS m",
            Params::new(),
        )
        .unwrap();
    result.rows[0]
        .values()
        .iter()
        .map(|v| format!("{v:?}"))
        .collect()
}

#[test]
fn chunks_live_in_files_and_sled_holds_locators() {
    let _serial = serial();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    let db = Database::open(&path).unwrap();
    fill(&db, 5_000);
    let before = answers(&db);
    db.close().unwrap();
    assert!(!chunk_files(&path).is_empty(), "chunk files were written");
    let marker = std::fs::read_to_string(path.join("CORDIAL")).unwrap();
    assert!(marker.contains("format_version = 2"), "{marker}");
    {
        let mut chunks = 0;
        for (key, value) in tree(&path).entries() {
            if keys::chunk_owner(&key).is_some() {
                assert_eq!(value.len(), 20, "a locator, not the chunk");
                chunks += 1;
            }
        }
        assert!(chunks > 4, "{chunks} chunks");
    }
    // A read-only open reads the files in place and writes nothing.
    let files = chunk_files(&path);
    let db = Database::open_read_only(&path).unwrap();
    assert_eq!(answers(&db), before);
    drop(db);
    assert_eq!(chunk_files(&path), files);
    let db = Database::open(&path).unwrap();
    assert_eq!(answers(&db), before);
    db.close().unwrap();
}

#[test]
fn files_whose_chunks_are_all_replaced_are_deleted() {
    let _serial = serial();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    let db = Database::open(&path).unwrap();
    fill(&db, 1_000);
    db.close().unwrap();
    let first = chunk_files(&path);
    assert_eq!(first.len(), 1, "{first:?}");
    // The next session replaces every node and relationship (and so every group and index
    // page), so after its checkpoint nothing in the first file is live any more.
    let db = Database::open(&path).unwrap();
    db.query_all("MATCH (n) DETACH DELETE n", Params::new())
        .unwrap();
    fill(&db, 1_000);
    db.query_all("MATCH (n) SET n.touched = true", Params::new())
        .unwrap();
    db.checkpoint().unwrap();
    let after = answers(&db);
    db.close().unwrap();
    let now = chunk_files(&path);
    assert!(!now.contains(&first[0]), "{now:?}");
    let db = Database::open(&path).unwrap();
    assert_eq!(answers(&db), after);
    let touched = db
        .query_all("MATCH (n) WHERE n.touched RETURN count(n)", Params::new())
        .unwrap();
    assert_eq!(touched.rows[0].values()[0], Value::Int(2_000));
    db.close().unwrap();
}

#[test]
fn a_file_no_chunk_names_is_removed_at_open() {
    let _serial = serial();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    let db = Database::open(&path).unwrap();
    fill(&db, 100);
    let before = answers(&db);
    db.close().unwrap();
    // What a crash between appending chunks and writing their locators leaves behind.
    let orphan = path.join("chunks").join("00000099.chunks");
    std::fs::write(&orphan, vec![7u8; 4096]).unwrap();
    let db = Database::open(&path).unwrap();
    assert!(!orphan.exists());
    assert_eq!(answers(&db), before);
    // New files are numbered after every file seen.
    fill(&db, 10);
    db.checkpoint().unwrap();
    db.close().unwrap();
    assert!(
        chunk_files(&path).iter().any(|f| f.as_str() > "00000099"),
        "{:?}",
        chunk_files(&path)
    );
}

#[test]
fn a_format_1_store_opens_and_compaction_converts_it() {
    let _serial = serial();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    let db = Database::open(&path).unwrap();
    fill(&db, 3_000);
    let before = answers(&db);
    db.close().unwrap();
    // Rewrite it as format 1 had it: each chunk's bytes in sled under its key.
    {
        let tree = tree(&path);
        for (key, value) in tree.entries() {
            if keys::chunk_owner(&key).is_none() {
                continue;
            }
            let file = u32::from_be_bytes(value[0..4].try_into().unwrap());
            let offset = u64::from_be_bytes(value[4..12].try_into().unwrap());
            let len = u32::from_be_bytes(value[12..16].try_into().unwrap());
            let bytes =
                std::fs::read(path.join("chunks").join(format!("{file:08}.chunks"))).unwrap();
            let start = usize::try_from(offset).unwrap();
            let held = &bytes[start..start + len as usize];
            // A tag byte: 0 the chunk as it is, 1 compressed with zstd.
            let chunk = match held[0] {
                0 => held[1..].to_vec(),
                1 => zstd::stream::decode_all(&held[1..]).unwrap(),
                tag => panic!("unknown tag {tag}"),
            };
            tree.insert(&key, chunk);
        }
        tree.insert(keys::VERSION, 1u32.to_be_bytes().to_vec());
    }
    std::fs::remove_dir_all(path.join("chunks")).unwrap();
    std::fs::write(
        path.join("CORDIAL"),
        "cordial database\nformat_version = 1\n",
    )
    .unwrap();
    // It reads, and writes in its own format.
    let db = Database::open(&path).unwrap();
    assert_eq!(answers(&db), before);
    fill(&db, 10);
    db.checkpoint().unwrap();
    let written = answers(&db);
    db.close().unwrap();
    assert!(!path.join("chunks").exists());
    let db = Database::open_read_only(&path).unwrap();
    assert_eq!(answers(&db), written);
    drop(db);
    // Compaction writes format 2.
    crate::storage::compact(&path, &mut |_, _| {}).unwrap();
    let marker = std::fs::read_to_string(path.join("CORDIAL")).unwrap();
    assert!(marker.contains("format_version = 2"), "{marker}");
    assert!(!chunk_files(&path).is_empty());
    let db = Database::open(&path).unwrap();
    assert_eq!(answers(&db), written);
    db.close().unwrap();
}

#[test]
fn a_bulk_load_writes_as_it_goes_and_a_given_up_one_leaves_nothing() {
    use crate::storage::records::StoredValue;
    let _serial = serial();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    let db = Database::open(&path).unwrap();
    let count = |db: &Database| {
        db.query_all("MATCH (n) RETURN count(n), sum(n.score)", Params::new())
            .unwrap()
            .rows[0]
            .values()
            .to_vec()
    };
    let load = |db: &Database, finish: bool| {
        let mut loader = db.store().bulk_loader().unwrap();
        // Every chunk is written as soon as it is built.
        loader.write_after(1);
        let (label, key) = (loader.label("Customer"), loader.key("score"));
        let mut batch = loader.label_batch(label, vec![key]);
        for i in 0..10_000 {
            batch.push_row(vec![StoredValue::Int(i)]).unwrap();
        }
        loader.add_nodes(batch).unwrap();
        let written: u64 = std::fs::read_dir(path.join("chunks"))
            .unwrap()
            .map(|e| e.unwrap().metadata().unwrap().len())
            .sum();
        assert!(written > 0, "chunks are written before the load finishes");
        if finish {
            loader.finish(&mut |_, _| {}).unwrap();
        }
    };
    load(&db, false);
    assert_eq!(count(&db), vec![Value::Int(0), Value::Int(0)]);
    db.close().unwrap();
    let db = Database::open(&path).unwrap();
    assert_eq!(count(&db), vec![Value::Int(0), Value::Int(0)]);
    load(&db, true);
    let expected = vec![Value::Int(10_000), Value::Int(49_995_000)];
    assert_eq!(count(&db), expected);
    db.close().unwrap();
    let db = Database::open(&path).unwrap();
    assert_eq!(count(&db), expected);
    db.close().unwrap();
}

#[test]
fn replaced_chunks_are_reclaimable_until_compaction() {
    let _serial = serial();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    let db = Database::open(&path).unwrap();
    fill(&db, 10_000);
    db.close().unwrap();
    let db = Database::open(&path).unwrap();
    assert_eq!(db.stats().unwrap().reclaimable_bytes, 0);
    // One node changes: its group is written anew, the old copy stays in a file that still
    // holds the other groups.
    db.query_all(
        "MATCH (c:Customer {id: 'c-1'}) SET c.score = -1",
        Params::new(),
    )
    .unwrap();
    db.checkpoint().unwrap();
    let after = answers(&db);
    // Replaced chunks go once no snapshot can read them (at the latest when the database
    // closes); their bytes are then reclaimable.
    db.close().unwrap();
    let db = Database::open(&path).unwrap();
    let stats = db.stats().unwrap();
    assert!(stats.reclaimable_bytes > 0, "{stats:?}");
    assert!(stats.reclaimable_bytes < stats.size_on_disk, "{stats:?}");
    db.close().unwrap();
    // A read-only open counts it too.
    let db = Database::open_read_only(&path).unwrap();
    assert!(db.stats().unwrap().reclaimable_bytes > 0);
    drop(db);
    crate::storage::compact(&path, &mut |_, _| {}).unwrap();
    let db = Database::open(&path).unwrap();
    assert_eq!(db.stats().unwrap().reclaimable_bytes, 0);
    assert_eq!(answers(&db), after);
    db.close().unwrap();
}

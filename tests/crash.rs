//! Crash test: a child process (this test binary re-run with `CORDIAL_CRASH_CHILD` set) writes
//! transactions in a loop on a sled database with a tiny checkpoint threshold and prints the
//! number of each transaction once `commit` has returned; the parent kills it with SIGKILL at
//! random moments (some right after it announced an explicit checkpoint), reopens the database,
//! checks every invariant, writes a transaction of its own, and lets the next child continue.
//!
//! Transaction `t` creates nodes `t-0`, `t-1`, `t-2` (label `Item`, properties `id`, `tx`,
//! `slot`), relationships `LINK t-0→t-1`, `LINK t-1→t-2`, `NEXT (t-1)-0→t-0`, a self-loop `LOOP`
//! on `t-0` when `t % 3 == 0`, sets `touched = t` on `(t-1)-0`, detach-deletes `(t-4)-2` when
//! `t % 4 == 0`, and records `last = t` on the counter node. So the whole expected graph follows
//! from the counter, and a torn transaction shows as a mismatch.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use cordial::{
    Database, Direction, GraphRead, GraphReadExt, GraphWrite, NodeId, OpenOptions, StorageError,
    Value, WriteTxn,
};

const CHILD_ENV: &str = "CORDIAL_CRASH_CHILD";
const KILLS: usize = 24;

fn options() -> OpenOptions {
    OpenOptions {
        checkpoint_after_ops: 40,
        ..OpenOptions::default()
    }
}

fn item_id(t: u64, slot: u64) -> Value {
    Value::String(format!("{t}-{slot}").into())
}

fn find_item(g: &impl GraphRead, t: u64, slot: u64) -> Option<NodeId> {
    let found = g.find_nodes("Item", "id", &item_id(t, slot)).unwrap();
    assert!(
        found.len() <= 1,
        "item {t}-{slot} found {} times",
        found.len()
    );
    found.first().copied()
}

fn last_committed(g: &impl GraphRead) -> u64 {
    let counter = g
        .find_nodes("Counter", "id", &Value::String("counter".into()))
        .unwrap();
    assert_eq!(counter.len(), 1, "one counter node");
    match g.property(counter[0], "last").unwrap() {
        Value::Int(n) => u64::try_from(n).unwrap(),
        Value::Null => 0,
        other => panic!("counter holds {other:?}"),
    }
}

#[allow(clippy::cast_possible_wrap)]
fn write_transaction(tx: &mut WriteTxn, t: u64) {
    let ti = t as i64;
    let mut nodes = Vec::new();
    for slot in 0..3u64 {
        nodes.push(
            tx.add_node(
                &["Item"],
                &[
                    ("id", item_id(t, slot)),
                    ("tx", Value::Int(ti)),
                    ("slot", Value::Int(slot as i64)),
                    (
                        "name",
                        Value::String(format!("item {t} of slot {slot}").into()),
                    ),
                ],
            )
            .unwrap(),
        );
    }
    let tx_prop = [("tx", Value::Int(ti))];
    tx.add_relationship("LINK", nodes[0], nodes[1], &tx_prop)
        .unwrap();
    tx.add_relationship("LINK", nodes[1], nodes[2], &tx_prop)
        .unwrap();
    if t.is_multiple_of(3) {
        tx.add_relationship("LOOP", nodes[0], nodes[0], &tx_prop)
            .unwrap();
    }
    if t > 1 {
        let previous = find_item(tx, t - 1, 0).expect("previous transaction's first node");
        tx.add_relationship("NEXT", previous, nodes[0], &tx_prop)
            .unwrap();
        tx.set_property(previous, "touched", Value::Int(ti))
            .unwrap();
    }
    if t.is_multiple_of(4) && t > 4 {
        let old = find_item(tx, t - 4, 2).expect("node to delete");
        assert_eq!(tx.detach_delete_node(old).unwrap(), 1);
    }
    let counter = tx
        .find_nodes("Counter", "id", &Value::String("counter".into()))
        .unwrap()[0];
    tx.set_property(counter, "last", Value::Int(ti)).unwrap();
}

/// The child: writes transactions until killed.
#[test]
fn crash_child() {
    let Ok(path) = std::env::var(CHILD_ENV) else {
        return;
    };
    let db = Database::open_with(&path, options()).unwrap();
    let mut out = std::io::stdout().lock();
    writeln!(out, "OPENED").unwrap();
    let mut t = last_committed(&db.begin_read());
    loop {
        t += 1;
        let mut tx = db.begin_write().unwrap();
        write_transaction(&mut tx, t);
        tx.commit().unwrap();
        writeln!(out, "COMMITTED {t}").unwrap();
        out.flush().unwrap();
        if t.is_multiple_of(7) {
            writeln!(out, "CHECKPOINT").unwrap();
            out.flush().unwrap();
            db.checkpoint().unwrap();
        }
    }
}

/// A small xorshift generator: the test needs a little randomness, not a crate.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next() % (hi - lo)
    }
}

/// Everything that must hold after any crash, given that the child reported `reported` as its
/// last committed transaction. Returns the last committed transaction found.
#[allow(clippy::cast_possible_wrap, clippy::too_many_lines)]
fn check_invariants(db: &Database, reported: u64) -> u64 {
    let g = db.begin_read();
    let last = last_committed(&g);
    assert!(
        last == reported || last == reported + 1,
        "child reported {reported} committed, the database holds {last}"
    );
    // Adjacency agrees in both directions and every endpoint exists.
    let nodes = g.all_nodes().unwrap();
    for &n in &nodes {
        let mut out = Vec::new();
        g.expand(n, Direction::Outgoing, &[], &mut out).unwrap();
        for e in &out {
            let info = g.relationship(e.rel).unwrap().expect("relationship exists");
            assert_eq!((info.start, info.end), (n, e.other), "rel {}", e.rel);
            assert!(
                g.node_exists(e.other).unwrap(),
                "endpoint {} exists",
                e.other
            );
            let mut back = Vec::new();
            g.expand(e.other, Direction::Incoming, &[e.rel_type], &mut back)
                .unwrap();
            assert!(
                back.iter().any(|b| b.rel == e.rel && b.other == n),
                "outgoing rel {} of {n} is incoming at {}",
                e.rel,
                e.other
            );
        }
        let mut inc = Vec::new();
        g.expand(n, Direction::Incoming, &[], &mut inc).unwrap();
        for e in &inc {
            let info = g.relationship(e.rel).unwrap().expect("relationship exists");
            assert_eq!((info.start, info.end), (e.other, n));
            let mut fwd = Vec::new();
            g.expand(e.other, Direction::Outgoing, &[e.rel_type], &mut fwd)
                .unwrap();
            assert!(fwd.iter().any(|f| f.rel == e.rel && f.other == n));
        }
    }
    let rels = g.all_relationships().unwrap();
    for &r in &rels {
        let info = g.relationship(r).unwrap().expect("listed relationship");
        assert!(g.node_exists(info.start).unwrap() && g.node_exists(info.end).unwrap());
        let mut out = Vec::new();
        g.expand(info.start, Direction::Outgoing, &[info.rel_type], &mut out)
            .unwrap();
        assert!(
            out.iter().any(|e| e.rel == r),
            "rel {r} in its start's adjacency"
        );
    }
    // Counts agree with scans.
    assert_eq!(g.count_nodes(None).unwrap(), nodes.len() as u64);
    assert_eq!(g.count_relationships(None).unwrap(), rels.len() as u64);
    for label in g.label_names().to_vec() {
        let id = g.label_id(&label);
        assert_eq!(
            g.count_nodes(id).unwrap(),
            g.nodes_labelled(&label).unwrap().len() as u64,
            "count of {label}"
        );
    }
    for name in g.type_names().to_vec() {
        let t = g.type_id(&name).unwrap();
        let scanned = rels
            .iter()
            .filter(|r| g.relationship(**r).unwrap().unwrap().rel_type == t)
            .count();
        assert_eq!(g.count_relationships(Some(t)).unwrap(), scanned as u64);
    }
    // Indexes match the data: every node's id finds exactly it, and the user index on `tx`
    // finds exactly the nodes of each transaction.
    let items = g.nodes_labelled("Item").unwrap();
    for &n in &items {
        let id = g.property(n, "id").unwrap();
        assert_eq!(g.find_nodes("Item", "id", &id).unwrap(), vec![n], "{id:?}");
    }
    let mut expected_items = 0;
    // Every committed transaction is present and whole; nothing later is.
    for t in 1..=last {
        let ti = t as i64;
        let deleted_third = t % 4 == 0 && t > 0 && t + 4 <= last && t + 4 > 4;
        let mut members = Vec::new();
        for slot in 0..3 {
            let found = find_item(&g, t, slot);
            if slot == 2 && deleted_third {
                assert_eq!(
                    found,
                    None,
                    "node {t}-2 was deleted by transaction {}",
                    t + 4
                );
                continue;
            }
            let n = found.unwrap_or_else(|| panic!("node {t}-{slot} of committed tx missing"));
            assert_eq!(g.property(n, "tx").unwrap(), Value::Int(ti));
            assert_eq!(g.property(n, "slot").unwrap(), Value::Int(slot as i64));
            assert_eq!(
                g.property(n, "name").unwrap(),
                Value::String(format!("item {t} of slot {slot}").into())
            );
            let touched = g.property(n, "touched").unwrap();
            if slot == 0 && t < last {
                assert_eq!(touched, Value::Int(ti + 1), "touched of {t}-0");
            } else {
                assert_eq!(touched, Value::Null, "touched of {t}-{slot}");
            }
            members.push(n);
        }
        expected_items += members.len();
        assert_eq!(
            g.find_nodes("Item", "tx", &Value::Int(ti)).unwrap(),
            members,
            "index on tx for {t}"
        );
        let first = members[0];
        let mut out = Vec::new();
        g.expand(first, Direction::Outgoing, &[], &mut out).unwrap();
        let mut want = vec![("LINK", members[1])];
        if t % 3 == 0 {
            want.push(("LOOP", first));
        }
        if t < last {
            want.push(("NEXT", find_item(&g, t + 1, 0).unwrap()));
        }
        let mut got: Vec<(&str, NodeId)> = out
            .iter()
            .map(|e| (g.type_name(e.rel_type).unwrap(), e.other))
            .collect();
        got.sort();
        want.sort();
        assert_eq!(got, want, "outgoing of {t}-0");
        for e in &out {
            // NEXT edges leave a transaction's first node but belong to the next transaction.
            let owner = if e.other == first || e.other == members[1] {
                ti
            } else {
                ti + 1
            };
            assert_eq!(
                g.rel_property(e.rel, g.key_id("tx").unwrap()).unwrap(),
                Value::Int(owner)
            );
        }
        let mut both = Vec::new();
        g.expand(first, Direction::Both, &[], &mut both).unwrap();
        let incoming_next = usize::from(t > 1);
        assert_eq!(both.len(), want.len() + incoming_next, "Both of {t}-0");
        let mut out = Vec::new();
        g.expand(members[1], Direction::Outgoing, &[], &mut out)
            .unwrap();
        assert_eq!(out.len(), usize::from(!deleted_third), "outgoing of {t}-1");
    }
    assert_eq!(
        items.len(),
        expected_items,
        "no items beyond transaction {last}"
    );
    assert_eq!(find_item(&g, last + 1, 0), None);
    assert!(
        g.find_nodes("Item", "tx", &Value::Int(last as i64 + 1))
            .unwrap()
            .is_empty()
    );
    last
}

fn spawn_child(path: &Path, stderr: &Path) -> std::process::Child {
    Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "crash_child", "--nocapture", "--test-threads=1"])
        .env(CHILD_ENV, path)
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(stderr).unwrap())
        .spawn()
        .unwrap()
}

#[test]
fn killed_writers_leave_whole_transactions() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    {
        let db = Database::open_with(&path, options()).unwrap();
        let mut tx = db.begin_write().unwrap();
        tx.add_node(&["Counter"], &[("id", Value::String("counter".into()))])
            .unwrap();
        tx.create_index(Some("item_tx"), "Item", "tx").unwrap();
        tx.commit().unwrap();
        db.close().unwrap();
    }
    let seed = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64
        | 1;
    eprintln!("crash test seed {seed}");
    let mut rng = Rng(seed);
    let mut reported = 0u64;
    let mut kills_in_checkpoint = 0;
    for round in 0..KILLS {
        let stderr = dir.path().join("child-stderr");
        let mut child = spawn_child(&path, &stderr);
        let stdout = child.stdout.take().unwrap();
        // The reader thread records the last committed transaction and wakes us at checkpoints.
        let progress = Arc::new(Mutex::new((reported, 0usize, false)));
        let reader = {
            let progress = Arc::clone(&progress);
            std::thread::spawn(move || {
                for line in BufReader::new(stdout).lines() {
                    let Ok(line) = line else { break };
                    let mut p = progress.lock().unwrap();
                    if let Some(n) = line.strip_prefix("COMMITTED ") {
                        p.0 = n.trim().parse().unwrap();
                    } else if line == "CHECKPOINT" {
                        p.1 += 1;
                    } else if line.ends_with("OPENED") {
                        // libtest prints `test crash_child ... ` before the child's first line.
                        p.2 = true;
                    }
                }
            })
        };
        let aim_at_checkpoint = round % 3 == 2;
        if aim_at_checkpoint {
            // Wait for the child to announce a checkpoint, then kill it within a moment.
            let start = std::time::Instant::now();
            while progress.lock().unwrap().1 == 0 && start.elapsed() < Duration::from_secs(20) {
                std::thread::sleep(Duration::from_millis(1));
            }
            std::thread::sleep(Duration::from_micros(rng.range(0, 3000)));
            kills_in_checkpoint += 1;
        } else {
            std::thread::sleep(Duration::from_millis(rng.range(5, 200)));
        }
        let _ = child.kill();
        let status = child.wait().unwrap();
        reader.join().unwrap();
        let (child_reported, _, opened) = *progress.lock().unwrap();
        assert!(
            status.code().is_none(),
            "round {round}: the child exited on its own ({status}, opened: {opened}): {}",
            std::fs::read_to_string(&stderr).unwrap_or_default()
        );
        reported = child_reported;
        let db = Database::open_with(&path, options()).unwrap();
        // The child's open cleared the clean-close marker and SIGKILL left none, so this open
        // swept for unreferenced chunks. (A child killed before it opened left the marker of
        // the parent's clean close, and no sweep is needed.)
        if opened {
            assert!(
                db.swept_at_open().is_some(),
                "round {round}: no sweep after a kill"
            );
        }
        let last = check_invariants(&db, reported);
        eprintln!("round {round}: child reported {reported}, database holds {last}");
        // The parent writes too, so its transactions, the log and the checkpoints interleave
        // with the child's.
        let mut tx = db.begin_write().unwrap();
        write_transaction(&mut tx, last + 1);
        tx.commit().unwrap();
        reported = last + 1;
        if round % 2 == 0 {
            db.close().unwrap();
        } else {
            drop(db);
        }
    }
    assert!(kills_in_checkpoint >= KILLS / 3 - 1);
    let db = Database::open_with(&path, options()).unwrap();
    let last = check_invariants(&db, reported);
    assert!(last >= KILLS as u64, "the children made progress ({last})");
}

const GARBAGE_CHILD_ENV: &str = "CORDIAL_GARBAGE_CHILD";

/// The child of `only_an_unclean_shutdown_sweeps`: checkpoints new nodes into the database
/// while a snapshot still reads the chunks that checkpoint replaces (so they wait for garbage
/// collection), says `READY`, and waits to be killed.
#[test]
fn garbage_child() {
    let Ok(path) = std::env::var(GARBAGE_CHILD_ENV) else {
        return;
    };
    // The parent dropped its handle just before: sled may hold its file lock a moment longer.
    let started = std::time::Instant::now();
    let db = loop {
        match Database::open(&path) {
            Err(cordial::Error::Storage(StorageError::Locked { .. }))
                if started.elapsed() < Duration::from_secs(10) =>
            {
                std::thread::sleep(Duration::from_millis(20));
            }
            other => break other.unwrap(),
        }
    };
    let _snapshot = db.begin_read();
    let mut tx = db.begin_write().unwrap();
    for i in 0..10 {
        tx.add_node(
            &["Item"],
            &[("id", Value::String(format!("late-{i}").into()))],
        )
        .unwrap();
    }
    tx.commit().unwrap();
    db.checkpoint().unwrap();
    let mut out = std::io::stdout().lock();
    // libtest may have printed `test garbage_child ... ` on this line already.
    writeln!(out, "READY").unwrap();
    out.flush().unwrap();
    loop {
        std::thread::sleep(Duration::from_secs(1));
    }
}

fn items(db: &Database) -> u64 {
    let g = db.begin_read();
    g.count_nodes(g.label_id("Item")).unwrap()
}

/// Opening sweeps for unreferenced chunks only after an unclean shutdown: a database closed
/// (or dropped) cleanly is opened without the sweep; one killed with replaced chunks still
/// waiting for collection, or dropped while a snapshot still read such chunks, is swept at its
/// next open, and those chunks go.
#[test]
fn only_an_unclean_shutdown_sweeps() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    {
        let db = Database::open(&path).unwrap();
        assert_eq!(db.swept_at_open(), None, "a new database");
        let mut tx = db.begin_write().unwrap();
        for i in 0..100 {
            tx.add_node(
                &["Item"],
                &[("id", Value::String(format!("early-{i}").into()))],
            )
            .unwrap();
        }
        tx.commit().unwrap();
        db.close().unwrap();
    }
    let db = Database::open(&path).unwrap();
    assert_eq!(db.swept_at_open(), None, "after close");
    assert_eq!(items(&db), 100);
    drop(db);
    let db = Database::open(&path).unwrap();
    assert_eq!(db.swept_at_open(), None, "after a plain drop");
    drop(db);

    // Killed while replaced chunks wait for collection: the next open sweeps them.
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "garbage_child",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(GARBAGE_CHILD_ENV, &path)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let ready = BufReader::new(child.stdout.take().unwrap())
        .lines()
        .map_while(Result::ok)
        .any(|line| line.ends_with("READY"));
    let _ = child.kill();
    let status = child.wait().unwrap();
    assert!(ready, "the child did not get ready ({status})");
    let db = Database::open(&path).unwrap();
    let swept = db.swept_at_open();
    assert!(
        swept.is_some_and(|n| n > 0),
        "the replaced chunks are swept after a kill: {swept:?}"
    );
    assert_eq!(items(&db), 110, "the child's checkpointed nodes survive");
    db.close().unwrap();
    let db = Database::open(&path).unwrap();
    assert_eq!(db.swept_at_open(), None, "after the swept store closed");

    // A snapshot that outlives its database keeps replaced chunks alive: no marker is written,
    // and the next open sweeps them.
    let snapshot = db.begin_read();
    let mut tx = db.begin_write().unwrap();
    tx.add_node(&["Item"], &[("id", Value::String("last".into()))])
        .unwrap();
    tx.commit().unwrap();
    db.checkpoint().unwrap();
    drop(db);
    assert_eq!(snapshot.count_nodes(None).unwrap(), 110);
    drop(snapshot);
    let db = Database::open(&path).unwrap();
    let swept = db.swept_at_open();
    assert!(
        swept.is_some_and(|n| n > 0),
        "chunks a snapshot held at close are swept: {swept:?}"
    );
    assert_eq!(items(&db), 111);
    drop(db);
    let db = Database::open(&path).unwrap();
    assert_eq!(db.swept_at_open(), None);
}

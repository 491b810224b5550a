//! Readers during writes: reader threads take snapshots in a loop while one writer commits
//! transfers between accounts (the sum of all balances never changes), opens and closes
//! accounts (the number of accounts always equals the counter node), and checkpoints now and
//! then. A reader must never see a half-applied transaction, and a snapshot held across
//! commits and checkpoints must keep answering the same (its chunks are not collected under it).

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use cordial::{Database, GraphRead, GraphReadExt, GraphWrite, NodeId, OpenOptions, Value};

const ACCOUNTS: i64 = 40;
const START_BALANCE: i64 = 100;
const TRANSACTIONS: u64 = 400;
const READERS: usize = 3;

fn int(v: &Value) -> i64 {
    match v {
        Value::Int(n) => *n,
        other => panic!("expected an integer, got {other:?}"),
    }
}

/// The sum of balances and the number of accounts a snapshot sees, checked against its counter.
fn audit(g: &impl GraphRead) -> (i64, usize) {
    let accounts = g.nodes_labelled("Account").unwrap();
    let sum: i64 = accounts
        .iter()
        .map(|&n| int(&g.property(n, "balance").unwrap()))
        .sum();
    let meta = g
        .find_nodes("Meta", "id", &Value::String("meta".into()))
        .unwrap();
    assert_eq!(meta.len(), 1);
    let counted = int(&g.property(meta[0], "accounts").unwrap());
    assert_eq!(
        accounts.len() as i64,
        counted,
        "the account scan disagrees with the counter"
    );
    assert_eq!(
        g.count_nodes(g.label_id("Account")).unwrap(),
        accounts.len() as u64
    );
    (sum, accounts.len())
}

fn setup(db: &Database) {
    let mut tx = db.begin_write().unwrap();
    tx.add_node(
        &["Meta"],
        &[
            ("id", Value::String("meta".into())),
            ("accounts", Value::Int(ACCOUNTS)),
        ],
    )
    .unwrap();
    for i in 0..ACCOUNTS {
        tx.add_node(
            &["Account"],
            &[
                ("id", Value::Int(i)),
                ("balance", Value::Int(START_BALANCE)),
            ],
        )
        .unwrap();
    }
    tx.commit().unwrap();
}

fn writer(db: &Database) {
    let mut state = 0x9e37_79b9_7f4a_7c15_u64;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut next_id = ACCOUNTS;
    for t in 0..TRANSACTIONS {
        let mut tx = db.begin_write().unwrap();
        let accounts: Vec<NodeId> = tx.nodes_labelled("Account").unwrap();
        let a = accounts[(next() % accounts.len() as u64) as usize];
        let b = accounts[(next() % accounts.len() as u64) as usize];
        let amount = (next() % 50) as i64;
        let balance_a = int(&tx.property(a, "balance").unwrap());
        tx.set_property(a, "balance", Value::Int(balance_a - amount))
            .unwrap();
        let balance_b = int(&tx.property(b, "balance").unwrap());
        tx.set_property(b, "balance", Value::Int(balance_b + amount))
            .unwrap();
        let meta = tx
            .find_nodes("Meta", "id", &Value::String("meta".into()))
            .unwrap()[0];
        let counted = int(&tx.property(meta, "accounts").unwrap());
        match t % 10 {
            3 => {
                // Open an account, funded from `a`, with a relationship to it.
                let balance_a = int(&tx.property(a, "balance").unwrap());
                tx.set_property(a, "balance", Value::Int(balance_a - 5))
                    .unwrap();
                let n = tx
                    .add_node(
                        &["Account"],
                        &[("id", Value::Int(next_id)), ("balance", Value::Int(5))],
                    )
                    .unwrap();
                next_id += 1;
                tx.add_relationship("OPENED_FROM", n, a, &[]).unwrap();
                tx.set_property(meta, "accounts", Value::Int(counted + 1))
                    .unwrap();
            }
            7 if a != b && accounts.len() > 10 => {
                // Close `a`, moving what it holds to `b`.
                let left = int(&tx.property(a, "balance").unwrap());
                let balance_b = int(&tx.property(b, "balance").unwrap());
                tx.set_property(b, "balance", Value::Int(balance_b + left))
                    .unwrap();
                tx.detach_delete_node(a).unwrap();
                tx.set_property(meta, "accounts", Value::Int(counted - 1))
                    .unwrap();
            }
            _ => {}
        }
        tx.commit().unwrap();
        if t % 37 == 0 {
            db.checkpoint().unwrap();
        }
    }
}

fn run(db: &Database) {
    setup(db);
    let total = ACCOUNTS * START_BALANCE;
    let done = Arc::new(AtomicBool::new(false));
    std::thread::scope(|scope| {
        let mut readers = Vec::new();
        for r in 0..READERS {
            let done = Arc::clone(&done);
            readers.push(scope.spawn(move || {
                let mut audits = 0u64;
                let mut held = None;
                while !done.load(Ordering::Acquire) || audits < 20 {
                    let snap = db.begin_read();
                    let seen = audit(&snap);
                    assert_eq!(seen.0, total, "reader {r} saw a half-applied transfer");
                    // Keep one snapshot across later commits and checkpoints, and check that it
                    // still answers exactly as it did.
                    match &held {
                        Some((old, old_seen)) if !audits.is_multiple_of(50) => {
                            assert_eq!(audit(old), *old_seen, "a held snapshot changed");
                        }
                        _ => held = Some((snap, seen)),
                    }
                    audits += 1;
                }
                audits
            }));
        }
        writer(db);
        done.store(true, Ordering::Release);
        for r in readers {
            assert!(r.join().unwrap() >= 20);
        }
    });
    let snap = db.begin_read();
    assert_eq!(audit(&snap).0, total);
}

#[test]
fn readers_never_see_half_applied_transactions_in_memory() {
    run(&Database::in_memory().unwrap());
}

#[test]
fn readers_never_see_half_applied_transactions_on_sled() {
    let dir = tempfile::tempdir().unwrap();
    let db = Database::open_with(
        dir.path().join("db"),
        OpenOptions {
            // Automatic checkpoints too, between the explicit ones.
            checkpoint_after_ops: 60,
            ..OpenOptions::default()
        },
    )
    .unwrap();
    run(&db);
    db.close().unwrap();
    let db = Database::open(dir.path().join("db")).unwrap();
    assert_eq!(audit(&db.begin_read()).0, ACCOUNTS * START_BALANCE);
}

/// Several databases in one process commit, checkpoint and close side by side: sled 0.34
/// shares one global lock between them (see `SLED_WRITES` in the storage backend), and large
/// records once hung a flush forever; none of it may hang or mix up the databases.
#[test]
fn databases_side_by_side_do_not_hang() {
    let dir = tempfile::tempdir().unwrap();
    std::thread::scope(|scope| {
        for t in 0..3 {
            let path = dir.path().join(format!("db{t}"));
            scope.spawn(move || {
                for round in 0..15 {
                    let db = Database::open(&path).unwrap();
                    for i in 0..10 {
                        let mut tx = db.begin_write().unwrap();
                        tx.add_node(
                            &["N"],
                            &[("i", Value::Int(i)), ("round", Value::Int(round))],
                        )
                        .unwrap();
                        tx.commit().unwrap();
                        if i % 3 == 0 {
                            db.checkpoint().unwrap();
                        }
                    }
                    if round % 2 == 0 {
                        db.close().unwrap();
                    }
                }
                let db = Database::open(&path).unwrap();
                assert_eq!(db.begin_read().count_nodes(None).unwrap(), 150);
            });
        }
    });
}

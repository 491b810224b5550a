//! The library's tests inside the crate: `db`'s own, and the tests that reach below the public
//! API (the model of the store, corruption and chunk files through the raw sled tree, the
//! function library by its Rust interface, the procedure tables); their data stays under
//! `tests/data/`. Each file's `//!` says what it covers. The tests that use only the public API
//! are in `tests/`.

mod chunk_files;
mod corruption;
mod domain;
mod functions;
mod model;
mod procedures;

use super::*;

/// The tests that open a closed store's sled tree directly (`corruption.rs`, `chunk_files.rs`)
/// run one at a time, as they did in their own test binaries: sled 0.34 shares one lock
/// between the databases of a process, and a test's direct handle and its reopened database
/// stay clear of each other's.
fn serial() -> std::sync::MutexGuard<'static, ()> {
    static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());
    ONE_AT_A_TIME
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn assert_send_sync<T: Send + Sync>() {}

#[test]
fn a_raised_interrupt_stops_statements_and_changes_nothing() {
    let db = Database::in_memory().unwrap();
    db.query("CREATE (:Customer {id: 1})", Params::new())
        .unwrap();
    let flag = db.interrupt_handle();
    flag.raise();
    let interrupted = |r: Result<Rows>| matches!(r.and_then(Rows::into_result), Err(crate::Error::Exec(e)) if e.kind() == crate::exec::ExecErrorKind::Interrupted);
    assert!(interrupted(db.query(
        "UNWIND range(1, 1000000) AS x RETURN count(x)",
        Params::new()
    )));
    assert!(interrupted(db.query(
        "UNWIND range(1, 10) AS x CREATE (:Customer {id: x})",
        Params::new()
    )));
    let mut txn = db.begin_write().unwrap();
    assert!(interrupted(txn.execute_interruptible(
        "MATCH (c:Customer) SET c.seen = true",
        &Params::new(),
        &DateTime::now(),
        &flag
    )));
    txn.commit().unwrap();
    flag.clear();
    let rows = db
        .query_all(
            "MATCH (c:Customer) RETURN count(c) AS n, count(c.seen) AS seen",
            Params::new(),
        )
        .unwrap();
    assert_eq!(rows.rows[0].get::<i64>("n").unwrap(), 1);
    assert_eq!(rows.rows[0].get::<i64>("seen").unwrap(), 0);
}

#[test]
fn database_is_send_and_sync() {
    assert_send_sync::<Database>();
    assert_send_sync::<ReadTxn>();
    assert_send_sync::<WriteTxn>();
}

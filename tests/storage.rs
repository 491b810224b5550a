//! The shared store suite: every test runs on the in-memory and the sled-backed database, before
//! and after a checkpoint, so the overlay and the columnar base are held to the same answers.

mod common;

use cordial::db::GraphReadExt;
use cordial::storage::{Direction, GraphRead, GraphWrite};
use cordial::{Database, Value};

fn s(v: &str) -> Value {
    Value::String(v.to_owned())
}

on_both_stores!(create_and_read_back_across_checkpoint, |db: &Database| {
    let mut tx = db.begin_write()?;
    let alice = tx.add_node(
        &["Customer", "Vip"],
        &[
            ("id", s("c-1")),
            ("name", s("Alice")),
            ("score", Value::Int(7)),
        ],
    )?;
    let bob = tx.add_node(
        &["Staff"],
        &[("id", s("s-1")), ("active", Value::Bool(true))],
    )?;
    let serves = tx.add_relationship("SERVES", bob, alice, &[("role", s("owner"))])?;
    tx.commit()?;
    for round in 0..2 {
        let snap = db.begin_read();
        let node = snap.node(alice)?.expect("alice exists");
        assert_eq!(
            node.labels,
            vec!["Customer".to_owned(), "Vip".to_owned()],
            "round {round}"
        );
        assert_eq!(node.properties.get("name"), Some(&s("Alice")));
        assert_eq!(snap.find_nodes("Customer", "id", &s("c-1"))?, vec![alice]);
        assert_eq!(snap.find_nodes("Customer", "id", &s("c-2"))?, vec![]);
        let edges = snap.neighbours(alice, Some("SERVES"), Direction::Incoming)?;
        assert_eq!(edges.len(), 1);
        assert_eq!(edges[0].other, bob);
        assert_eq!(edges[0].rel, serves);
        assert_eq!(snap.neighbours(bob, None, Direction::Outgoing)?.len(), 1);
        assert_eq!(snap.neighbours(bob, None, Direction::Incoming)?.len(), 0);
        let rel = snap.relationship_value(serves)?.expect("relationship");
        assert_eq!(rel.properties.get("role"), Some(&s("owner")));
        assert_eq!(snap.count_nodes(None)?, 2);
        assert_eq!(snap.count_nodes(snap.label_id("Customer"))?, 1);
        assert_eq!(snap.count_relationships(None)?, 1);
        db.checkpoint()?;
    }
    Ok(())
});

on_both_stores!(updates_and_deletes_after_checkpoint, |db: &Database| {
    let mut tx = db.begin_write()?;
    let mut ids = Vec::new();
    for i in 0..10_000 {
        ids.push(tx.add_node(
            &["Customer"],
            &[("id", s(&format!("c-{i}"))), ("n", Value::Int(i))],
        )?);
    }
    for pair in ids.windows(2) {
        tx.add_relationship("REFERRED", pair[0], pair[1], &[])?;
    }
    tx.commit()?;
    db.checkpoint()?;
    let mut tx = db.begin_write()?;
    tx.set_property(ids[5], "id", s("renamed"))?;
    tx.set_property(ids[6], "n", Value::Null)?;
    tx.detach_delete_node(ids[7])?;
    let label = tx.intern_label("Churned")?;
    tx.add_label(ids[8], label)?;
    tx.commit()?;
    for _ in 0..2 {
        let snap = db.begin_read();
        assert_eq!(snap.find_nodes("Customer", "id", &s("c-5"))?, vec![]);
        assert_eq!(
            snap.find_nodes("Customer", "id", &s("renamed"))?,
            vec![ids[5]]
        );
        assert_eq!(snap.find_nodes("Customer", "id", &s("c-9"))?, vec![ids[9]]);
        assert_eq!(snap.property(ids[6], "n")?, Value::Null);
        assert!(!snap.node_exists(ids[7])?);
        assert_eq!(snap.neighbours(ids[6], None, Direction::Both)?.len(), 1);
        assert_eq!(snap.nodes_labelled("Churned")?, vec![ids[8]]);
        assert_eq!(snap.count_nodes(None)?, 9_999);
        assert_eq!(snap.count_relationships(None)?, 9_997);
        db.checkpoint()?;
    }
    Ok(())
});

on_both_stores!(rollback_and_savepoints_discard_changes, |db: &Database| {
    let mut tx = db.begin_write()?;
    let a = tx.add_node(&["A"], &[])?;
    tx.commit()?;
    let mut tx = db.begin_write()?;
    tx.set_property(a, "x", Value::Int(1))?;
    let savepoint = tx.savepoint();
    tx.set_property(a, "x", Value::Int(2))?;
    tx.add_node(&["B"], &[])?;
    tx.rollback_to(savepoint);
    assert_eq!(tx.property(a, "x")?, Value::Int(1));
    assert_eq!(tx.count_nodes(None)?, 1);
    tx.rollback();
    assert_eq!(db.begin_read().property(a, "x")?, Value::Null);
    Ok(())
});

on_both_stores!(snapshots_do_not_see_later_commits, |db: &Database| {
    let before = db.begin_read();
    let mut tx = db.begin_write()?;
    tx.add_node(&["A"], &[])?;
    tx.commit()?;
    assert_eq!(before.count_nodes(None)?, 0);
    db.checkpoint()?;
    assert_eq!(before.count_nodes(None)?, 0);
    assert_eq!(before.all_nodes()?.len(), 0);
    assert_eq!(db.begin_read().count_nodes(None)?, 1);
    Ok(())
});

on_both_stores!(delete_with_relationships_is_refused, |db: &Database| {
    let mut tx = db.begin_write()?;
    let a = tx.add_node(&["A"], &[])?;
    let b = tx.add_node(&["A"], &[])?;
    tx.add_relationship("T", a, b, &[])?;
    assert!(tx.delete_node(a).is_err());
    assert_eq!(tx.detach_delete_node(a)?, 1);
    tx.delete_node(b)?;
    tx.commit()?;
    assert_eq!(db.begin_read().count_nodes(None)?, 0);
    Ok(())
});

#[test]
fn reopen_replays_the_log_and_checkpoints() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    let (a, b);
    {
        let db = Database::open(&path).unwrap();
        let mut tx = db.begin_write().unwrap();
        a = tx.add_node(&["Customer"], &[("id", s("c-1"))]).unwrap();
        tx.commit().unwrap();
        db.checkpoint().unwrap();
        let mut tx = db.begin_write().unwrap();
        b = tx.add_node(&["Customer"], &[("id", s("c-2"))]).unwrap();
        tx.add_relationship("REFERRED", a, b, &[]).unwrap();
        tx.commit().unwrap();
        // Dropped without close: the second transaction lives only in the log.
    }
    let db = Database::open(&path).unwrap();
    let snap = db.begin_read();
    assert_eq!(
        snap.find_nodes("Customer", "id", &s("c-2")).unwrap(),
        vec![b]
    );
    assert_eq!(
        snap.neighbours(a, None, Direction::Outgoing).unwrap().len(),
        1
    );
    // A snapshot keeps the store open, as an `Arc` would.
    drop(snap);
    db.close().unwrap();
    let db = Database::open(&path).unwrap();
    assert_eq!(db.stats().unwrap().overlay_ops, 0);
    assert_eq!(db.begin_read().count_nodes(None).unwrap(), 2);
}

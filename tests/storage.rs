//! The shared store suite: every test runs on the in-memory and the sled-backed database, before
//! and after a checkpoint, so the overlay and the columnar base are held to the same answers.

mod common;

use cordial::{
    ConstraintKind, Database, Direction, GraphRead, GraphReadExt, GraphWrite, NodeId, RelId,
    StorageError, Value,
};

fn s(v: &str) -> Value {
    Value::String(v.to_owned().into())
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

// ---- values ---------------------------------------------------------------------------------

fn storage_error(e: impl Into<cordial::Error>) -> StorageError {
    match e.into() {
        cordial::Error::Storage(e) => e,
        other => panic!("expected a storage error, got {other}"),
    }
}

/// Writes every sample value as a node property (and a relationship property) and returns the ids.
fn write_samples(db: &Database) -> cordial::Result<(NodeId, RelId)> {
    let mut tx = db.begin_write()?;
    let props = common::sample_values();
    let props: Vec<(&str, Value)> = props.iter().map(|(k, v)| (*k, v.clone())).collect();
    let node = tx.add_node(&["Sample"], &props)?;
    let other = tx.add_node(&["Sample"], &[("int", Value::Int(0))])?;
    let rel = tx.add_relationship("HAS", node, other, &props)?;
    tx.commit()?;
    Ok((node, rel))
}

fn check_samples(db: &Database, node: NodeId, rel: RelId, when: &str) {
    let snap = db.begin_read();
    let stored = snap.node(node).unwrap().expect("sample node");
    let rel_value = snap.relationship_value(rel).unwrap().expect("sample rel");
    for (key, value) in common::sample_values() {
        let got = stored.properties.get(key).unwrap_or(&Value::Null);
        assert_eq!(
            common::exact(got),
            common::exact(&value),
            "node property {key} {when}"
        );
        assert_eq!(
            common::exact(&snap.property(node, key).unwrap()),
            common::exact(&value),
            "single node property {key} {when}"
        );
        let got = rel_value.properties.get(key).unwrap_or(&Value::Null);
        assert_eq!(
            common::exact(got),
            common::exact(&value),
            "relationship property {key} {when}"
        );
    }
    assert_eq!(stored.properties.len(), common::sample_values().len());
}

on_both_stores!(every_value_type_round_trips, |db: &Database| {
    let (node, rel) = write_samples(db)?;
    check_samples(db, node, rel, "in the overlay");
    db.checkpoint()?;
    check_samples(db, node, rel, "after a checkpoint");
    // A change to one property rewrites the group's chunks; the others must survive it.
    let mut tx = db.begin_write()?;
    tx.set_property(node, "unrelated", Value::Int(1))?;
    tx.commit()?;
    db.checkpoint()?;
    let mut tx = db.begin_write()?;
    tx.set_property(node, "unrelated", Value::Null)?;
    tx.commit()?;
    check_samples(db, node, rel, "after a second checkpoint");
    Ok(())
});

#[test]
fn every_value_type_survives_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    let (node, rel);
    {
        let db = Database::open(&path).unwrap();
        (node, rel) = write_samples(&db).unwrap();
    }
    let db = Database::open(&path).unwrap();
    check_samples(&db, node, rel, "after replaying the log");
    db.checkpoint().unwrap();
    db.close().unwrap();
    let db = Database::open(&path).unwrap();
    check_samples(&db, node, rel, "after reopening a checkpoint");
}

on_both_stores!(unstorable_values_are_refused, |db: &Database| {
    let mut tx = db.begin_write()?;
    let a = tx.add_node(&["A"], &[])?;
    let map = Value::Map([("k".to_owned(), Value::Int(1))].into_iter().collect());
    let err = tx.set_property(a, "m", map).unwrap_err();
    assert!(matches!(
        storage_error(err),
        StorageError::UnsupportedValue { .. }
    ));
    let nested = Value::List(vec![Value::List(vec![].into())].into());
    assert!(tx.set_property(a, "m", nested).is_err());
    tx.commit()?;
    assert_eq!(db.begin_read().property(a, "m")?, Value::Null);
    Ok(())
});

// ---- labels ---------------------------------------------------------------------------------

on_both_stores!(labels_are_added_and_removed, |db: &Database| {
    let mut tx = db.begin_write()?;
    let a = tx.add_node(&["Customer"], &[("id", s("a"))])?;
    let b = tx.add_node(&["Customer", "Vip"], &[("id", s("b"))])?;
    tx.commit()?;
    for round in 0..3 {
        let mut tx = db.begin_write()?;
        match round {
            0 => {
                assert!(tx.label_node(a, "Vip")?);
                assert!(!tx.label_node(a, "Vip")?);
                assert!(tx.unlabel_node(b, "Customer")?);
                assert!(!tx.unlabel_node(b, "Customer")?);
                assert!(!tx.unlabel_node(b, "NeverSeen")?);
            }
            1 => {
                assert!(tx.unlabel_node(a, "Vip")?);
                assert!(tx.label_node(b, "Customer")?);
            }
            _ => {
                assert!(tx.unlabel_node(a, "Customer")?);
                assert!(tx.unlabel_node(b, "Vip")?);
            }
        }
        tx.commit()?;
        for _ in 0..2 {
            let snap = db.begin_read();
            let labels = |n| {
                let mut l = snap.node(n).unwrap().unwrap().labels;
                l.sort();
                l
            };
            let (vip, customer) = (snap.label_id("Vip"), snap.label_id("Customer"));
            match round {
                0 => {
                    assert_eq!(labels(a), ["Customer", "Vip"]);
                    assert_eq!(labels(b), ["Vip"]);
                    assert_eq!(snap.nodes_labelled("Vip")?, vec![a, b]);
                    assert_eq!(snap.nodes_labelled("Customer")?, vec![a]);
                    assert_eq!(snap.find_nodes("Customer", "id", &s("b"))?, vec![]);
                    assert_eq!(snap.find_nodes("Vip", "id", &s("a"))?, vec![a]);
                    assert_eq!(snap.count_nodes(vip)?, 2);
                    assert_eq!(snap.count_nodes(customer)?, 1);
                }
                1 => {
                    assert_eq!(labels(a), ["Customer"]);
                    assert_eq!(labels(b), ["Customer", "Vip"]);
                    assert_eq!(snap.nodes_labelled("Vip")?, vec![b]);
                    assert_eq!(snap.find_nodes("Customer", "id", &s("b"))?, vec![b]);
                    assert_eq!(snap.find_nodes("Vip", "id", &s("a"))?, vec![]);
                    assert_eq!(snap.count_nodes(vip)?, 1);
                    assert_eq!(snap.count_nodes(customer)?, 2);
                }
                _ => {
                    assert!(labels(a).is_empty());
                    assert_eq!(labels(b), ["Customer"]);
                    assert_eq!(snap.nodes_labelled("Vip")?, vec![]);
                    assert_eq!(snap.nodes_labelled("Customer")?, vec![b]);
                    assert_eq!(snap.find_nodes("Customer", "id", &s("a"))?, vec![]);
                    assert_eq!(snap.count_nodes(vip)?, 0);
                    assert_eq!(snap.count_nodes(customer)?, 1);
                    assert_eq!(snap.count_nodes(None)?, 2);
                }
            }
            db.checkpoint()?;
        }
    }
    Ok(())
});

// ---- indexes --------------------------------------------------------------------------------

on_both_stores!(index_lookups_follow_updates_and_deletes, |db: &Database| {
    let mut tx = db.begin_write()?;
    let a = tx.add_node(&["Customer"], &[("id", Value::Int(1))])?;
    let b = tx.add_node(&["Customer"], &[("id", Value::Float(2.0))])?;
    let c = tx.add_node(&["Customer"], &[("id", s("c"))])?;
    let d = tx.add_node(&["Customer"], &[("id", Value::Int(1))])?;
    tx.commit()?;
    let check = |db: &Database, expect: &[(Value, Vec<NodeId>)]| -> cordial::Result<()> {
        let snap = db.begin_read();
        for (value, ids) in expect {
            assert_eq!(
                &snap.find_nodes("Customer", "id", value)?,
                ids,
                "lookup of {value:?}"
            );
        }
        Ok(())
    };
    for _ in 0..2 {
        check(
            db,
            &[
                (Value::Int(1), vec![a, d]),
                (Value::Float(1.0), vec![a, d]),
                (Value::Int(2), vec![b]),
                (Value::Float(2.0), vec![b]),
                (Value::Float(1.5), vec![]),
                (s("c"), vec![c]),
                (s("1"), vec![]),
                (Value::Null, vec![]),
            ],
        )?;
        db.checkpoint()?;
    }
    let mut tx = db.begin_write()?;
    tx.set_property(a, "id", Value::Int(2))?;
    tx.delete_node(d)?;
    tx.set_property(c, "id", Value::Null)?;
    tx.commit()?;
    for _ in 0..2 {
        check(
            db,
            &[
                (Value::Int(1), vec![]),
                (Value::Float(2.0), vec![a, b]),
                (s("c"), vec![]),
            ],
        )?;
        db.checkpoint()?;
    }
    let mut tx = db.begin_write()?;
    tx.set_property(c, "id", Value::Float(1.0))?;
    tx.commit()?;
    check(db, &[(Value::Int(1), vec![c])])?;
    db.checkpoint()?;
    check(db, &[(Value::Int(1), vec![c])])?;
    Ok(())
});

on_both_stores!(user_indexes_are_created_and_dropped, |db: &Database| {
    let mut tx = db.begin_write()?;
    let mut ids = Vec::new();
    for i in 0..50 {
        ids.push(tx.add_node(
            &["Customer"],
            &[
                ("id", Value::Int(i)),
                ("city", s(["Oslo", "Rome"][(i % 2) as usize])),
            ],
        )?);
    }
    tx.commit()?;
    db.checkpoint()?;
    let oslo: Vec<NodeId> = ids.iter().copied().step_by(2).collect();
    let mut tx = db.begin_write()?;
    let name = tx.create_index(None, "Customer", "city")?;
    assert_eq!(name, "index_Customer_city");
    assert!(matches!(
        storage_error(
            tx.create_index(Some("other"), "Customer", "city")
                .unwrap_err()
        ),
        StorageError::AlreadyExists { .. }
    ));
    assert_eq!(tx.find_nodes("Customer", "city", &s("Oslo"))?, oslo);
    tx.commit()?;
    let snap = db.begin_read();
    let (label, key) = (
        snap.label_id("Customer").unwrap(),
        snap.key_id("city").unwrap(),
    );
    assert!(
        snap.has_index(label, key),
        "the index is built once committed"
    );
    assert_eq!(snap.find_nodes("Customer", "city", &s("Oslo"))?, oslo);
    let info = snap.indexes();
    let mine = info.iter().find(|i| i.name == name).expect("listed");
    assert!(!mine.implicit && mine.online);
    assert!(
        info.iter()
            .any(|i| i.implicit && i.label == "Customer" && i.key == "id")
    );
    drop(snap);
    // Updates after the build reach the index.
    let mut tx = db.begin_write()?;
    tx.set_property(ids[0], "city", s("Rome"))?;
    let new = tx.add_node(&["Customer"], &[("city", s("Oslo"))])?;
    tx.commit()?;
    let mut expect: Vec<NodeId> = oslo[1..].to_vec();
    expect.push(new);
    for _ in 0..2 {
        assert_eq!(
            db.begin_read().find_nodes("Customer", "city", &s("Oslo"))?,
            expect
        );
        db.checkpoint()?;
    }
    // Implicit indexes refuse to drop; unknown names are reported.
    let mut tx = db.begin_write()?;
    let implicit = tx.indexes().into_iter().find(|i| i.implicit).unwrap().name;
    assert!(matches!(
        storage_error(tx.drop_index(&implicit).unwrap_err()),
        StorageError::Protected(_)
    ));
    assert!(matches!(
        storage_error(tx.drop_index("nope").unwrap_err()),
        StorageError::NoSuchSchemaObject { .. }
    ));
    tx.drop_index(&name)?;
    tx.commit()?;
    for _ in 0..2 {
        let snap = db.begin_read();
        assert!(!snap.has_index(label, key));
        assert!(!snap.indexes().iter().any(|i| i.name == name));
        // Without the index the lookup scans and still answers.
        assert_eq!(snap.find_nodes("Customer", "city", &s("Oslo"))?, expect);
        db.checkpoint()?;
    }
    // The name is free again.
    let mut tx = db.begin_write()?;
    tx.create_index(None, "Customer", "city")?;
    tx.commit()?;
    assert_eq!(
        db.begin_read().find_nodes("Customer", "city", &s("Oslo"))?,
        expect
    );
    Ok(())
});

#[test]
fn user_index_survives_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    let a;
    {
        let db = Database::open(&path).unwrap();
        let mut tx = db.begin_write().unwrap();
        a = tx.add_node(&["P"], &[("email", s("x@y"))]).unwrap();
        tx.commit().unwrap();
        db.checkpoint().unwrap();
        let mut tx = db.begin_write().unwrap();
        tx.create_index(Some("by_email"), "P", "email").unwrap();
        tx.commit().unwrap();
        let mut tx = db.begin_write().unwrap();
        tx.set_property(a, "email", s("z@y")).unwrap();
        tx.commit().unwrap();
    }
    let db = Database::open(&path).unwrap();
    let snap = db.begin_read();
    assert!(
        snap.indexes()
            .iter()
            .any(|i| i.name == "by_email" && i.online)
    );
    assert_eq!(snap.find_nodes("P", "email", &s("z@y")).unwrap(), vec![a]);
    assert_eq!(snap.find_nodes("P", "email", &s("x@y")).unwrap(), vec![]);
}

// ---- constraints ----------------------------------------------------------------------------

on_both_stores!(unique_constraint_rejects_duplicates, |db: &Database| {
    let mut tx = db.begin_write()?;
    let a = tx.add_node(&["Customer"], &[("email", s("a@x")), ("n", Value::Int(1))])?;
    tx.commit()?;
    let mut tx = db.begin_write()?;
    let name = tx.create_constraint(None, "Customer", "email", ConstraintKind::Unique)?;
    tx.commit()?;
    for round in 0..2 {
        let before = db.stats()?;
        // A duplicate in a new node.
        let mut tx = db.begin_write()?;
        tx.add_node(&["Other"], &[("email", s("a@x"))])?;
        let dup = tx.add_node(&["Customer"], &[("email", s("a@x"))])?;
        let err = storage_error(tx.commit().unwrap_err());
        assert!(
            matches!(&err, StorageError::UniqueViolation { node, .. } if *node == a.0),
            "round {round}: {err}"
        );
        let snap = db.begin_read();
        assert!(!snap.node_exists(dup)?);
        assert_eq!(snap.count_nodes(None)?, 1);
        assert_eq!(db.stats()?.last_sequence, before.last_sequence);
        // A duplicate made by adding a label, or by setting the property.
        let mut tx = db.begin_write()?;
        let b = tx.add_node(&["Other"], &[("email", s("a@x"))])?;
        tx.commit()?;
        let mut tx = db.begin_write()?;
        tx.label_node(b, "Customer")?;
        assert!(matches!(
            storage_error(tx.commit().unwrap_err()),
            StorageError::UniqueViolation { .. }
        ));
        let mut tx = db.begin_write()?;
        let c = tx.add_node(&["Customer"], &[("email", s("c@x"))])?;
        tx.commit()?;
        let mut tx = db.begin_write()?;
        tx.set_property(c, "email", s("a@x"))?;
        tx.set_property(c, "n", Value::Int(5))?;
        assert!(tx.commit().is_err());
        let snap = db.begin_read();
        assert_eq!(snap.property(c, "email")?, s("c@x"));
        assert_eq!(snap.property(c, "n")?, Value::Null);
        assert!(!snap.node_has_label(b, snap.label_id("Customer").unwrap())?);
        // Moving the value from one node to another in one transaction is fine.
        let mut tx = db.begin_write()?;
        tx.set_property(a, "email", s("moved"))?;
        tx.set_property(c, "email", s("a@x"))?;
        tx.commit()?;
        let mut tx = db.begin_write()?;
        tx.set_property(c, "email", s("c@x"))?;
        tx.set_property(a, "email", s("a@x"))?;
        tx.detach_delete_node(b)?;
        tx.detach_delete_node(c)?;
        tx.commit()?;
        db.checkpoint()?;
    }
    // Creating a unique constraint over duplicated data fails and creates nothing.
    let mut tx = db.begin_write()?;
    tx.add_node(&["Customer"], &[("n", Value::Int(1))])?;
    tx.commit()?;
    let mut tx = db.begin_write()?;
    assert!(matches!(
        storage_error(
            tx.create_constraint(None, "Customer", "n", ConstraintKind::Unique)
                .unwrap_err()
        ),
        StorageError::UniqueViolation { .. }
    ));
    tx.commit()?;
    assert_eq!(db.begin_read().constraints().len(), 1);
    let mut tx = db.begin_write()?;
    tx.drop_constraint(&name)?;
    tx.add_node(&["Customer"], &[("email", s("a@x"))])?;
    tx.commit()?;
    assert_eq!(
        db.begin_read()
            .find_nodes("Customer", "email", &s("a@x"))?
            .len(),
        2
    );
    Ok(())
});

on_both_stores!(
    not_null_constraint_rejects_missing_values,
    |db: &Database| {
        let mut tx = db.begin_write()?;
        let a = tx.add_node(&["Customer"], &[("name", s("a"))])?;
        let b = tx.add_node(&["Lead"], &[])?;
        tx.commit()?;
        db.checkpoint()?;
        let mut tx = db.begin_write()?;
        tx.create_constraint(
            Some("name_required"),
            "Customer",
            "name",
            ConstraintKind::NotNull,
        )?;
        tx.commit()?;
        for attempt in 0..3 {
            let mut tx = db.begin_write()?;
            match attempt {
                0 => {
                    tx.add_node(&["Customer"], &[])?;
                }
                1 => {
                    tx.set_property(a, "name", Value::Null)?;
                }
                _ => {
                    tx.label_node(b, "Customer")?;
                }
            }
            let err = storage_error(tx.commit().unwrap_err());
            assert!(
                matches!(&err, StorageError::NotNullViolation { key, .. } if key == "name"),
                "attempt {attempt}: {err}"
            );
        }
        let snap = db.begin_read();
        assert_eq!(snap.count_nodes(None)?, 2);
        assert_eq!(snap.property(a, "name")?, s("a"));
        assert_eq!(snap.nodes_labelled("Customer")?, vec![a]);
        // Creating a constraint over data that violates it fails.
        let mut tx = db.begin_write()?;
        assert!(matches!(
            storage_error(
                tx.create_constraint(None, "Lead", "name", ConstraintKind::NotNull)
                    .unwrap_err()
            ),
            StorageError::NotNullViolation { .. }
        ));
        tx.rollback();
        assert_eq!(db.begin_read().constraints().len(), 1);
        Ok(())
    }
);

#[test]
fn constraints_survive_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    {
        let db = Database::open(&path).unwrap();
        let mut tx = db.begin_write().unwrap();
        tx.add_node(&["C"], &[("k", Value::Int(1))]).unwrap();
        tx.create_constraint(None, "C", "k", ConstraintKind::Unique)
            .unwrap();
        tx.commit().unwrap();
    }
    for _ in 0..2 {
        let db = Database::open(&path).unwrap();
        let mut tx = db.begin_write().unwrap();
        tx.add_node(&["C"], &[("k", Value::Float(1.0))]).unwrap();
        assert!(matches!(
            storage_error(tx.commit().unwrap_err()),
            StorageError::UniqueViolation { .. }
        ));
        db.close().unwrap();
    }
}

// ---- relationships --------------------------------------------------------------------------

on_both_stores!(self_loops_and_multiple_types, |db: &Database| {
    let mut tx = db.begin_write()?;
    let a = tx.add_node(&["N"], &[])?;
    let b = tx.add_node(&["N"], &[])?;
    let lp = tx.add_relationship("LOOP", a, a, &[("w", Value::Int(1))])?;
    let knows = tx.add_relationship("KNOWS", a, b, &[])?;
    let likes = tx.add_relationship("LIKES", b, a, &[])?;
    let owns = tx.add_relationship("OWNS", a, b, &[])?;
    tx.commit()?;
    for round in 0..3 {
        let snap = db.begin_read();
        let t = |name: &str| snap.type_id(name).unwrap();
        let rels = |dir, types: &[u32]| {
            let mut out = Vec::new();
            snap.expand(a, dir, types, &mut out).unwrap();
            let mut ids: Vec<RelId> = out.iter().map(|e| e.rel).collect();
            ids.sort();
            ids
        };
        let mut all = vec![lp, knows, likes, owns];
        all.sort();
        assert_eq!(rels(Direction::Both, &[]), all, "round {round}");
        let mut outgoing = vec![lp, knows, owns];
        outgoing.sort();
        assert_eq!(rels(Direction::Outgoing, &[]), outgoing);
        let mut incoming = vec![lp, likes];
        incoming.sort();
        assert_eq!(rels(Direction::Incoming, &[]), incoming);
        assert_eq!(rels(Direction::Both, &[t("LOOP")]), vec![lp]);
        let mut two = vec![knows, likes];
        two.sort();
        assert_eq!(rels(Direction::Both, &[t("KNOWS"), t("LIKES")]), two);
        assert_eq!(
            rels(Direction::Outgoing, &[t("KNOWS"), t("LIKES")]),
            vec![knows]
        );
        let mut out = Vec::new();
        snap.expand(a, Direction::Both, &[t("LOOP")], &mut out)?;
        assert_eq!(out[0].other, a);
        assert_eq!(snap.count_relationships(None)?, 4);
        assert_eq!(snap.count_relationships(Some(t("LOOP")))?, 1);
        assert_eq!(snap.count_relationships(Some(t("OWNS")))?, 1);
        assert_eq!(snap.count_nodes(snap.label_id("N"))?, 2);
        drop(snap);
        if round == 1 {
            let mut tx = db.begin_write()?;
            tx.set_rel_property_by_name(lp)?;
            tx.commit()?;
        }
        db.checkpoint()?;
    }
    let snap = db.begin_read();
    assert_eq!(
        snap.rel_property(lp, snap.key_id("w").unwrap())?,
        Value::Int(2)
    );
    drop(snap);
    let mut tx = db.begin_write()?;
    assert_eq!(tx.detach_delete_node(a)?, 4);
    tx.commit()?;
    for _ in 0..2 {
        let snap = db.begin_read();
        assert_eq!(snap.count_relationships(None)?, 0);
        assert!(snap.all_relationships()?.is_empty());
        assert!(snap.neighbours(b, None, Direction::Both)?.is_empty());
        db.checkpoint()?;
    }
    Ok(())
});

trait SetW {
    fn set_rel_property_by_name(&mut self, rel: RelId) -> cordial::Result<()>;
}

impl SetW for cordial::WriteTxn {
    fn set_rel_property_by_name(&mut self, rel: RelId) -> cordial::Result<()> {
        let key = self.intern_key("w")?;
        Ok(self.set_rel_property(rel, key, Value::Int(2))?)
    }
}

on_both_stores!(counts_per_label_and_type, |db: &Database| {
    let mut tx = db.begin_write()?;
    let mut customers = Vec::new();
    for i in 0..30 {
        let labels: &[&str] = if i % 3 == 0 {
            &["Customer", "Vip"]
        } else {
            &["Customer"]
        };
        customers.push(tx.add_node(labels, &[("id", Value::Int(i))])?);
    }
    let staff = tx.add_node(&["Staff"], &[])?;
    for (i, c) in customers.iter().enumerate() {
        tx.add_relationship(if i % 2 == 0 { "SERVES" } else { "CALLED" }, staff, *c, &[])?;
    }
    tx.commit()?;
    let check = |db: &Database, c: u64, v: u64, serves: u64, called: u64| -> cordial::Result<()> {
        let snap = db.begin_read();
        assert_eq!(snap.count_nodes(snap.label_id("Customer"))?, c);
        assert_eq!(snap.count_nodes(snap.label_id("Vip"))?, v);
        assert_eq!(snap.count_nodes(snap.label_id("Staff"))?, 1);
        assert_eq!(snap.count_nodes(None)?, c + 1);
        assert_eq!(snap.count_nodes(None)?, snap.all_nodes()?.len() as u64);
        assert_eq!(
            snap.count_nodes(snap.label_id("Vip"))?,
            snap.nodes_labelled("Vip")?.len() as u64
        );
        assert_eq!(snap.count_relationships(snap.type_id("SERVES"))?, serves);
        assert_eq!(snap.count_relationships(snap.type_id("CALLED"))?, called);
        assert_eq!(snap.count_relationships(None)?, serves + called);
        assert_eq!(
            snap.count_relationships(None)?,
            snap.all_relationships()?.len() as u64
        );
        Ok(())
    };
    check(db, 30, 10, 15, 15)?;
    db.checkpoint()?;
    check(db, 30, 10, 15, 15)?;
    let mut tx = db.begin_write()?;
    tx.detach_delete_node(customers[0])?; // Vip, SERVES
    tx.detach_delete_node(customers[1])?; // CALLED
    tx.unlabel_node(customers[3], "Vip")?;
    tx.commit()?;
    check(db, 28, 8, 14, 14)?;
    db.checkpoint()?;
    check(db, 28, 8, 14, 14)?;
    Ok(())
});

// ---- opening ----------------------------------------------------------------------------------

#[test]
fn read_only_open_refuses_writes_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    let a;
    {
        let db = Database::open(&path).unwrap();
        let mut tx = db.begin_write().unwrap();
        a = tx.add_node(&["A"], &[("id", s("a"))]).unwrap();
        tx.commit().unwrap();
        db.checkpoint().unwrap();
        // One more transaction left in the log: a read-only open replays it without folding it.
        let mut tx = db.begin_write().unwrap();
        tx.set_property(a, "x", Value::Int(1)).unwrap();
        tx.commit().unwrap();
    }
    let before = common::fingerprint(&path);
    {
        let db = Database::open_read_only(&path).unwrap();
        assert!(db.is_read_only());
        let snap = db.begin_read();
        assert_eq!(snap.property(a, "x").unwrap(), Value::Int(1));
        assert_eq!(snap.find_nodes("A", "id", &s("a")).unwrap(), vec![a]);
        assert!(matches!(
            storage_error(db.begin_write().err().unwrap()),
            StorageError::ReadOnly
        ));
        assert!(matches!(
            storage_error(db.checkpoint().unwrap_err()),
            StorageError::ReadOnly
        ));
        drop(snap);
        db.close().unwrap();
    }
    let after = common::fingerprint(&path);
    assert_eq!(
        before.iter().map(|(p, b)| (p, b.len())).collect::<Vec<_>>(),
        after.iter().map(|(p, b)| (p, b.len())).collect::<Vec<_>>()
    );
    assert!(before == after, "a read-only open changed the directory");
    // A read-only open of a missing database does not create one.
    let missing = dir.path().join("missing");
    assert!(matches!(
        storage_error(Database::open_read_only(&missing).err().unwrap()),
        StorageError::NotFound { .. }
    ));
    assert!(!missing.exists());
}

const LOCK_CHILD_ENV: &str = "CORDIAL_TEST_LOCK_CHILD";

/// Run as a child process by `second_process_is_locked_out`: opens the database named by the
/// environment and prints what happened. Without the variable it does nothing.
#[test]
fn lock_child() {
    let Ok(path) = std::env::var(LOCK_CHILD_ENV) else {
        return;
    };
    let outcome = match Database::open(&path) {
        Ok(_) => "opened".to_owned(),
        Err(cordial::Error::Storage(StorageError::Locked { .. })) => "locked".to_owned(),
        Err(e) => format!("error: {e}"),
    };
    let read_only = match Database::open_read_only(&path) {
        Ok(_) => "opened".to_owned(),
        Err(cordial::Error::Storage(StorageError::Locked { .. })) => "locked".to_owned(),
        Err(e) => format!("error: {e}"),
    };
    println!("CHILD-OUTCOME {outcome} {read_only}");
}

#[test]
fn second_process_is_locked_out() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    let db = Database::open(&path).unwrap();
    let output = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "lock_child", "--nocapture", "--test-threads=1"])
        .env(LOCK_CHILD_ENV, &path)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "child failed: {stdout}");
    assert!(
        stdout.contains("CHILD-OUTCOME locked locked"),
        "child output: {stdout}"
    );
    // Once closed, the other process may open it.
    db.close().unwrap();
    let output = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "lock_child", "--nocapture", "--test-threads=1"])
        .env(LOCK_CHILD_ENV, &path)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("CHILD-OUTCOME opened opened"),
        "child output: {stdout}"
    );
}

#[test]
fn foreign_directories_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let open = |p: &std::path::Path| storage_error(Database::open(p).err().expect("refused"));
    // A directory holding other files.
    let other = dir.path().join("other");
    std::fs::create_dir(&other).unwrap();
    std::fs::write(other.join("notes.txt"), "hello").unwrap();
    assert!(matches!(
        open(&other),
        StorageError::ForeignDirectory { .. }
    ));
    assert!(!other.join("store").exists());
    // A file.
    let file = dir.path().join("file");
    std::fs::write(&file, "data").unwrap();
    assert!(matches!(open(&file), StorageError::ForeignDirectory { .. }));
    // A CORDIAL marker that is not ours.
    let marker = dir.path().join("marker");
    std::fs::create_dir(&marker).unwrap();
    std::fs::write(marker.join("CORDIAL"), "something else\n").unwrap();
    assert!(matches!(
        open(&marker),
        StorageError::ForeignDirectory { .. }
    ));
    std::fs::write(marker.join("CORDIAL"), "cordial database\n").unwrap();
    assert!(matches!(
        open(&marker),
        StorageError::ForeignDirectory { .. }
    ));
    std::fs::write(marker.join("CORDIAL"), [0xff, 0xfe, 0x00]).unwrap();
    assert!(Database::open(&marker).is_err());
    // Another format version.
    let newer = dir.path().join("newer");
    std::fs::create_dir(&newer).unwrap();
    std::fs::write(
        newer.join("CORDIAL"),
        "cordial database\nformat_version = 99\n",
    )
    .unwrap();
    assert!(matches!(
        open(&newer),
        StorageError::UnsupportedFormat { found: 99, .. }
    ));
    // A real database whose marker was rewritten by a newer build.
    let real = dir.path().join("real");
    Database::open(&real).unwrap().close().unwrap();
    std::fs::write(
        real.join("CORDIAL"),
        "cordial database\nformat_version = 3\n",
    )
    .unwrap();
    assert!(matches!(
        open(&real),
        StorageError::UnsupportedFormat { found: 3, .. }
    ));
    // A database directory whose store was removed is not silently recreated as empty... or is
    // at least opened without a panic.
    let gutted = dir.path().join("gutted");
    Database::open(&gutted).unwrap().close().unwrap();
    std::fs::remove_dir_all(gutted.join("store")).unwrap();
    let _ = Database::open(&gutted);
}

/// Regression: dropping a sled database does not release its file lock at once (sled's
/// background threads hold the files a moment longer), so reopening right after a drop or
/// close failed now and then with `Locked`, first seen in the model test under load. A reopen
/// in the same process now waits for sled to let go; a store still open here is `Locked` at once.
#[test]
fn reopen_right_after_drop_in_the_same_process() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    for i in 0..40 {
        let db = Database::open(&path).unwrap();
        assert!(matches!(
            storage_error(Database::open(&path).err().expect("second open refused")),
            StorageError::Locked { .. }
        ));
        assert!(matches!(
            storage_error(Database::open_read_only(&path).err().expect("refused")),
            StorageError::Locked { .. }
        ));
        let mut tx = db.begin_write().unwrap();
        tx.add_node(&["N"], &[("i", Value::Int(i))]).unwrap();
        tx.commit().unwrap();
        if i % 2 == 0 {
            db.close().unwrap();
        } else {
            drop(db);
        }
    }
    let db = Database::open_read_only(&path).unwrap();
    // Read-only opens share the directory with each other, not with a writer.
    let other = Database::open_read_only(&path).unwrap();
    assert!(matches!(
        storage_error(Database::open(&path).err().expect("writer refused")),
        StorageError::Locked { .. }
    ));
    assert_eq!(db.begin_read().count_nodes(None).unwrap(), 40);
    assert_eq!(other.begin_read().count_nodes(None).unwrap(), 40);
}

// Regression: a node's labels came back in the order they were added while in the overlay,
// but ascending by label id once checkpointed (the base stores one bitmap per label), so
// `labels(n)` changed with no write. They are now ascending by id everywhere.
on_both_stores!(labels_keep_one_order_across_checkpoints, |db: &Database| {
    let mut tx = db.begin_write()?;
    tx.intern_label("A")?;
    tx.intern_label("B")?;
    tx.intern_label("C")?;
    let n = tx.add_node(&["C", "A"], &[])?;
    tx.label_node(n, "B")?;
    tx.commit()?;
    let before = db.begin_read().node(n)?.unwrap().labels;
    db.checkpoint()?;
    let after = db.begin_read().node(n)?.unwrap().labels;
    assert_eq!(before, after, "a checkpoint reordered the labels");
    let mut tx = db.begin_write()?;
    tx.set_property(n, "x", Value::Int(1))?;
    assert_eq!(tx.node(n)?.unwrap().labels, after);
    tx.commit()?;
    Ok(())
});

// Regression (sled): with sled's default 512 KiB segments, the flush after this test's large
// transactions waited forever most times (also `updates_and_deletes_after_checkpoint`); new
// stores now use 16 MiB segments.
on_both_stores!(index_pages_split_and_merge, |db: &Database| {
    // Enough entries for several index pages, then changes that overfill some pages (which
    // split), empty others, and move entries between them.
    const N: i64 = 20_000;
    let mut ids = Vec::new();
    for part in 0..N / 1000 {
        let mut tx = db.begin_write()?;
        for i in part * 1000..(part + 1) * 1000 {
            ids.push(tx.add_node(
                &["P"],
                &[("id", Value::Int(i * 2)), ("bucket", Value::Int(i % 7))],
            )?);
        }
        tx.commit()?;
    }
    let mut tx = db.begin_write()?;
    tx.create_index(None, "P", "bucket")?;
    tx.commit()?;
    db.checkpoint()?;
    let mut tx = db.begin_write()?;
    for i in 0..N {
        let n = ids[i as usize];
        match i % 10 {
            0 => tx.set_property(n, "id", Value::Int(i * 2 + 1))?, // move between neighbours
            1 if i < N / 2 => tx.set_property(n, "id", Value::Int(3))?, // pile onto one key
            2 if i > N / 2 => tx.delete_node(n)?,
            3 => tx.set_property(n, "bucket", Value::Null)?,
            _ => {}
        }
    }
    for i in 0..9_000 {
        tx.add_node(
            &["P"],
            &[
                ("id", Value::Int(7_000 + (i % 100))),
                ("bucket", Value::Int(99)),
            ],
        )?;
    }
    tx.commit()?;
    for round in 0..2 {
        let snap = db.begin_read();
        let mut expect_id: std::collections::BTreeMap<i64, usize> = Default::default();
        let mut expect_bucket: std::collections::BTreeMap<i64, usize> = Default::default();
        for n in snap.nodes_labelled("P")? {
            if let Value::Int(v) = snap.property(n, "id")? {
                *expect_id.entry(v).or_default() += 1;
            }
            if let Value::Int(v) = snap.property(n, "bucket")? {
                *expect_bucket.entry(v).or_default() += 1;
            }
        }
        for v in -1..(N * 2 + 2) {
            let found = snap.find_nodes("P", "id", &Value::Int(v))?;
            assert_eq!(
                found.len(),
                expect_id.get(&v).copied().unwrap_or(0),
                "id {v}, round {round}"
            );
            for n in found {
                assert_eq!(snap.property(n, "id")?, Value::Int(v));
            }
        }
        for v in [0, 3, 6, 7, 99] {
            let found = snap.find_nodes("P", "bucket", &Value::Int(v))?;
            assert_eq!(
                found.len(),
                expect_bucket.get(&v).copied().unwrap_or(0),
                "bucket {v}"
            );
        }
        drop(snap);
        db.checkpoint()?;
    }
    Ok(())
});

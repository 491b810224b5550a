//! Micro-benchmarks of the storage engine: id lookup, one-hop expansion, property reads and a
//! small committed transaction, on a 100,000-node graph held in the columnar base.

use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;

use cordial::{Database, Direction, GraphRead, GraphReadExt, Value};

const CUSTOMERS: usize = 100_000;

fn build(db: &Database) -> Vec<cordial::NodeId> {
    let mut tx = db.begin_write().unwrap();
    let mut ids = Vec::with_capacity(CUSTOMERS);
    for i in 0..CUSTOMERS {
        ids.push(
            tx.add_node(
                &["Customer"],
                &[
                    ("id", Value::String(format!("cus-{i:06}").into())),
                    ("name", Value::String(format!("Customer {i}").into())),
                    ("score", Value::Int(i as i64 % 97)),
                ],
            )
            .unwrap(),
        );
    }
    for i in 0..CUSTOMERS {
        for d in [1, 7, 31] {
            tx.add_relationship("REFERRED", ids[i], ids[(i + d) % CUSTOMERS], &[])
                .unwrap();
        }
    }
    tx.commit().unwrap();
    db.checkpoint().unwrap();
    ids
}

fn storage(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let db = Database::open(dir.path().join("db")).unwrap();
    let ids = build(&db);
    let snap = db.begin_read();
    let key = Value::String("cus-054321".into());
    c.bench_function("lookup by id (index seek)", |b| {
        b.iter(|| black_box(snap.find_nodes("Customer", "id", black_box(&key)).unwrap()))
    });
    let mut edges = Vec::new();
    c.bench_function("one-hop expand (3 neighbours)", |b| {
        b.iter(|| {
            edges.clear();
            snap.expand(black_box(ids[54_321]), Direction::Outgoing, &[], &mut edges)
                .unwrap();
            black_box(edges.len())
        })
    });
    let name = snap.key_id("name").unwrap();
    c.bench_function("property read", |b| {
        b.iter(|| black_box(snap.node_property(black_box(ids[777]), name).unwrap()))
    });
    let mut n = 0i64;
    c.bench_function("small committed transaction (durable)", |b| {
        b.iter(|| {
            n += 1;
            let mut tx = db.begin_write().unwrap();
            let a = tx
                .add_node(&["Interaction"], &[("n", Value::Int(n))])
                .unwrap();
            tx.add_relationship("HAS_INTERACTION", ids[1], a, &[])
                .unwrap();
            tx.set_property(ids[2], "touched", Value::Int(n)).unwrap();
            tx.commit().unwrap();
        })
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30);
    targets = storage
}
criterion_main!(benches);

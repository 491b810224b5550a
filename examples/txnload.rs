use cordial::{Database, Value};
use std::time::Instant;
fn main() {
    let dir = tempfile::tempdir().unwrap();
    let db = Database::open(dir.path().join("db")).unwrap();
    let t = Instant::now();
    let mut tx = db.begin_write().unwrap();
    let mut ids = Vec::new();
    for i in 0..100_000 {
        ids.push(
            tx.add_node(
                &["Customer"],
                &[
                    ("id", Value::String(format!("cus-{i:06}"))),
                    ("score", Value::Int(i % 97)),
                ],
            )
            .unwrap(),
        );
    }
    for i in 0..100_000usize {
        for d in [1, 7, 31] {
            tx.add_relationship("REFERRED", ids[i], ids[(i + d) % 100_000], &[])
                .unwrap();
        }
    }
    println!("ops {:?}", t.elapsed());
    tx.commit().unwrap();
    println!("commit {:?}", t.elapsed());
    db.checkpoint().unwrap();
    println!("checkpoint {:?}", t.elapsed());
    let t = Instant::now();
    let mut tx = db.begin_write().unwrap();
    for i in (0..100_000).step_by(10) {
        tx.set_property(ids[i], "score", Value::Int(-1)).unwrap();
    }
    tx.commit().unwrap();
    println!("10k updates {:?}", t.elapsed());
    db.checkpoint().unwrap();
    println!(
        "checkpoint {:?} size {}",
        t.elapsed(),
        db.stats().unwrap().size_on_disk
    );
    drop(db);
    let t = Instant::now();
    let db = Database::open(dir.path().join("db")).unwrap();
    println!("reopen {:?}", t.elapsed());
    drop(db);
}

//! Embedding Cordial: open a database directory, write in a transaction, ask a parameterised
//! question, read typed rows. Run with `cargo run --example embed [DIR]`.

use cordial::{Database, params};
use serde::Deserialize;

/// One row of the answer, named like the query's columns.
#[derive(Debug, Deserialize)]
struct Coverage {
    customer: String,
    staff: Vec<String>,
}

fn main() -> cordial::Result<()> {
    let dir = std::env::args().nth(1).map_or_else(
        || std::env::temp_dir().join("cordial-embed-example"),
        Into::into,
    );
    let db = Database::open(&dir)?;

    // Writes go through a transaction; every statement in it is atomic on its own.
    let mut txn = db.begin_write()?;
    for (id, name) in [("cus-1", "Initech"), ("cus-2", "Globex")] {
        txn.execute_all(
            "MERGE (c:Customer {id: $id}) SET c.name = $name",
            params! {"id" => id, "name" => name},
        )?;
    }
    txn.execute_all(
        "MERGE (s:Staff {id: 'stf-1'}) SET s.name = 'Ann'
         WITH s MATCH (c:Customer) MERGE (s)-[:SERVES {role: 'account_manager'}]->(c)",
        params! {},
    )?;
    txn.commit()?;

    // Parameters, never string concatenation.
    let rows: Vec<Coverage> = db.query_as(
        "MATCH (c:Customer {id: $id}) OPTIONAL MATCH (s:Staff)-[:SERVES]->(c)
         RETURN c.name AS customer, collect(s.name) AS staff",
        params! {"id" => "cus-1"},
    )?;
    for row in &rows {
        println!("{} is served by {}", row.customer, row.staff.join(", "));
    }
    db.close()
}

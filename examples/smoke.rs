use cordial::{Database, params};
fn main() {
    let db = Database::in_memory().unwrap();
    for q in [
        "CREATE (a:Customer {id: 'c1', name: 'Acme', n: 3}), (b:Customer {id: 'c2', name: 'Beta', n: 5}), (s:Staff {id: 's1', name: 'Ann'}), (s)-[:SERVES {role: 'owner'}]->(a), (s)-[:SERVES]->(b)",
        "MATCH (c:Customer) RETURN c.name AS name, c.n * 2 AS double ORDER BY name DESC",
        "MATCH (s:Staff)-[r:SERVES]->(c) RETURN s.name, count(c) AS n, collect(c.name) AS names",
        "MATCH (c:Customer {id: $id}) RETURN c",
        "MATCH p = (s:Staff)-->(c) RETURN p LIMIT 1",
        "UNWIND [1, 2, 3] AS x WITH x WHERE x > 1 RETURN sum(x) AS s, avg(x) AS a",
        "MATCH (c:Customer) WHERE EXISTS { (c)<-[:SERVES {role: 'owner'}]-() } RETURN c.id",
        "MATCH (c:Customer) OPTIONAL MATCH (c)-[:X]->(y) RETURN c.id, y ORDER BY c.id",
        "EXPLAIN MATCH (s:Staff)-[:SERVES]->(c:Customer {id: 'c1'}) RETURN s",
        "MATCH (n) RETURN labels(n) AS l, count(*) AS c ORDER BY c DESC, l",
        "MERGE (x:Customer {id: 'c3'}) ON CREATE SET x.new = true RETURN x.new",
        "MATCH (c:Customer {id: 'c3'}) DETACH DELETE c",
        "RETURN date('2025-01-01') + duration('P1M') AS d, [x IN range(1,5) WHERE x % 2 = 1 | x * 10] AS l",
    ] {
        match db.query(q, params! {"id" => "c2"}) {
            Ok(r) => {
                println!("{q}\n  {:?}", r.columns);
                for row in &r.rows {
                    println!(
                        "  {}",
                        row.values()
                            .iter()
                            .map(|v| v.to_string())
                            .collect::<Vec<_>>()
                            .join(" | ")
                    );
                }
                if !r.stats.is_empty() {
                    println!("  {:?}", r.stats);
                }
            }
            Err(e) => println!("{q}\n  ERROR {e}"),
        }
    }
}

//! The query API end to end: typed rows, parameters, statement atomicity, EXPLAIN, PROFILE,
//! schema statements, and errors by kind, on both stores.

mod common;

use cordial::{Database, Error, ExecErrorKind, Map, PlanErrorKind, Value, params};

fn sample(db: &Database) -> cordial::Result<()> {
    db.query_all(
        "CREATE (a:Customer {id: 'c1', name: 'Acme', score: 3}), (b:Customer {id: 'c2', name: 'Beta', score: 5}),
                (s:Staff {id: 's1', name: 'Ann'}), (s)-[:SERVES {role: 'owner'}]->(a), (s)-[:SERVES]->(b)",
        Map::new(),
    )?;
    Ok(())
}

on_both_stores!(
    a_prepared_statement_runs_again_and_in_transactions,
    |db: &Database| {
        sample(db)?;
        let lookup = db.prepare("MATCH (c:Customer {id: $id}) RETURN c.name AS name")?;
        assert_eq!(
            lookup.text(),
            "MATCH (c:Customer {id: $id}) RETURN c.name AS name"
        );
        assert!(!lookup.is_explain() && lookup.transaction_control().is_none());
        for (id, name) in [("c1", "Acme"), ("c2", "Beta")] {
            let rows = db.run(&lookup, params! {"id" => id})?.into_result()?;
            assert_eq!(rows.rows[0].get::<&str>("name")?, name);
        }
        // A write prepared once, run twice in one transaction, then rolled back.
        let add = db.prepare("CREATE (:Customer {id: $id}) RETURN 1 AS made")?;
        let mut txn = db.begin_write()?;
        db.run_in(&mut txn, &add, &params! {"id" => "c3"})?
            .into_result()?;
        db.run_in(&mut txn, &add, &params! {"id" => "c4"})?
            .into_result()?;
        let count = db.prepare("MATCH (c:Customer) RETURN count(c) AS n")?;
        let inside = db.run_in(&mut txn, &count, &Map::new())?.into_result()?;
        assert_eq!(inside.rows[0].get::<i64>("n")?, 4);
        txn.rollback();
        let after = db.run(&count, Map::new())?.into_result()?;
        assert_eq!(after.rows[0].get::<i64>("n")?, 2);
        // Planned where it runs: after an index is made, the same statement seeks it.
        let by_name = db.prepare("EXPLAIN MATCH (c:Customer {name: $name}) RETURN c.id AS id")?;
        let plan = |db: &Database| -> cordial::Result<String> {
            let result = db
                .run(&by_name, params! {"name" => "Acme"})?
                .into_result()?;
            Ok(format!("{:?}", result.rows[0].values()))
        };
        assert!(!plan(db)?.contains("seek"), "{}", plan(db)?);
        db.query_all("CREATE INDEX FOR (c:Customer) ON (c.name)", Map::new())?;
        assert!(plan(db)?.contains("seek"), "{}", plan(db)?);
        assert!(db.prepare("EXPLAIN MATCH (n) RETURN n")?.is_explain());
        assert_eq!(
            db.prepare("COMMIT")?.transaction_control(),
            Some(cordial::TransactionControl::Commit)
        );
        match db.prepare("MATCH (n RETURN n") {
            Err(Error::Syntax(e)) => assert_eq!(e.line(), 1),
            other => panic!("expected a syntax error, got {other:?}"),
        }
        Ok(())
    }
);

on_both_stores!(typed_rows_and_parameters, |db: &Database| {
    sample(db)?;
    let result = db.query_all(
        "MATCH (c:Customer {id: $id}) RETURN c.name AS name, c.score AS score",
        params! {"id" => "c2"},
    )?;
    assert_eq!(result.columns, vec!["name", "score"]);
    assert_eq!(result.rows[0].get::<&str>("name")?, "Beta");
    assert_eq!(result.rows[0].get::<i64>("score")?, 5);
    #[derive(serde::Deserialize, Debug, PartialEq)]
    struct Served {
        staff: String,
        customers: i64,
    }
    let served: Vec<Served> = db.query_as(
        "MATCH (s:Staff)-[:SERVES]->(c) RETURN s.name AS staff, count(c) AS customers",
        Map::new(),
    )?;
    assert_eq!(
        served,
        vec![Served {
            staff: "Ann".into(),
            customers: 2
        }]
    );
    Ok(())
});

on_both_stores!(a_failed_statement_changes_nothing, |db: &Database| {
    sample(db)?;
    let mut txn = db.begin_write()?;
    txn.execute_all("CREATE (:Customer {id: 'c3'})", Map::new())?;
    // Fails at run time after creating a node: the statement is undone, the transaction lives.
    let err = txn
        .execute_all(
            "CREATE (:Customer {id: 'c4'}) WITH 1 AS one RETURN 1 / 0",
            Map::new(),
        )
        .unwrap_err();
    assert!(
        matches!(&err, Error::Exec(e) if e.kind() == ExecErrorKind::ArithmeticError),
        "{err}"
    );
    txn.commit()?;
    let ids = db.query_all(
        "MATCH (c:Customer) RETURN c.id AS id ORDER BY id",
        Map::new(),
    )?;
    let ids: Vec<&str> = ids
        .rows
        .iter()
        .map(|r| r.get::<&str>("id").unwrap())
        .collect();
    assert_eq!(ids, vec!["c1", "c2", "c3"]);
    Ok(())
});

on_both_stores!(explain_and_profile, |db: &Database| {
    sample(db)?;
    let plan = db.query_all(
        "EXPLAIN MATCH (c:Customer {id: 'c1'})<-[:SERVES]-(s) RETURN s.name",
        Map::new(),
    )?;
    let text: Vec<&str> = plan
        .rows
        .iter()
        .map(|r| r.get::<&str>("plan").unwrap())
        .collect();
    assert!(
        text[0].contains("index-seek") && text[0].contains("expand"),
        "{text:?}"
    );
    let profiled = db.query_all(
        "PROFILE MATCH (c:Customer) RETURN c.name AS name",
        Map::new(),
    )?;
    assert_eq!(profiled.len(), 2);
    let profile = profiled.profile.expect("a profile");
    assert!(
        profile.contains("rows in: 1")
            && profile.contains("rows in: 2")
            && profile.contains("2 rows out"),
        "{profile}"
    );
    Ok(())
});

on_both_stores!(schema_statements_and_constraints, |db: &Database| {
    sample(db)?;
    db.query_all(
        "CREATE INDEX customer_name FOR (c:Customer) ON (c.name)",
        Map::new(),
    )?;
    db.query_all(
        "CREATE CONSTRAINT staff_id FOR (s:Staff) REQUIRE s.id IS UNIQUE",
        Map::new(),
    )?;
    let indexes = db.query_all("SHOW INDEXES", Map::new())?;
    assert!(
        indexes
            .rows
            .iter()
            .any(|r| r.get::<&str>("name").unwrap() == "customer_name")
    );
    let constraints = db.query_all("SHOW CONSTRAINTS", Map::new())?;
    assert_eq!(constraints.len(), 1);
    let err = db
        .query_all("CREATE (:Staff {id: 's1'})", Map::new())
        .unwrap_err();
    assert!(
        matches!(&err, Error::Exec(e) if e.kind() == ExecErrorKind::ConstraintVerificationFailed)
            || matches!(err, Error::Storage(_)),
        "{err}"
    );
    assert_eq!(
        db.query_all("MATCH (s:Staff) RETURN count(*) AS n", Map::new())?
            .rows[0]
            .get::<i64>("n")?,
        1
    );
    let found = db.query_all(
        "MATCH (c:Customer) WHERE c.name = 'Acme' RETURN c.id AS id",
        Map::new(),
    )?;
    assert_eq!(found.rows[0].get::<&str>("id")?, "c1");
    Ok(())
});

on_both_stores!(errors_have_kinds_and_positions, |db: &Database| {
    let err = db
        .query_all("MATCH (n:Person RETURN n", Map::new())
        .unwrap_err();
    let Error::Syntax(syntax) = &err else {
        panic!("{err}")
    };
    assert_eq!((syntax.line(), syntax.column()), (1, 17));
    let err = db.query_all("MATCH (n) RETURN m", Map::new()).unwrap_err();
    assert!(
        matches!(&err, Error::Plan(p) if p.kind == PlanErrorKind::UndefinedVariable),
        "{err}"
    );
    let err = db.query_all("RETURN $missing", Map::new()).unwrap_err();
    assert!(
        matches!(&err, Error::Exec(e) if e.kind() == ExecErrorKind::ParameterMissing),
        "{err}"
    );
    Ok(())
});

on_both_stores!(procedures_compose_through_yield, |db: &Database| {
    sample(db)?;
    let labels = db.query_all(
        "CALL db.labels() YIELD label RETURN label ORDER BY label",
        Map::new(),
    )?;
    let labels: Vec<&str> = labels
        .rows
        .iter()
        .map(|r| r.get::<&str>("label").unwrap())
        .collect();
    assert_eq!(labels, vec!["Customer", "Staff"]);
    let counts = db.query_all("CALL db.nodeCounts()", Map::new())?;
    assert_eq!(counts.columns, vec!["label", "nodes"]);
    assert_eq!(counts.len(), 2);
    let big = db.query_all(
        "CALL db.nodeCounts() YIELD label AS l, nodes WHERE nodes > 1 RETURN l, nodes",
        Map::new(),
    )?;
    assert_eq!(big.rows[0].get::<&str>("l")?, "Customer");
    assert_eq!(big.rows[0].get::<i64>("nodes")?, 2);
    let types = db.query_all(
        "CALL db.relationshipTypes() YIELD relationshipType RETURN count(*) AS n",
        Map::new(),
    )?;
    assert_eq!(types.rows[0].get::<i64>("n")?, 1);
    let err = db.query_all("CALL db.nothing()", Map::new()).unwrap_err();
    assert!(
        matches!(&err, Error::Plan(p) if p.kind == PlanErrorKind::UnknownProcedure),
        "{err}"
    );
    assert!(db.query_all("SHOW PROCEDURES", Map::new())?.len() >= 5);
    Ok(())
});

on_both_stores!(shortest_paths, |db: &Database| {
    db.query_all(
        "CREATE (a:N {id: 'a'})-[:T]->(b:N {id: 'b'})-[:T]->(c:N {id: 'c'}), (a)-[:T]->(c),
                (a)-[:T]->(x:N {id: 'x'})-[:T]->(d:N {id: 'd'}), (b)-[:T]->(d)",
        Map::new(),
    )?;
    let hops = |text: &str| -> cordial::Result<Vec<i64>> {
        let result = db.query_all(text, Map::new())?;
        Ok(result
            .rows
            .iter()
            .map(|r| r.get::<i64>("hops").unwrap())
            .collect())
    };
    // Both ends bound: the search runs from both sides.
    assert_eq!(
        hops(
            "MATCH (a:N {id: 'a'}), (c:N {id: 'c'}) MATCH p = shortestPath((a)-[*..5]->(c)) RETURN length(p) AS hops"
        )?,
        vec![1]
    );
    assert_eq!(
        hops(
            "MATCH (c:N {id: 'c'}), (a:N {id: 'a'}) MATCH p = shortestPath((c)-[*..5]->(a)) RETURN length(p) AS hops"
        )?,
        Vec::<i64>::new()
    );
    assert_eq!(
        hops(
            "MATCH (a:N {id: 'a'}), (d:N {id: 'd'}) MATCH p = allShortestPaths((a)-[*]->(d)) RETURN length(p) AS hops"
        )?,
        vec![2, 2]
    );
    // An unbound end: one shortest path to every node that matches it.
    let mut reached = hops(
        "MATCH (a:N {id: 'a'}) MATCH p = shortestPath((a)-[*]->(m:N)) RETURN length(p) AS hops",
    )?;
    reached.sort_unstable();
    assert_eq!(reached, vec![1, 1, 1, 2]);
    Ok(())
});

// Regression, found by `tests/differential.rs`: a node named twice in one pattern, with a
// property map each time, had its maps joined with `+`, which maps do not support, so the
// statement failed with a TypeError as soon as a candidate was checked. Each map now
// constrains the node, a key in both maps with both values.
on_both_stores!(
    a_node_named_twice_with_two_property_maps,
    |db: &Database| {
        db.query_all(
        "CREATE (a:A {id: 'a', x: 1})-[:R]->(a), (:A {id: 'b', x: 1})-[:R]->(:A {id: 'c', x: 1})",
        Map::new(),
    )?;
        let ids = |text: &str| -> cordial::Result<Vec<String>> {
            let mut ids: Vec<String> = db
                .query_all(text, Map::new())?
                .rows
                .iter()
                .map(|r| r.get::<String>("id"))
                .collect::<cordial::Result<_>>()?;
            ids.sort();
            Ok(ids)
        };
        assert_eq!(
            ids("MATCH (n {x: 1})-[:R]->(n {id: 'a'}) RETURN n.id AS id")?,
            ["a"]
        );
        assert_eq!(
            ids("MATCH (n {x: 1})-[:R]->(m), (n {id: 'b'}) RETURN m.id AS id")?,
            ["c"]
        );
        assert_eq!(
            ids("MATCH (n {x: 1})-[:R]->(n {x: 1}) RETURN n.id AS id")?,
            ["a"]
        );
        assert!(ids("MATCH (n {x: 1})-[:R]->(n {x: 2}) RETURN n.id AS id")?.is_empty());
        // MERGE creates the node with the entries of both maps, and finds it the next time.
        for created in [1, 0] {
            let result = db.query_all(
                "MERGE (n:M {id: 'm'})-[:R]->(n {x: 3}) RETURN n.x AS x",
                Map::new(),
            )?;
            assert_eq!(result.stats.nodes_created, created);
            assert_eq!(result.rows[0].get::<i64>("x")?, 3);
        }
        Ok(())
    }
);

// Regression, found by `tests/differential.rs`: the relationships of a variable-length
// pattern (and of shortestPath and allShortestPaths) came in the order the matcher walked
// them, reversed when the plan started at the pattern's right node, so a named path went back
// on itself (`[a, m, a]`). They now run from the pattern's left node to its right.
on_both_stores!(
    variable_length_relationships_in_pattern_order,
    |db: &Database| {
        db.query_all(
            "CREATE (:A {id: 'a'})-[:R {w: 1}]->({id: 'm'})-[:R {w: 2}]->(:B {id: 'b'})",
            Map::new(),
        )?;
        for pattern in [
            "p = (a {id: 'a'})-[r*]-(b:B {id: 'b'})",
            "p = shortestPath((a {id: 'a'})-[r*]-(b:B {id: 'b'}))",
            "p = allShortestPaths((a {id: 'a'})-[r*]-(b:B {id: 'b'}))",
        ] {
            // The plan starts at `b`, the node it can seek.
            let plan = db.query_all(&format!("EXPLAIN MATCH {pattern} RETURN p"), Map::new())?;
            assert!(plan.rows[0].get::<&str>("plan")?.contains("index-seek"));
            let result = db.query_all(
                &format!(
                    "MATCH {pattern} RETURN [x IN r | x.w] AS w, [n IN nodes(p) | n.id] AS ids"
                ),
                Map::new(),
            )?;
            assert_eq!(result.len(), 1, "{pattern}");
            assert_eq!(
                result.rows[0].value("w"),
                Some(&Value::from(vec![1, 2])),
                "{pattern}"
            );
            assert_eq!(
                result.rows[0].value("ids"),
                Some(&Value::from(vec!["a", "m", "b"])),
                "{pattern}"
            );
        }
        Ok(())
    }
);

// Properties that ORDER BY does not read are read after the LIMIT, for the rows kept only;
// the answer is the one the simple plan gives.
on_both_stores!(properties_are_read_after_a_top_k, |db: &Database| {
    db.query_all(
        "UNWIND range(1, 50) AS i CREATE (:P {i: i, name: 'p' + i, tag: i % 7})",
        Map::new(),
    )?;
    let query =
        "MATCH (p:P) RETURN p.i AS i, p.name AS name, p.tag AS tag ORDER BY tag DESC, i LIMIT 3";
    let plan = db.query_all(&format!("EXPLAIN {query}"), Map::new())?;
    let lines: Vec<String> = plan
        .rows
        .iter()
        .map(|r| r.get::<String>("plan"))
        .collect::<cordial::Result<_>>()?;
    let limit = lines.iter().position(|l| l == "(limit)").expect("a limit");
    assert!(
        lines[limit + 1].starts_with("(project"),
        "the name is read after the limit: {lines:?}"
    );
    let rows = db.query_all(query, Map::new())?;
    let got: Vec<(i64, String, i64)> = rows
        .rows
        .iter()
        .map(|r| Ok((r.get("i")?, r.get("name")?, r.get("tag")?)))
        .collect::<cordial::Result<_>>()?;
    assert_eq!(
        got,
        vec![
            (6, "p6".into(), 6),
            (13, "p13".into(), 6),
            (20, "p20".into(), 6)
        ]
    );
    let simple = db
        .clone()
        .with_simple_plans(true)
        .query_all(query, Map::new())?;
    assert_eq!(simple.rows, rows.rows);
    Ok(())
});

// Grouping keys that read only node and relationship slots find their group by the entities'
// ids. Distinct entities with equal keys still share a group, a null entity groups with its
// like, and the answer is the one the simple plan gives.
on_both_stores!(
    groups_found_by_entity_ids_merge_equal_keys,
    |db: &Database| {
        db.query_all(
            "CREATE (a1:S {name: 'Ann'}), (a2:S {name: 'Ann'}), (b:S {name: 'Bo'}),
                (k1:K {name: 'X'}), (k2:K {name: 'X'}), (k3:K {name: 'Y'}),
                (a1)-[:M {v: 1}]->(k1), (a1)-[:M {v: 2}]->(k2), (a2)-[:M {v: 4}]->(k1),
                (b)-[:M {v: 8}]->(k3), (b)-[:M {v: 16}]->(k3), (:S {name: 'Cy'})",
            Map::new(),
        )?;
        let query = "MATCH (s:S) OPTIONAL MATCH (s)-[m:M]->(k:K)
                 RETURN s.name AS s, k.name AS k, count(m) AS n, sum(m.v) AS v ORDER BY s, k";
        let plan = db.query_all(&format!("EXPLAIN {query}"), Map::new())?;
        assert!(
            plan.rows
                .iter()
                .any(|r| r.get::<String>("plan").is_ok_and(|l| l.contains("(by-ids"))),
            "the keys are found by entity ids"
        );
        let rows = db.query_all(query, Map::new())?;
        let got: Vec<(String, Option<String>, i64, i64)> = rows
            .rows
            .iter()
            .map(|r| Ok((r.get("s")?, r.get("k")?, r.get("n")?, r.get("v")?)))
            .collect::<cordial::Result<_>>()?;
        assert_eq!(
            got,
            vec![
                ("Ann".into(), Some("X".into()), 3, 7),
                ("Bo".into(), Some("Y".into()), 2, 24),
                ("Cy".into(), None, 0, 0),
            ]
        );
        let simple = db
            .clone()
            .with_simple_plans(true)
            .query_all(query, Map::new())?;
        assert_eq!(simple.rows, rows.rows);
        // The entity itself as a key: its ids alone tell groups apart.
        let per_node = db.query_all(
            "MATCH (s:S)-[m:M]->() RETURN s, count(m) AS n ORDER BY n DESC",
            Map::new(),
        )?;
        let counts: Vec<i64> = per_node
            .rows
            .iter()
            .map(|r| r.get("n"))
            .collect::<cordial::Result<_>>()?;
        assert_eq!(counts, vec![2, 2, 1]);
        Ok(())
    }
);

// `x.key = literal` on a node or relationship compares in the stored column; it answers what
// reading the value and comparing would: true, false, null for a missing value or a null
// literal, numbers equal across int and float, in a transaction's own changes and in checkpointed
// columns alike.
on_both_stores!(
    property_equality_answers_as_reading_would,
    |db: &Database| {
        db.query_all(
            "UNWIND range(1, 40) AS i
         CREATE (a:P {s: ['won', 'lost', 'open'][i % 3], n: i % 4, f: toFloat(i % 2)})
                -[:R {s: ['x', 'y'][i % 2], n: i % 5}]->(:Q)",
            Map::new(),
        )?;
        let query = "MATCH (a:P)-[r:R]->() RETURN a.s = 'won' AS s, a.n = 2 AS n, a.n = 2.0 AS nf,
                        a.f = 1 AS f, a.missing = 1 AS m, a.s = null AS sn, r.s = 'y' AS rs,
                        r.n = 3 AS rn, r.missing = 'x' AS rm, 'x' = r.s AS rs2";
        let expected = |i: i64| -> Vec<Value> {
            let s = ["won", "lost", "open"][(i % 3) as usize];
            vec![
                Value::Bool(s == "won"),
                Value::Bool(i % 4 == 2),
                Value::Bool(i % 4 == 2),
                Value::Bool(i % 2 == 1),
                Value::Null,
                Value::Null,
                Value::Bool(i % 2 == 1),
                Value::Bool(i % 5 == 3),
                Value::Null,
                Value::Bool(i % 2 == 0),
            ]
        };
        let check = |db: &Database| -> cordial::Result<()> {
            let rows = db.query_all(query, Map::new())?;
            let mut got: Vec<Vec<Value>> = rows.rows.iter().map(|r| r.values().to_vec()).collect();
            let mut want: Vec<Vec<Value>> = (1..=40).map(expected).collect();
            let key = |v: &Vec<Value>| format!("{v:?}");
            got.sort_by_key(key);
            want.sort_by_key(key);
            assert_eq!(got, want);
            Ok(())
        };
        check(db)?;
        db.checkpoint()?;
        check(db)?;
        // Changed in a transaction: the transaction's own values are compared.
        let mut tx = db.begin_write()?;
        tx.execute_all(
            "MATCH (a:P)-[r:R]->() SET a.s = 'won', r.s = 'y' RETURN count(*)",
            Map::new(),
        )?;
        let rows = tx.execute_all(
        "MATCH (a:P)-[r:R]->() RETURN count(*) AS n, sum(CASE WHEN a.s = 'won' AND r.s = 'y' THEN 1 ELSE 0 END) AS k",
        Map::new(),
    )?;
        assert_eq!(rows.rows[0].get::<i64>("k")?, 40);
        tx.rollback();
        check(db)
    }
);

// String, list and map values share their storage: a value read twice, one dictionary entry
// read for many nodes, a list or map handed from row to row, is one allocation, not a copy.
on_both_stores!(values_share_storage, |db: &Database| {
    db.query_all(
        "UNWIND range(1, 200) AS i CREATE (:C {name: 'customer-' + i, status: 'active'})",
        Map::new(),
    )?;
    db.checkpoint()?;
    let rows = db.query_all(
        "MATCH (c:C) RETURN c.name AS a, c.name AS b, c.status AS s ORDER BY a LIMIT 2",
        Map::new(),
    )?;
    let string = |row: usize, column: &str| match rows.rows[row].get::<Value>(column) {
        Ok(Value::String(s)) => s,
        other => panic!("expected a string, found {other:?}"),
    };
    assert!(std::sync::Arc::ptr_eq(&string(0, "a"), &string(0, "b")));
    assert!(std::sync::Arc::ptr_eq(&string(0, "s"), &string(1, "s")));
    // A list passed on from clause to clause is the same list, not a copy per row.
    let rows = db.query_all(
        "UNWIND range(1, 1000) AS i WITH collect(i) AS l UNWIND range(1, 3) AS k RETURN l",
        Map::new(),
    )?;
    let list = |row: usize| match rows.rows[row].get::<Value>("l") {
        Ok(Value::List(items)) => items,
        other => panic!("expected a list, found {other:?}"),
    };
    assert_eq!(list(0).len(), 1000);
    assert!(cordial::List::ptr_eq(&list(0), &list(2)));
    let rows = db.query_all(
        "WITH {id: 7, tags: ['a', 'b']} AS m UNWIND range(1, 3) AS k RETURN m",
        Map::new(),
    )?;
    let map = |row: usize| match rows.rows[row].get::<Value>("m") {
        Ok(Value::Map(map)) => map,
        other => panic!("expected a map, found {other:?}"),
    };
    assert!(cordial::SharedMap::ptr_eq(&map(0), &map(2)));
    Ok(())
});

// Aggregations over many start nodes run on several threads, each over a part of the scan;
// merged in scan order, they give exactly what one thread gives: groups in the same order,
// collect() lists in scan order, the first of equal min/max values, exact float sums.
on_both_stores!(parallel_aggregation_matches_one_thread, |db: &Database| {
    db.query_all(
        "UNWIND range(0, 24999) AS i
         CREATE (c:Cust {id: i, seg: ['a', 'b', 'c'][i % 3], w: toFloat(i % 97) / 7.0 + 0.1})
         WITH c, i WHERE i % 5 = 0
         CREATE (c)-[:PLACED]->(:Ord {amount: i % 13 * 1.1, n: i % 4})",
        Map::new(),
    )?;
    db.query_all("UNWIND range(0, 6) AS i CREATE (:Hub {id: i})", Map::new())?;
    let simple = db.clone().with_simple_plans(true);
    for query in [
        "MATCH (c:Cust) RETURN c.seg AS seg, count(*) AS n, sum(c.w) AS w, avg(c.w) AS a,
                min(c.w % 1.0) AS lo, max(c.id % 100) AS hi",
        "MATCH (c:Cust) RETURN collect(c.id)[0..5] AS first, size(collect(c.seg)) AS n",
        "MATCH (c:Cust)-[:PLACED]->(o:Ord) RETURN c.seg AS seg, o.n AS n, count(o) AS k,
                sum(o.amount) AS total, collect(o.amount)[..3] AS some",
        "MATCH (c:Cust) WHERE c.id % 2 = 0 RETURN count(c) AS n, sum(c.id) AS s,
                percentileDisc(c.w, 0.5) AS median",
        "MATCH (c:Cust) RETURN c, count(*) AS n ORDER BY c.id DESC LIMIT 2",
        "MATCH (n) RETURN labels(n) AS l, count(*) AS n",
        // Grouped by a node many scanned nodes reach: the parts' groups meet and merge by id.
        "MATCH (c:Cust) MATCH (x:Hub) WHERE x.id = c.id % 7
         RETURN x, count(c) AS n, sum(c.w) AS w, collect(c.id)[..3] AS first",
        "MATCH (c:Cust)-[:PLACED]->(o:Ord) MATCH (x:Hub) WHERE x.id = o.n
         RETURN x, o.n AS k, count(*) AS n, min(c.id) AS lo",
        // DISTINCT over entities and values both parts meet, in groups both parts have.
        "MATCH (c:Cust) MATCH (x:Hub) WHERE x.id = c.id % 7
         RETURN c.seg AS seg, count(DISTINCT x) AS hubs, count(DISTINCT c.id % 5) AS fives,
                collect(DISTINCT x.id) AS ids, sum(DISTINCT c.id % 3) AS s",
        "WITH 3 AS k MATCH (c:Cust) WHERE c.id % k = 0
         WITH c.seg AS seg, c.w > 5.0 AS big RETURN seg, sum(CASE WHEN big THEN 1 ELSE 0 END) AS n",
    ] {
        let fast = db.query_all(query, Map::new())?;
        let reference = simple.query_all(query, Map::new())?;
        assert_eq!(fast.rows, reference.rows, "{query}");
        assert!(!fast.rows.is_empty(), "{query}");
    }
    Ok(())
});

// DISTINCT aggregates run in parallel and give the lists and counts one thread gives, in its
// order: whether groups are told apart by the entity a parallel run divides (the scanned node,
// or a node no two input rows share), so that they never meet in two parts, or not.
on_both_stores!(
    distinct_aggregates_over_disjoint_groups_match_one_thread,
    |db: &Database| {
        db.query_all(
            "UNWIND range(0, 4999) AS i CREATE (c:Cust {id: i})
         WITH c, i UNWIND range(1, 5) AS j
         CREATE (c)-[:R]->(:T {v: (i * j) % 7, w: j})",
            Map::new(),
        )?;
        let simple = db.clone().with_simple_plans(true);
        for query in [
            // Split by the scan of c, grouped by c.
            "MATCH (c:Cust)-[:R]->(t:T) RETURN c, collect(DISTINCT t.v) AS vs,
                count(DISTINCT t.v) AS n, percentileDisc(t.w, 0.5) AS p ORDER BY c.id",
            // Split by input rows, one per c, grouped by c and what c determines.
            "MATCH (c:Cust)-[:R]->(t:T) WITH c, collect(DISTINCT t.v) AS vs, count(t) AS k
         MATCH (c)-[:R]->(t:T)
         RETURN c, vs, k, collect(DISTINCT t.w % 2) AS ws ORDER BY c.id",
            // Not disjoint (grouped by t's value): each part keeps its distinct values in
            // order and the merge replays the later part's, so lists come in one thread's
            // order and nothing seen in both parts counts twice.
            "MATCH (c:Cust)-[:R]->(t:T) RETURN t.v AS v, count(DISTINCT c) AS n,
                collect(DISTINCT c.id % 4) AS m ORDER BY v",
            "MATCH (c:Cust)-[:R]->(t:T) RETURN t.v AS v, count(DISTINCT t.w) AS n,
                collect(DISTINCT c.id % 9) AS m, sum(DISTINCT t.w) AS s,
                percentileDisc(DISTINCT c.id % 11, 0.5) AS p, count(*) AS k",
            "MATCH (c:Cust)-[:R]->(t:T) RETURN count(DISTINCT t.v) AS n,
                collect(DISTINCT t.v) AS vs, collect(DISTINCT c)[..3] AS cs",
            // Grouped by t, as many as the relationships: the match starts at t instead of c.
            "MATCH (c:Cust)-[:R]->(t:T) RETURN t.v AS v, t.w AS w, count(c) AS n,
                count(DISTINCT c) AS d, min(c.id) AS lo, sum(c.id) AS s ORDER BY v, w",
        ] {
            let fast = db.query_all(query, Map::new())?;
            let reference = simple.query_all(query, Map::new())?;
            assert_eq!(fast.rows, reference.rows, "{query}");
            assert!(!fast.rows.is_empty(), "{query}");
        }
        Ok(())
    }
);

// A scan whose rows go through filters and projections into an aggregation or a sort runs a
// batch at a time. It gives what a row at a time gives, including where AND, OR and CASE leave
// an operand unevaluated on the rows that would make it fail, over several batches, with
// values from before the scan, rebound variables, and rows assembled for row-wise readers.
on_both_stores!(batched_scans_match_row_at_a_time, |db: &Database| {
    db.query_all(
        "UNWIND range(0, 2999) AS i
         CREATE (:M {i: i, kind: CASE WHEN i % 3 = 0 THEN 'str' ELSE 'num' END,
                     v: CASE WHEN i % 3 = 0 THEN 'x' + i ELSE i % 17 END,
                     d: CASE WHEN i % 4 = 0 THEN null ELSE date('2024-01-01') + duration({days: i % 400}) END})",
        Map::new(),
    )?;
    let same = |query: &str| -> cordial::Result<()> {
        same_as_simple_plan(db, query);
        Ok(())
    };
    for query in [
        "MATCH (n:M) WHERE n.kind = 'num' AND n.v + 1 > 10 RETURN count(*) AS n",
        "MATCH (n:M) WHERE n.kind = 'str' OR n.v * 2 > 20 RETURN count(*) AS n, sum(n.i) AS s",
        "MATCH (n:M) RETURN sum(CASE WHEN n.kind = 'num' THEN n.v * 2 ELSE 0 END) AS s,
                sum(CASE n.kind WHEN 'str' THEN size(n.v) END) AS chars",
        "WITH 10 AS k, date('2024-06-01') AS cut MATCH (n:M)
         WITH n, n.v AS v, k, n.d < cut AS early WHERE n.kind = 'num'
         RETURN early, sum(v % k) AS s, collect(n.i)[..3] AS first, count(n) AS c,
                count(DISTINCT v) AS d",
        "MATCH (n:M) WITH n, n.kind = 'num' AND n.v > 5 AS big, n.i AS i
         RETURN big, count(*) AS n, min(i) AS lo, max(n.i) AS hi",
        "MATCH (n:M) WHERE n.kind = 'num'
         RETURN n.v AS v, [x IN range(1, 2) | x + n.v] AS l, n ORDER BY v DESC, n.i LIMIT 5",
        "MATCH (n:M) WHERE n.d IS NOT NULL RETURN n.i % 7 AS g, max(n.d) AS last, count(*) AS c
         ORDER BY g",
        "MATCH (n:M) WITH n.v AS n RETURN count(n) AS c",
        "MATCH (n:M {kind: 'num'}) WHERE n.i > 1500 RETURN count(*) AS c, collect(n)[0].i AS one",
        // Fails on the rows whose v is a string, both ways.
        "MATCH (n:M) RETURN sum(n.v + 1) AS s",
        "MATCH (n:M) WHERE n.v > 3 + 'a' RETURN count(*) AS c",
    ] {
        same(query)?;
    }
    // After writes in the same statement, the scan reads them.
    same(
        "MATCH (n:M) WHERE n.kind = 'num' SET n.w = n.v WITH count(*) AS c
         MATCH (m:M) RETURN c, sum(m.w) AS w, count(m.w) AS k",
    )?;
    Ok(())
});

// Batches follow relationships too: a hub with more relationships than a batch holds, both
// directions, several types, a relationship property map, a relationship that must differ from
// an earlier one of the same type, a cycle back to a node already matched, a target bound
// before the pattern, and labels checked on the node reached.
on_both_stores!(batched_expansions_match_row_at_a_time, |db: &Database| {
    hub_graph(db)?;
    for query in [
        "MATCH (h:Hub)-[r:R]->(p:P) RETURN p.k AS k, count(*) AS n, sum(r.w) AS w,
                collect(p.id)[..4] AS first ORDER BY k",
        "MATCH (h:Hub)-[r:R {w: 1}]->(p) WHERE p.id > 100 RETURN count(*) AS n, min(p.id) AS lo",
        "MATCH (p:P)-[s:S|R]-(x) RETURN type(s) AS t, labels(x) AS l, count(*) AS n ORDER BY t, n",
        "MATCH (h:Hub)-[:R]->(p)-[:S]->(h) RETURN count(*) AS n, sum(p.id) AS s",
        "MATCH (h:Hub)-[r1:R]->(p)<-[r2:R]-(x) RETURN count(*) AS n",
        "MATCH (p:P)-[r1:R]-(x)-[r2:R]-(y) WHERE p.id < 40 RETURN count(*) AS n,
                count(DISTINCT y) AS ys",
        "MATCH (h:Hub) WITH h MATCH (p:P)-[:S]->(h) RETURN p.k AS k, count(p) AS n ORDER BY k",
        "MATCH (p:P)-[:R]->(q:Q) WHERE q.k > 2 RETURN p.k AS k, avg(q.k) AS a, count(*) AS n
         ORDER BY k",
        "MATCH (a:P)-[:T]->(b:P) RETURN a.id AS a, b.id AS b ORDER BY a DESC LIMIT 3",
        "MATCH (h:Hub)-[r:R]->(p:P)
         WITH p, r.w AS w, CASE WHEN p.k = 0 THEN 'zero' ELSE 'other' END AS kind
         RETURN kind, w, count(*) AS n, collect(p.id)[0] AS one ORDER BY kind, w",
        "MATCH (h:Hub)-[r:R]->(p:P) RETURN p, r ORDER BY p.id DESC LIMIT 2",
        "MATCH (h:Hub)-[r:R]->(p:P) RETURN sum(p.id / (p.k - p.k)) AS boom",
        // Property maps that read what the pattern binds are matched a row at a time.
        "MATCH (h:Hub)-[r:R]->(p:P {k: r.w}) RETURN count(*) AS n, sum(p.id) AS s",
        "MATCH (p:P)-[r:R {w: p.k + 8}]->(q) RETURN count(*) AS n",
        // What follows the batched part (another MATCH, OPTIONAL MATCH, UNWIND, DISTINCT)
        // takes its rows one at a time.
        "MATCH (h:Hub)-[:R]->(p:P) WHERE p.k < 3 OPTIONAL MATCH (p)-[s:S]->(h)
         RETURN p.k AS k, count(s) AS with_s, count(*) AS n ORDER BY k",
        "MATCH (p:P) WHERE p.id % 7 = 0 MATCH (p)-[:R]->(q:Q) WITH DISTINCT q.k AS k
         UNWIND range(0, k + 2) AS x RETURN k, sum(x) AS s ORDER BY k",
    ] {
        same_as_simple_plan(db, query);
    }
    Ok(())
});

/// A hub with 2,500 `R` relationships out (more than a batch), half of its targets with an `S`
/// back, a third with an `R` to a `Q` of their own, and every fiftieth with a `T` to the one
/// before.
fn hub_graph(db: &Database) -> cordial::Result<()> {
    db.query_all(
        "CREATE (h:Hub {id: 0})
         WITH h UNWIND range(1, 2500) AS i
         CREATE (p:P {id: i, k: i % 5})
         CREATE (h)-[:R {w: i % 3}]->(p)
         WITH h, p, i WHERE i % 2 = 0
         CREATE (p)-[:S {w: i % 4}]->(h)
         WITH p, i WHERE i % 3 = 0
         CREATE (p)-[:R {w: 9}]->(:Q:P {id: -i, k: i % 7})",
        Map::new(),
    )?;
    db.query_all(
        "MATCH (a:P), (b:P) WHERE a.id = b.id + 1 AND a.id % 50 = 0 CREATE (a)-[:T]->(b)",
        Map::new(),
    )?;
    Ok(())
}

// OPTIONAL MATCH and later MATCH clauses run inside the batch: null rows come out in the
// order a row at a time gives them (between matched rows, across the flush of a hub larger
// than a batch, whole batches of them), several in a row, from nodes bound by the scan or
// by the input rows of an aggregation (null, not a node, labels to check), relationship
// uniqueness per MATCH clause only.
on_both_stores!(
    batched_optional_and_later_matches_match_row_at_a_time,
    |db: &Database| {
        hub_graph(db)?;
        for query in [
            "MATCH (p:P) OPTIONAL MATCH (p)-[s:S]->(h:Hub)
         RETURN p.k AS k, count(s) AS c, collect(p.id)[..5] AS ids, collect(h.id)[..3] AS hs
         ORDER BY k",
            "MATCH (p:P) OPTIONAL MATCH (p)-[r:R]->(q:Q) WHERE q.k > 3
         RETURN collect(q.id) AS qs, count(*) AS n, collect(p.id)[1000..1010] AS mid",
            "MATCH (x:P) WHERE x.id < 1100 OPTIONAL MATCH (x)<-[r:R]-(h)
         WHERE r.w <> 1 RETURN collect([x.id, h.id]) AS pairs",
            "MATCH (h:Hub) OPTIONAL MATCH (h)-[r:R]->(p:P) WHERE p.k <> 2
         RETURN count(p) AS n, collect(p.id)[1000..1005] AS mid",
            "MATCH (p:P) OPTIONAL MATCH (p)-[:S]->(h) OPTIONAL MATCH (p)-[:R]->(q:Q)
         RETURN count(h) AS hs, count(q) AS qs, collect(coalesce(q.id, p.id))[..10] AS f,
                collect(coalesce(h.id, -1))[..10] AS g",
            "MATCH (q:Q) OPTIONAL MATCH (q)<-[:R]-(p)-[:S]->(h)
         RETURN count(*) AS n, count(h) AS hs, collect(p.id)[..6] AS ps",
            "MATCH (p:P)-[:S]->(h:Hub) OPTIONAL MATCH (h)-[r:R]->(p) WHERE r.w = 1
         RETURN count(r) AS n, sum(CASE WHEN r IS NULL THEN 1 ELSE 0 END) AS none",
            "MATCH (p:P) OPTIONAL MATCH (p)<-[r:R {w: 1}]-(h:Hub) RETURN count(r) AS n",
            "MATCH (p:P) OPTIONAL MATCH (p)-[:T]->(b) RETURN count(b) AS n, count(*) AS all",
            "MATCH (h:Hub) OPTIONAL MATCH (h)-[r:R]->(p:P) RETURN p.id AS id ORDER BY id DESC
         LIMIT 3",
            "MATCH (h:Hub) MATCH (h)-[:R]->(p) WHERE p.k = 1 MATCH (p)-[:S]->(h)
         RETURN count(*) AS n, sum(p.id) AS s",
            "MATCH (h:Hub)-[r:R]->(p) MATCH (h)-[r2:R]->(p) RETURN count(*) AS n",
            // From the rows of an aggregation.
            "MATCH (p:P) WITH p, count(*) AS c MATCH (p)-[r:R]->(q)
         RETURN p.k AS k, count(*) AS n, sum(c) AS s, collect(q.id)[..4] AS f ORDER BY k",
            "MATCH (p:P) WITH p, count(*) AS one OPTIONAL MATCH (p)-[:S]->(h)
         RETURN count(h) AS c, collect(p.id)[..5] AS f, collect(h.id)[..5] AS hs",
            "MATCH (p:P) WITH p, count(*) AS one OPTIONAL MATCH (p)-[:S]->(h)-[r:R]->(x:Q)
         RETURN count(x) AS c, count(*) AS n",
            "MATCH (p:P) OPTIONAL MATCH (p)-[:S]->(h) WITH p, h, count(*) AS c
         MATCH (h)-[:R]->(x) WHERE x.k = 1 RETURN count(*) AS n",
            "MATCH (p:P) OPTIONAL MATCH (p)-[:S]->(h) WITH h, count(*) AS c
         OPTIONAL MATCH (h)-[:R]->(x) RETURN count(x) AS xs, count(*) AS n, sum(c) AS s",
            "MATCH (p:P) WITH p, count(*) AS c MATCH (p:Q)-[:R]-(x) RETURN count(*) AS n",
            "MATCH (p:P) WITH p.k AS k, collect(p) AS ps WITH k, ps[0] AS first, count(*) AS c
         MATCH (first)<-[r:R]-(h) RETURN k, r.w AS w, h.id AS h ORDER BY k",
            // Not a node where a pattern starts: an error, both ways.
            "MATCH (p:P) WITH CASE WHEN p.id = 7 THEN 1 ELSE p END AS x, count(*) AS c
         MATCH (x)-[:R]->(y) RETURN count(*) AS n",
        ] {
            same_as_simple_plan(db, query);
        }
        Ok(())
    }
);

/// Runs `query` with the optimised plan and with the simplest plan (a row at a time): the
/// same rows, and some, or errors of the same kind.
fn same_as_simple_plan(db: &Database, query: &str) {
    let fast = db.query_all(query, Map::new());
    let reference = db
        .clone()
        .with_simple_plans(true)
        .query_all(query, Map::new());
    match (fast, reference) {
        (Ok(fast), Ok(reference)) => {
            assert_eq!(fast.rows, reference.rows, "{query}");
            assert!(!fast.rows.is_empty(), "{query}");
        }
        (Err(fast), Err(reference)) => assert_eq!(fast.kind(), reference.kind(), "{query}"),
        (fast, reference) => panic!("{query}: {fast:?} against {reference:?}"),
    }
}

//! Differential test of the planner and executor. Seeded random graphs (10 to 40 nodes
//! labelled from {A, B, C}, relationships R and S, an index on `:A(x)` and a unique constraint
//! on `:B(id)`) and random read queries (MATCH and OPTIONAL MATCH patterns, variable-length
//! relationships, WHERE, UNWIND, WITH with aggregation and DISTINCT, ORDER BY with SKIP and
//! LIMIT, collect-then-unwind) run three ways: the optimised plan on the in-memory store, the
//! simplest plan (`Database::with_simple_plans`: no index seek, no cost-based start, no
//! shortcut) on the same store, and the optimised plan on a sled store built by the same
//! statements (most of them checkpointed before later updates, so it reads columnar chunks as
//! well as its overlay). All three must return the same rows, or errors of the same kind. The
//! generators are in `tests/diff/`.
//!
//! `cargo test --release --test differential` runs 3,000 cases. Longer soaks:
//!
//! ```text
//! CORDIAL_DIFF_CASES=100000 cargo test --release --test differential -- --nocapture
//! cargo bench --bench differential -- 20000          # cases [first graph seed]
//! ```
//!
//! A failure prints the graph seed, the graph's statements, the query and what each side
//! returned; `CORDIAL_DIFF_SEED=<graph seed>` runs the cases of that graph (and the ones
//! after it) again.

mod diff;

use cordial::{Database, Map};
use diff::check::{self, Outcome, Stores};
use diff::generate::{Query, Step};

fn env_number(name: &str) -> Option<u64> {
    std::env::var(name).ok().map(|v| {
        v.parse()
            .unwrap_or_else(|_| panic!("{name} must be a number, found {v:?}"))
    })
}

#[test]
fn optimised_and_simple_plans_agree_on_both_stores() {
    let seed = env_number("CORDIAL_DIFF_SEED");
    let default_cases = if seed.is_some() {
        diff::QUERIES_PER_GRAPH as u64
    } else {
        3000
    };
    let cases = usize::try_from(env_number("CORDIAL_DIFF_CASES").unwrap_or(default_cases))
        .expect("a number of cases");
    let summary = diff::run(cases, seed.unwrap_or(0), |_| {});
    println!("{summary:#?}");
    assert!(
        summary.failed == 0,
        "{} of {} cases disagree; the first ones:\n\n{}",
        summary.failed,
        summary.cases,
        summary.reports.join("\n")
    );
    // The comparison means something only if the cases return rows, if the optimised plans
    // use the indexes and differ from the simple ones, and if errors are compared too.
    if cases >= 200 {
        assert!(summary.with_rows * 5 >= summary.cases * 2, "{summary:#?}");
        assert!(summary.seeking * 20 >= summary.cases, "{summary:#?}");
        assert!(summary.plans_differ * 4 >= summary.cases, "{summary:#?}");
        assert!(summary.errors > 0, "{summary:#?}");
    }
    assert_eq!(summary.simple_seeking, 0, "{summary:#?}");
}

/// A query over a fixed graph, compared as the differential test compares.
fn outcome(db: &Database, text: &str, ordered: bool, bag_columns: Vec<usize>) -> Outcome {
    check::run(
        db,
        &Query {
            text: text.to_owned(),
            ordered,
            bag_columns,
        },
    )
}

#[test]
fn the_comparison_catches_wrong_answers() {
    let db = Database::in_memory().unwrap();
    db.query_all(
        "CREATE (:A {id: 'a', x: 1}), (:A {id: 'b', x: 2}), (:B {id: 'c', x: 2})",
        Map::new(),
    )
    .unwrap();
    let agree = |a: &str, b: &str, ordered: bool, bags: Vec<usize>| {
        outcome(&db, a, ordered, bags.clone()).agrees_with(&outcome(&db, b, ordered, bags))
    };
    let up = "UNWIND [1, 2, 2] AS x RETURN x";
    let down = "UNWIND [2, 2, 1] AS x RETURN x";
    // Multisets: order does not matter, multiplicity does.
    assert!(agree(up, down, false, vec![]));
    assert!(!agree(up, down, true, vec![]));
    assert!(!agree(up, "UNWIND [1, 2] AS x RETURN x", false, vec![]));
    // Exact values: an integer is not the float it equals.
    assert!(!agree(
        up,
        "UNWIND [1.0, 2, 2] AS x RETURN x",
        false,
        vec![]
    ));
    // Column names count.
    assert!(!agree(up, "UNWIND [1, 2, 2] AS y RETURN y", false, vec![]));
    // A collect list is a bag in a bag column, a list elsewhere.
    let forwards = "MATCH (n) WITH n ORDER BY n.id RETURN collect(n.id) AS ids";
    let backwards = "MATCH (n) WITH n ORDER BY n.id DESC RETURN collect(n.id) AS ids";
    assert!(agree(forwards, backwards, false, vec![0]));
    assert!(!agree(forwards, backwards, false, vec![]));
    // A node shows its labels and properties.
    assert!(!agree(
        "MATCH (n:A {x: 2}) RETURN n",
        "MATCH (n {x: 2}) WHERE n.id = 'c' RETURN n",
        false,
        vec![]
    ));
    // Errors agree by kind, not by message; an error never agrees with rows.
    let type_error = "UNWIND ['a'] AS s RETURN sum(s) AS t";
    let other_type_error = "UNWIND ['a', 'b'] AS s RETURN sum(s) AS t";
    assert!(matches!(
        outcome(&db, type_error, false, vec![]),
        Outcome::Error { .. }
    ));
    assert!(agree(type_error, other_type_error, false, vec![]));
    assert!(!agree(type_error, "RETURN 1 / 0 AS t", false, vec![]));
    assert!(!agree(type_error, "RETURN 1 AS t", false, vec![]));
}

#[test]
fn a_store_that_differs_is_reported() {
    let steps = vec![Step::Statement(
        "CREATE (:A {id: 'n0', x: 1})-[:R {w: 1}]->(:B {id: 'n1'})".to_owned(),
    )];
    let stores = Stores::build(&steps).unwrap();
    // The sled side gains a relationship the others do not have.
    stores
        .sled
        .query_all(
            "MATCH (a {id: 'n1'}), (b {id: 'n0'}) CREATE (a)-[:R {w: 2}]->(b)",
            Map::new(),
        )
        .unwrap();
    let query = Query {
        text: "MATCH (a)-[r]->(b) RETURN a.id AS a, r.w AS w, b.id AS b".to_owned(),
        ordered: false,
        bag_columns: vec![],
    };
    let outcomes: Vec<(&'static str, Outcome)> = stores
        .sides()
        .iter()
        .map(|(name, db)| (*name, check::run(db, &query)))
        .collect();
    assert!(outcomes[0].1.agrees_with(&outcomes[1].1));
    assert!(!outcomes[0].1.agrees_with(&outcomes[2].1));
    let report = diff::report(7, 3, &steps, &query, &outcomes);
    for needle in [
        "graph seed 7",
        "query 3",
        "CREATE (:A",
        &query.text,
        "2 rows",
    ] {
        assert!(report.contains(needle), "{needle} missing from\n{report}");
    }
}

#[test]
fn simple_plans_scan_where_optimised_plans_seek() {
    let db = Database::in_memory().unwrap();
    for statement in [
        "CREATE INDEX a_x FOR (n:A) ON (n.x)",
        "CREATE (:A {id: 'a', x: 1})-[:R]->(:B:C {id: 'b', x: 2})",
    ] {
        db.query_all(statement, Map::new()).unwrap();
    }
    let simple = db.clone().with_simple_plans(true);
    let plan = |db: &Database, text: &str| -> String {
        db.query_all(&format!("EXPLAIN {text}"), Map::new())
            .unwrap()
            .rows
            .iter()
            .map(|r| r.get::<String>("plan").unwrap())
            .collect::<Vec<_>>()
            .join("\n")
    };
    let seek = "MATCH (a)-->(b:A {x: 1}) WHERE a.x > 0 RETURN a, b";
    assert!(
        plan(&db, seek).contains("(index-seek @1 :A.x)"),
        "{}",
        plan(&db, seek)
    );
    // The simple plan starts at the first node of the text, scans, and filters at the end.
    assert!(
        plan(&simple, seek).starts_with("(match (all-nodes @0) (expand @0 -[@2]- @1) (filter))"),
        "{}",
        plan(&simple, seek)
    );
    let labels = "MATCH (b:C:B) RETURN b.id AS id";
    assert!(plan(&simple, labels).contains("(label-scan @0 :C)"));
    // Either way the rows are the same.
    for text in [seek, labels] {
        assert_eq!(
            db.query_all(text, Map::new()).unwrap().rows,
            simple.query_all(text, Map::new()).unwrap().rows
        );
    }
}

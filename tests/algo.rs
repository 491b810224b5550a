//! The `algo.*` procedures on small graphs with answers worked out by hand, and on the sample
//! company against independent computations (plain openCypher, or a slow reference
//! implementation in this file).

mod common;

use std::collections::{BTreeMap, BTreeSet};

use cordial::{Database, Error, ExecErrorKind, Map, Value};

use common::{run, sample};

fn db_with(script: &str) -> Database {
    let db = Database::in_memory().expect("db");
    db.query_all(script, Map::new()).expect("script");
    db
}

fn float(v: &Value) -> f64 {
    match v {
        Value::Int(i) => *i as f64,
        Value::Float(f) => *f,
        other => panic!("not a number: {other:?}"),
    }
}

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone().to_string(),
        other => other.to_string(),
    }
}

/// name -> value of a two-column (name, number) result.
fn by_name(rows: Vec<Vec<Value>>) -> BTreeMap<String, f64> {
    rows.into_iter()
        .map(|r| (text(&r[0]), float(&r[1])))
        .collect()
}

const WEIGHTED: &str =
    "CREATE (a:P {name: 'A'}), (b:P {name: 'B'}), (c:P {name: 'C'}), (d:P {name: 'D'}),
    (a)-[:R {w: 1}]->(b), (b)-[:R {w: 1.5}]->(c), (a)-[:R {w: 5}]->(c), (c)-[:R {w: 1}]->(d)";

#[test]
fn shortest_path_follows_weights_when_asked() {
    let db = db_with(WEIGHTED);
    let q = |config: &str| {
        run(
            &db,
            &format!(
                "MATCH (a {{name: 'A'}}), (d {{name: 'D'}})
                 CALL algo.shortestPath(a, d, {config}) YIELD path, cost
                 RETURN [n IN nodes(path) | n.name], cost, length(path)"
            ),
        )
    };
    let names = |xs: &[&str]| Value::List(xs.iter().map(|x| Value::String((*x).into())).collect());
    assert_eq!(
        q("{weightProperty: 'w'}"),
        vec![vec![
            names(&["A", "B", "C", "D"]),
            Value::Float(3.5),
            Value::Int(3)
        ]]
    );
    assert_eq!(
        q("{}"),
        vec![vec![
            names(&["A", "C", "D"]),
            Value::Float(2.0),
            Value::Int(2)
        ]]
    );
    // Against the direction there is no way from D back to A... unless undirected.
    let back = |config: &str| {
        run(
            &db,
            &format!(
                "MATCH (a {{name: 'A'}}), (d {{name: 'D'}})
                 CALL algo.shortestPath(d, a, {config}) YIELD cost RETURN cost"
            ),
        )
    };
    assert!(back("{direction: 'NATURAL'}").is_empty());
    assert_eq!(back("{}"), vec![vec![Value::Float(2.0)]]);
}

#[test]
fn all_shortest_paths_lists_each_once() {
    let db = db_with(
        "CREATE (a {name: 'A'}), (b {name: 'B'}), (c {name: 'C'}), (d {name: 'D'}), (e {name: 'E'}),
         (a)-[:R]->(b), (a)-[:R]->(c), (b)-[:R]->(d), (c)-[:R]->(d), (d)-[:R]->(e), (a)-[:R]->(e)",
    );
    let rows = run(
        &db,
        "MATCH (a {name: 'A'}), (d {name: 'D'})
         CALL algo.allShortestPaths(a, d) YIELD path, cost
         RETURN [n IN nodes(path) | n.name] AS p, cost ORDER BY p",
    );
    let p = |xs: &[&str]| Value::List(xs.iter().map(|x| Value::String((*x).into())).collect());
    assert_eq!(
        rows,
        vec![
            vec![p(&["A", "B", "D"]), Value::Float(2.0)],
            vec![p(&["A", "C", "D"]), Value::Float(2.0)],
            vec![p(&["A", "E", "D"]), Value::Float(2.0)],
        ]
    );
    let limited = run(
        &db,
        "MATCH (a {name: 'A'}), (d {name: 'D'})
         CALL algo.allShortestPaths(a, d, {limit: 2}) YIELD path RETURN count(*)",
    );
    assert_eq!(limited, vec![vec![Value::Int(2)]]);
}

#[test]
fn all_shortest_paths_agree_with_the_engine_on_the_sample() {
    let db = sample();
    let mut pairs: Vec<(String, String)> = run(
        db,
        "MATCH (a:Customer)<-[:SERVES]-(:Staff)-[:SERVES]->(b:Customer) WHERE a.id < b.id
         RETURN DISTINCT a.id, b.id ORDER BY a.id, b.id LIMIT 3",
    )
    .iter()
    .map(|r| (text(&r[0]), text(&r[1])))
    .collect();
    pairs.push(("cus-juniper".into(), "cus-northgate".into()));
    pairs.push(("cus-halvorsen".into(), "cus-00007".into()));
    let mut found = Vec::new();
    for (from, to) in &pairs {
        let ours = run(
            db,
            &format!(
                "MATCH (a:Customer {{id: '{from}'}}), (b:Customer {{id: '{to}'}})
                 CALL algo.allShortestPaths(a, b, {{relationships: ['SERVES', 'REFERRED', 'WORKS_AT', 'KNOWS'], limit: 1000}})
                 YIELD path RETURN count(*), min(length(path)), max(length(path))"
            ),
        );
        let engine = run(
            db,
            &format!(
                "MATCH (a:Customer {{id: '{from}'}}), (b:Customer {{id: '{to}'}})
                 MATCH p = allShortestPaths((a)-[:SERVES|REFERRED|WORKS_AT|KNOWS*]-(b))
                 RETURN count(*), min(length(p)), max(length(p))"
            ),
        );
        assert_eq!(ours, engine, "{from} -> {to}");
        found.push(float(&ours[0][0]));
    }
    // Four connected pairs; Halvorsen is served by Nadia alone, who serves nobody else.
    assert!(found[..4].iter().all(|n| *n > 0.0), "{found:?}");
    assert_eq!(found[4], 0.0);
}

/// PageRank the slow way: dense matrix power iteration, dangling rank spread evenly.
#[allow(clippy::needless_range_loop)]
fn slow_page_rank(n: usize, edges: &[(usize, usize)], damping: f64, iterations: usize) -> Vec<f64> {
    let mut out = vec![0.0; n];
    for (a, _) in edges {
        out[*a] += 1.0;
    }
    let mut rank = vec![1.0 / n as f64; n];
    for _ in 0..iterations {
        let mut next = vec![0.0; n];
        for v in 0..n {
            let mut s = 0.0;
            for u in 0..n {
                if out[u] == 0.0 {
                    s += rank[u] / n as f64;
                } else {
                    let links = edges.iter().filter(|e| **e == (u, v)).count() as f64;
                    s += rank[u] * links / out[u];
                }
            }
            next[v] = (1.0 - damping) / n as f64 + damping * s;
        }
        rank = next;
    }
    rank
}

#[test]
fn page_rank_matches_a_dense_power_iteration() {
    let names = ["A", "B", "C", "D", "E"];
    let edges = [(0, 1), (1, 2), (2, 0), (0, 2), (3, 2), (1, 4)];
    let mut script = String::from("CREATE ");
    let nodes: Vec<String> = names
        .iter()
        .map(|n| format!("({n}:P {{name: '{n}'}})"))
        .collect();
    script.push_str(&nodes.join(", "));
    for (a, b) in edges {
        script.push_str(&format!(", ({})-[:L]->({})", names[a], names[b]));
    }
    let db = db_with(&script);
    let ours = by_name(run(
        &db,
        "CALL algo.pageRank({iterations: 50, tolerance: 0}) YIELD node, score RETURN node.name, score",
    ));
    let expected = slow_page_rank(names.len(), &edges, 0.85, 50);
    for (i, n) in names.iter().enumerate() {
        assert!(
            (ours[*n] - expected[i]).abs() < 1e-9,
            "{n}: {} vs {}",
            ours[*n],
            expected[i]
        );
    }
    let total: f64 = ours.values().sum();
    assert!((total - 1.0).abs() < 1e-9);
}

#[test]
fn page_rank_over_referrals_ranks_the_sample_advocates() {
    let top = run(
        sample(),
        "CALL algo.pageRank({nodes: ['Customer'], relationships: ['REFERRED'], direction: 'REVERSE'})
         YIELD node, score RETURN node.name ORDER BY score DESC LIMIT 1",
    );
    assert_eq!(top, vec![vec![Value::String("Juniper Architects".into())]]);
}

/// Components by union-find over an edge list returned by plain openCypher.
fn slow_components(ids: &[i64], edges: &[(i64, i64)]) -> BTreeMap<i64, i64> {
    let mut parent: BTreeMap<i64, i64> = ids.iter().map(|i| (*i, *i)).collect();
    fn find(p: &mut BTreeMap<i64, i64>, x: i64) -> i64 {
        let mut r = x;
        while p[&r] != r {
            r = p[&r];
        }
        r
    }
    for (a, b) in edges {
        let (ra, rb) = (find(&mut parent, *a), find(&mut parent, *b));
        if ra != rb {
            let (lo, hi) = (ra.min(rb), ra.max(rb));
            parent.insert(hi, lo);
        }
    }
    ids.iter().map(|i| (*i, find(&mut parent, *i))).collect()
}

#[test]
fn weak_components_match_union_find_on_the_sample() {
    let db = sample();
    let ids: Vec<i64> = run(db, "MATCH (c:Customer) RETURN id(c)")
        .iter()
        .map(|r| float(&r[0]) as i64)
        .collect();
    let edges: Vec<(i64, i64)> = run(
        db,
        "MATCH (a:Customer)-[:REFERRED]->(b:Customer) RETURN id(a), id(b)",
    )
    .iter()
    .map(|r| (float(&r[0]) as i64, float(&r[1]) as i64))
    .collect();
    let expected = slow_components(&ids, &edges);
    let ours: BTreeMap<i64, i64> = run(
        db,
        "CALL algo.weaklyConnectedComponents({nodes: ['Customer'], relationships: ['REFERRED']})
         YIELD node, componentId RETURN id(node), componentId",
    )
    .iter()
    .map(|r| (float(&r[0]) as i64, float(&r[1]) as i64))
    .collect();
    assert_eq!(ours, expected);
    let sizes: BTreeSet<usize> = {
        let mut count: BTreeMap<i64, usize> = BTreeMap::new();
        for c in ours.values() {
            *count.entry(*c).or_default() += 1;
        }
        count.into_values().collect()
    };
    assert!(
        sizes.iter().any(|s| *s > 3),
        "some referral chain: {sizes:?}"
    );
}

#[test]
fn strong_components_follow_direction() {
    let db = db_with(
        "CREATE (a {name: 'A'}), (b {name: 'B'}), (c {name: 'C'}), (d {name: 'D'}),
         (a)-[:R]->(b), (b)-[:R]->(c), (c)-[:R]->(a), (c)-[:R]->(d)",
    );
    let rows = run(
        &db,
        "CALL algo.stronglyConnectedComponents() YIELD node, componentId
         WITH componentId, collect(node.name) AS members
         RETURN size(members) ORDER BY size(members)",
    );
    assert_eq!(rows, vec![vec![Value::Int(1)], vec![Value::Int(3)]]);
    let weak = run(
        &db,
        "CALL algo.weaklyConnectedComponents() YIELD componentId RETURN count(DISTINCT componentId)",
    );
    assert_eq!(weak, vec![vec![Value::Int(1)]]);
}

#[test]
fn betweenness_counts_shortest_paths_through_each_node() {
    let db = db_with(
        "CREATE (a {name: 'A'}), (b {name: 'B'}), (c {name: 'C'}), (d {name: 'D'}),
                (x {name: 'X'}), (l1 {name: 'L1'}), (l2 {name: 'L2'}), (l3 {name: 'L3'}), (l4 {name: 'L4'}),
         (a)-[:R]->(b), (b)-[:R]->(c), (c)-[:R]->(d),
         (x)-[:S]->(l1), (x)-[:S]->(l2), (x)-[:S]->(l3), (x)-[:S]->(l4)",
    );
    let path = by_name(run(
        &db,
        "CALL algo.betweenness({relationships: ['R']}) YIELD node, score
         WHERE node.name IN ['A', 'B', 'C', 'D'] RETURN node.name, score",
    ));
    assert_eq!(
        path,
        BTreeMap::from([
            ("A".into(), 0.0),
            ("B".into(), 2.0),
            ("C".into(), 2.0),
            ("D".into(), 0.0)
        ])
    );
    let star = by_name(run(
        &db,
        "CALL algo.betweenness({relationships: ['S']}) YIELD node, score
         WHERE node.name STARTS WITH 'X' RETURN node.name, score",
    ));
    // The centre lies on the one shortest path of each of the 4 * 3 / 2 leaf pairs.
    assert_eq!(star, BTreeMap::from([("X".into(), 6.0)]));
}

#[test]
fn articulation_points_are_the_cut_vertices() {
    let db = db_with(
        "CREATE (a {name: 'A'}), (b {name: 'B'}), (x {name: 'X'}), (c {name: 'C'}), (d {name: 'D'}),
                (e {name: 'E'}),
         (a)-[:R]->(b), (b)-[:R]->(x), (x)-[:R]->(a),
         (x)-[:R]->(c), (c)-[:R]->(d), (d)-[:R]->(x), (d)-[:R]->(e)",
    );
    let rows = run(
        &db,
        "CALL algo.articulationPoints() YIELD node RETURN node.name ORDER BY node.name",
    );
    assert_eq!(
        rows,
        vec![
            vec![Value::String("D".into())],
            vec![Value::String("X".into())]
        ]
    );
}

#[test]
fn degree_equals_counting_relationships() {
    let db = sample();
    let ours = run(
        db,
        "CALL algo.degree({nodes: ['Customer', 'Order'], relationships: ['PLACED']}) YIELD node, degree
         WHERE node:Customer RETURN id(node), degree ORDER BY id(node)",
    );
    let engine = run(
        db,
        "MATCH (c:Customer) OPTIONAL MATCH (c)-[r:PLACED]->(:Order) RETURN id(c), count(r) ORDER BY id(c)",
    );
    assert_eq!(ours, engine);
    let incoming = run(
        db,
        "CALL algo.degree({nodes: ['Customer', 'Order'], relationships: ['PLACED'], direction: 'REVERSE'})
         YIELD node, degree WHERE node:Order RETURN min(degree), max(degree)",
    );
    assert_eq!(incoming, vec![vec![Value::Int(1), Value::Int(1)]]);
    let weighted = db_with(WEIGHTED);
    let w = by_name(run(
        &weighted,
        "CALL algo.degree({weightProperty: 'w', direction: 'UNDIRECTED'}) YIELD node, degree RETURN node.name, degree",
    ));
    assert_eq!(w["C"], 7.5);
}

#[test]
fn node_similarity_is_jaccard_of_neighbours() {
    let db = db_with(
        "CREATE (a {name: 'A'}), (b {name: 'B'}), (c {name: 'C'}), (x {name: 'X'}), (y {name: 'Y'}), (z {name: 'Z'}),
         (a)-[:BUYS]->(x), (a)-[:BUYS]->(y), (b)-[:BUYS]->(x), (b)-[:BUYS]->(y), (b)-[:BUYS]->(z),
         (c)-[:BUYS]->(z)",
    );
    let rows = run(
        &db,
        "CALL algo.nodeSimilarity() YIELD node1, node2, similarity
         RETURN node1.name + node2.name, similarity ORDER BY node1.name, node2.name",
    );
    let pairs = by_name(rows);
    let expected = BTreeMap::from([
        ("AB".to_owned(), 2.0 / 3.0),
        ("BA".to_owned(), 2.0 / 3.0),
        ("BC".to_owned(), 1.0 / 3.0),
        ("CB".to_owned(), 1.0 / 3.0),
    ]);
    assert_eq!(pairs, expected);
    let top1 = run(
        &db,
        "CALL algo.nodeSimilarity({topK: 1}) YIELD node1 WHERE node1.name = 'B' RETURN count(*)",
    );
    assert_eq!(top1, vec![vec![Value::Int(1)]]);
}

#[test]
fn louvain_finds_two_cliques_joined_by_a_bridge() {
    let mut script = String::from("CREATE ");
    let names: Vec<String> = (0..8).map(|i| format!("(n{i} {{name: 'n{i}'}})")).collect();
    script.push_str(&names.join(", "));
    for group in [0..4, 4..8] {
        for a in group.clone() {
            for b in group.clone() {
                if a < b {
                    script.push_str(&format!(", (n{a})-[:K]->(n{b})"));
                }
            }
        }
    }
    script.push_str(", (n3)-[:K]->(n4)");
    let db = db_with(&script);
    let rows = run(
        &db,
        "CALL algo.louvain() YIELD node, communityId
         WITH communityId, collect(node.name) AS members
         RETURN members ORDER BY communityId",
    );
    let sets: Vec<BTreeSet<String>> = rows
        .iter()
        .map(|r| match &r[0] {
            Value::List(xs) => xs.iter().map(text).collect(),
            other => panic!("{other:?}"),
        })
        .collect();
    let expect = |r: std::ops::Range<i32>| r.map(|i| format!("n{i}")).collect::<BTreeSet<_>>();
    assert_eq!(sets, vec![expect(0..4), expect(4..8)]);
}

#[test]
fn louvain_and_similarity_run_on_the_sample() {
    let db = sample();
    let communities = run(
        db,
        "CALL algo.louvain({nodes: ['Customer', 'Staff'], relationships: ['SERVES']})
         YIELD communityId RETURN count(DISTINCT communityId)",
    );
    let n = float(&communities[0][0]);
    assert!(n > 1.0 && n < 300.0, "{n} communities");
    let similar = run(
        db,
        "CALL algo.nodeSimilarity({nodes: ['Customer', 'Product', 'Order'], relationships: ['PLACED']})
         YIELD similarity RETURN count(*)",
    );
    // Orders belong to one customer each: customers share no order.
    assert_eq!(similar, vec![vec![Value::Int(0)]]);
}

fn error_kind(db: &Database, query: &str) -> ExecErrorKind {
    match db.query_all(query, Map::new()) {
        Err(Error::Exec(e)) => e.kind(),
        other => panic!("{query}: expected an execution error, got {other:?}"),
    }
}

#[test]
fn bad_configuration_is_a_clear_error() {
    let db = db_with(WEIGHTED);
    assert_eq!(
        error_kind(&db, "CALL algo.pageRank({iterationz: 3})"),
        ExecErrorKind::ArgumentError
    );
    assert_eq!(
        error_kind(&db, "CALL algo.pageRank({nodes: 3})"),
        ExecErrorKind::TypeError
    );
    assert_eq!(
        error_kind(&db, "CALL algo.pageRank({dampingFactor: 2})"),
        ExecErrorKind::ArgumentError
    );
    assert_eq!(
        error_kind(
            &db,
            "CALL algo.pageRank({iterations: 1000000000, tolerance: 0})"
        ),
        ExecErrorKind::ArgumentError
    );
    assert_eq!(
        error_kind(&db, "CALL algo.degree({direction: 'SIDEWAYS'})"),
        ExecErrorKind::ArgumentError
    );
    assert_eq!(
        error_kind(&db, "CALL algo.degree('P')"),
        ExecErrorKind::TypeError
    );
    assert_eq!(
        error_kind(
            &db,
            "MATCH (a {name: 'A'}), (d {name: 'D'}) CALL algo.shortestPath(a, d, {nodes: ['Q']}) YIELD cost RETURN cost"
        ),
        ExecErrorKind::ArgumentError
    );
    assert_eq!(
        error_kind(&db, "CALL algo.shortestPath(1, 2)"),
        ExecErrorKind::TypeError
    );
    let negative = db_with("CREATE (a {name: 'A'})-[:R {w: -1}]->(b {name: 'B'})");
    assert_eq!(
        error_kind(
            &negative,
            "MATCH (a {name: 'A'}), (b {name: 'B'}) CALL algo.shortestPath(a, b, {weightProperty: 'w'}) YIELD cost RETURN cost"
        ),
        ExecErrorKind::ArgumentError
    );
}

#[test]
fn projections_filter_by_label_and_type() {
    let db = db_with(
        "CREATE (a:P {name: 'A'}), (b:P {name: 'B'}), (q:Q {name: 'Q'}),
         (a)-[:X]->(b), (a)-[:Y]->(b), (a)-[:X]->(q)",
    );
    let degree = |config: &str| {
        by_name(run(
            &db,
            &format!("CALL algo.degree({config}) YIELD node, degree RETURN node.name, degree"),
        ))
    };
    assert_eq!(degree("{}")["A"], 3.0);
    assert_eq!(degree("{relationships: ['X']}")["A"], 2.0);
    assert_eq!(degree("{nodes: ['P'], relationships: 'X'}")["A"], 1.0);
    assert!(!degree("{nodes: ['P']}").contains_key("Q"));
    assert_eq!(degree("{relationships: ['NEVER_SEEN']}")["A"], 0.0);
}

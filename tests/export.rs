//! Getting data out: the neo4j-csv bundle reloads with `import` to the same graph (the
//! generator's 1,000-customer bundle, and a graph of every value type), the Cypher script
//! rebuilds it, JSON lines keep value types, GraphML is well-formed XML with key declarations,
//! `--query` exports a subgraph; dump -> restore gives the same graph with its indexes and
//! constraints; damaged, truncated, foreign or newer dump files are refused with their own
//! error and leave the target as it was; compaction keeps the graph and refuses an open store.

mod common;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use cordial::export::{self, ExportError, ExportFormat};
use cordial::import::{ImportOptions, import_bundle};
use cordial::{Database, GraphRead, Map, StorageError, Value};

fn shared_dir() -> PathBuf {
    std::env::var_os("CORDIAL_SHARED_DIR").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared"),
        PathBuf::from,
    )
}

/// The generator's bundle for `customers` customers, imported into a new in-memory database.
fn crm(customers: u32) -> Database {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("bundle");
    let status = Command::new("python3")
        .arg(shared_dir().join("bench/gen_crm.py"))
        .args(["--customers", &customers.to_string(), "--out"])
        .arg(&out)
        .output()
        .expect("run python3");
    assert!(status.status.success(), "gen_crm.py failed");
    let db = Database::in_memory().unwrap();
    import_bundle(&db, &out, &ImportOptions::default(), &mut |_| {}).unwrap();
    db
}

/// The graph without internal ids: every node as its sorted labels and exact properties, every
/// relationship as its type, its ends' descriptions and its properties; both lists sorted.
fn canon(db: &Database) -> (Vec<String>, Vec<String>) {
    let s = db.begin_read();
    let props = |p: Vec<(u32, Value)>| -> Vec<(String, String)> {
        let mut p: Vec<_> = p
            .into_iter()
            .map(|(k, v)| (s.key_name(k).unwrap().to_owned(), common::exact(&v)))
            .collect();
        p.sort();
        p
    };
    let mut described = HashMap::new();
    let mut nodes = Vec::new();
    for n in s.all_nodes().unwrap() {
        let mut labels: Vec<_> = s
            .node_labels(n)
            .unwrap()
            .into_iter()
            .map(|l| s.label_name(l).unwrap().to_owned())
            .collect();
        labels.sort();
        let text = format!("{labels:?} {:?}", props(s.node_properties(n).unwrap()));
        described.insert(n, text.clone());
        nodes.push(text);
    }
    let mut rels = Vec::new();
    for r in s.all_relationships().unwrap() {
        let info = s.relationship(r).unwrap().unwrap();
        rels.push(format!(
            "{} ({}) -> ({}) {:?}",
            s.type_name(info.rel_type).unwrap(),
            described[&info.start],
            described[&info.end],
            props(s.rel_properties(r).unwrap())
        ));
    }
    nodes.sort();
    rels.sort();
    (nodes, rels)
}

fn schema(db: &Database) -> (Vec<String>, Vec<String>) {
    let s = db.begin_read();
    let mut indexes: Vec<_> = s
        .indexes()
        .into_iter()
        .filter(|i| !i.implicit)
        .map(|i| format!("{} {} {}", i.name, i.label, i.key))
        .collect();
    let mut constraints: Vec<_> = s
        .constraints()
        .into_iter()
        .map(|c| format!("{} {} {} {:?}", c.name, c.label, c.key, c.kind))
        .collect();
    indexes.sort();
    constraints.sort();
    (indexes, constraints)
}

fn export_to(
    db: &Database,
    dir: &Path,
    format: ExportFormat,
    query: Option<&str>,
) -> export::ExportSummary {
    export::export(db, dir, format, query, &mut |_| {}).unwrap()
}

fn reimport(dir: &Path) -> Database {
    let db = Database::in_memory().unwrap();
    import_bundle(&db, dir, &ImportOptions::default(), &mut |_| {}).unwrap();
    db
}

/// Runs a Cypher export script (one statement per line) into a new in-memory database.
fn run_script(path: &Path) -> Database {
    let db = Database::in_memory().unwrap();
    let text = std::fs::read_to_string(path).unwrap();
    for line in text
        .lines()
        .filter(|l| !l.starts_with("//") && !l.is_empty())
    {
        db.query_all(line, Map::new())
            .unwrap_or_else(|e| panic!("{e}\n{}", &line[..line.len().min(300)]));
    }
    db
}

#[test]
fn the_crm_bundle_round_trips_through_csv_and_cypher() {
    let db = crm(1000);
    let expected = canon(&db);
    assert!(expected.0.len() > 5000 && expected.1.len() > 5000);
    let dir = tempfile::tempdir().unwrap();

    let csv = dir.path().join("csv");
    let summary = export_to(&db, &csv, ExportFormat::Neo4jCsv, None);
    assert_eq!(summary.nodes as usize, expected.0.len());
    assert_eq!(summary.relationships as usize, expected.1.len());
    assert!(csv.join("nodes/Customer.csv").is_file());
    assert!(
        canon(&reimport(&csv)) == expected,
        "import -> export -> import changed the graph"
    );

    let cypher = dir.path().join("cypher");
    export_to(&db, &cypher, ExportFormat::Cypher, None);
    let rebuilt = run_script(&cypher.join("graph.cypher"));
    assert!(
        canon(&rebuilt) == expected,
        "the Cypher script built another graph"
    );
    // The temporary label and index are gone.
    let s = rebuilt.begin_read();
    let temp = s.label_id("_CordialExport").unwrap();
    assert_eq!(s.count_nodes(Some(temp)).unwrap(), 0);
    assert!(
        s.indexes()
            .iter()
            .all(|i| i.label != "_CordialExport" || i.implicit)
    );
}

/// A graph holding every value type, with labels and types that are awkward as file names.
fn every_value(db: &Database, csv_only: bool) {
    let mut txn = db.begin_write().unwrap();
    let unrepresentable = ["string_empty", "list_empty", "list_mixed"];
    let mut previous = None;
    for (name, value) in common::sample_values() {
        if csv_only && unrepresentable.contains(&name) {
            continue;
        }
        let node = txn
            .add_node(
                &["Value", "Sample kind", "Ünïcode"],
                &[(name, value.clone())],
            )
            .unwrap();
        if let Some(prev) = previous {
            txn.add_relationship("NEXT VALUE", prev, node, &[(name, value)])
                .unwrap();
        }
        previous = Some(node);
    }
    let strings = [
        "comma, here",
        "quote \" and '",
        "line\nbreak\r\n",
        "semi;colon",
        "  padded  ",
        "ß 北京 🚀",
        "1e300",
        "\\backslash",
    ];
    for (i, s) in strings.iter().enumerate() {
        let a = txn
            .add_node(
                &["Text"],
                &[
                    ("s", Value::String((*s).into())),
                    ("i", Value::Int(i as i64)),
                ],
            )
            .unwrap();
        txn.add_relationship("SAYS", a, a, &[("s", Value::String((*s).into()))])
            .unwrap();
    }
    for f in [1e300, -0.0, 0.1, f64::MIN_POSITIVE, f64::INFINITY, -1e-300] {
        txn.add_node(
            &["Float"],
            &[
                ("f", Value::Float(f)),
                (
                    "fs",
                    Value::List(vec![Value::Float(f), Value::Float(2.0)].into()),
                ),
            ],
        )
        .unwrap();
    }
    txn.add_node(
        &["Tags"],
        &[(
            "tags",
            Value::List((vec![Value::String("a b".into()), Value::String("c,d".into())]).into()),
        )],
    )
    .unwrap();
    // One key with two types on one label: two files.
    txn.add_node(&["Mixed"], &[("x", Value::Int(1))]).unwrap();
    txn.add_node(&["Mixed"], &[("x", Value::String("one".into()))])
        .unwrap();
    txn.commit().unwrap();
}

#[test]
fn every_value_type_round_trips_through_csv_cypher_and_dump() {
    let db = Database::in_memory().unwrap();
    every_value(&db, true);
    let expected = canon(&db);
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("csv");
    export_to(&db, &csv, ExportFormat::Neo4jCsv, None);
    assert!(canon(&reimport(&csv)) == expected, "csv changed the values");

    // The full sample, including what CSV cannot hold, through Cypher and dump.
    let db = Database::in_memory().unwrap();
    every_value(&db, false);
    let expected = canon(&db);
    let cypher = dir.path().join("cypher");
    export_to(&db, &cypher, ExportFormat::Cypher, None);
    assert!(
        canon(&run_script(&cypher.join("graph.cypher"))) == expected,
        "cypher changed the values"
    );
    let file = dir.path().join("values.dump");
    export::dump(&db, &file, &mut |_| {}).unwrap();
    let restored = Database::in_memory().unwrap();
    export::restore_into(&restored, &file, &mut |_| {}).unwrap();
    assert!(canon(&restored) == expected, "dump changed the values");

    // CSV refuses the empty string rather than lose it, and leaves the directory empty.
    let refused = dir.path().join("refused");
    let error =
        export::export(&db, &refused, ExportFormat::Neo4jCsv, None, &mut |_| {}).unwrap_err();
    assert!(
        matches!(error, ExportError::Unrepresentable { .. }),
        "{error}"
    );
    assert_eq!(std::fs::read_dir(&refused).unwrap().count(), 0);
}

#[test]
fn jsonl_keeps_types_and_graphml_is_well_formed() {
    let db = Database::in_memory().unwrap();
    every_value(&db, false);
    let (nodes, rels) = canon(&db);
    let dir = tempfile::tempdir().unwrap();

    let jsonl = dir.path().join("jsonl");
    export_to(&db, &jsonl, ExportFormat::Jsonl, None);
    let text = std::fs::read_to_string(jsonl.join("graph.jsonl")).unwrap();
    let objects: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is a JSON object"))
        .collect();
    let count = |kind: &str| objects.iter().filter(|o| o["type"] == kind).count();
    assert_eq!(
        (count("node"), count("relationship")),
        (nodes.len(), rels.len())
    );
    let props: Vec<&serde_json::Value> = objects.iter().map(|o| &o["properties"]).collect();
    let find = |key: &str| props.iter().find_map(|p| p.get(key)).unwrap().clone();
    assert_eq!(find("int_min"), serde_json::json!(i64::MIN));
    assert!(find("float").is_f64());
    assert_eq!(find("float_nan"), serde_json::json!({"$float": "NaN"}));
    assert_eq!(find("date"), serde_json::json!({"$date": "2024-02-29"}));
    assert_eq!(
        find("datetime_zone"),
        serde_json::json!({"$datetime": "2024-02-29T13:45:07.123456789+01:00[Europe/Paris]"})
    );

    let graphml = dir.path().join("graphml");
    export_to(&db, &graphml, ExportFormat::GraphMl, None);
    let xml = std::fs::read_to_string(graphml.join("graph.graphml")).unwrap();
    check_xml(&xml);
    assert_eq!(xml.matches("<node id=").count(), nodes.len());
    assert_eq!(xml.matches("<edge id=").count(), rels.len());
    assert!(xml.contains("<key id=\"n_int\" for=\"node\" attr.name=\"int\" attr.type=\"long\"/>"));
    assert!(xml.contains("attr.name=\"s\" attr.type=\"string\""));
    for n in db.begin_read().all_nodes().unwrap() {
        assert!(xml.contains(&format!("<node id=\"n{}\"", n.0)));
    }
    assert_eq!(
        std::fs::read_dir(&graphml).unwrap().count(),
        1,
        "no scratch file is left"
    );
}

/// A small XML well-formedness check: balanced tags, quoted attributes, known entities, and no
/// raw `<` or `&` in text.
fn check_xml(xml: &str) {
    let mut stack: Vec<&str> = Vec::new();
    let mut rest = xml.strip_prefix("<?xml").expect("XML declaration");
    rest = &rest[rest.find("?>").unwrap() + 2..];
    let entity_ok = |text: &str| {
        let mut t = text;
        while let Some(at) = t.find('&') {
            let end = t[at..].find(';').expect("entity ends with ;");
            let name = &t[at + 1..at + end];
            assert!(
                ["amp", "lt", "gt", "quot", "apos"].contains(&name)
                    || name.starts_with('#') && name[1..].parse::<u32>().is_ok(),
                "bad entity &{name};"
            );
            t = &t[at + end..];
        }
    };
    while let Some(open) = rest.find('<') {
        let text = &rest[..open];
        assert!(!text.contains('>'), "raw > in text");
        entity_ok(text);
        let close = rest[open..].find('>').expect("tag closes") + open;
        let tag = &rest[open + 1..close];
        assert!(!tag.contains('<'), "raw < inside a tag: {tag}");
        let quotes = tag.matches('"').count();
        assert_eq!(quotes % 2, 0, "unbalanced quotes in <{tag}>");
        entity_ok(tag);
        if let Some(name) = tag.strip_prefix('/') {
            assert_eq!(stack.pop(), Some(name), "mismatched </{name}>");
        } else if !tag.ends_with('/') {
            stack.push(tag.split_whitespace().next().unwrap());
        }
        rest = &rest[close + 1..];
    }
    assert!(rest.trim().is_empty());
    assert!(stack.is_empty(), "unclosed {stack:?}");
}

#[test]
fn a_query_exports_its_subgraph_with_relationship_ends() {
    let db = crm(100);
    let customer: String = db
        .query_all(
            "MATCH (c:Customer)-[:PLACED]->() RETURN c.id AS id ORDER BY id LIMIT 1",
            Map::new(),
        )
        .unwrap()
        .rows[0]
        .get("id")
        .unwrap();
    let mut params = Map::new();
    params.insert("id".into(), Value::String(customer.clone().into()));
    let orders = db
        .query_all(
            "MATCH (:Customer {id: $id})-[:PLACED]->(o) RETURN count(o) AS n",
            params,
        )
        .unwrap()
        .rows[0]
        .get::<i64>("n")
        .unwrap() as usize;
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("sub");
    let query = format!("MATCH (c:Customer {{id: '{customer}'}})-[r:PLACED]->() RETURN r");
    let summary = export_to(&db, &out, ExportFormat::Neo4jCsv, Some(&query));
    assert_eq!(summary.relationships as usize, orders);
    assert_eq!(
        summary.nodes as usize,
        orders + 1,
        "the relationships' ends come along"
    );
    let sub = reimport(&out);
    let s = sub.begin_read();
    assert_eq!(s.count_nodes(s.label_id("Customer")).unwrap(), 1);
    assert_eq!(s.count_nodes(s.label_id("Order")).unwrap() as usize, orders);

    // A failing query, a bad format name and a used directory are clear errors.
    let error = export::export(
        &db,
        &dir.path().join("x"),
        ExportFormat::Jsonl,
        Some("MATCH (n RETURN n"),
        &mut |_| {},
    )
    .unwrap_err();
    assert!(matches!(error, ExportError::Query(_)), "{error}");
    // The query runs on the export's snapshot, so it may only read: one that writes is
    // refused before it runs, and the graph is unchanged.
    let before = db.begin_read().count_nodes(None).unwrap();
    let error = export::export(
        &db,
        &dir.path().join("y"),
        ExportFormat::Jsonl,
        Some("MATCH (c:Customer) DETACH DELETE c RETURN count(*)"),
        &mut |_| {},
    )
    .unwrap_err();
    assert!(
        matches!(&error, ExportError::Query(e) if matches!(**e, cordial::Error::WriteOnSnapshot)),
        "{error}"
    );
    assert_eq!(db.begin_read().count_nodes(None).unwrap(), before);
    assert!("xml".parse::<ExportFormat>().is_err());
    let error = export::export(&db, &out, ExportFormat::Jsonl, None, &mut |_| {}).unwrap_err();
    assert!(
        matches!(error, ExportError::TargetNotEmpty { .. }),
        "{error}"
    );
}

/// A database with schema, label-less nodes and a self-loop, on disk.
fn with_schema(path: &Path) -> Database {
    let db = Database::open(path).unwrap();
    every_value(&db, false);
    for q in [
        "CREATE INDEX text_s FOR (t:Text) ON (t.s)",
        "CREATE CONSTRAINT text_i FOR (t:Text) REQUIRE t.i IS UNIQUE",
        "CREATE CONSTRAINT text_s_present FOR (t:Text) REQUIRE t.s IS NOT NULL",
        "CREATE (a {name: 'no label'})-[:LINKS {w: 1}]->(b:Text {s: 'labelled', i: 100}), (a)-[:SELF]->(a)",
    ] {
        db.query_all(q, Map::new()).unwrap();
    }
    db
}

#[test]
fn dump_and_restore_keep_the_graph_and_its_schema() {
    let dir = tempfile::tempdir().unwrap();
    let db = with_schema(&dir.path().join("source"));
    let expected = (canon(&db), schema(&db));
    assert_eq!(expected.1.0.len(), 1);
    let file = dir.path().join("backup.dump");
    let summary = export::dump(&db, &file, &mut |_| {}).unwrap();
    assert_eq!(summary.constraints, 2);
    db.close().unwrap();

    let target = dir.path().join("restored");
    let restored = export::restore(&file, &target, &mut |_| {}).unwrap();
    assert_eq!(restored.nodes, summary.nodes);
    let db = Database::open(&target).unwrap();
    assert!(
        (canon(&db), schema(&db)) == expected,
        "restore changed the graph or schema"
    );
    // The constraints hold in the restored database.
    let error = db
        .query_all("CREATE (:Text {s: 'dup', i: 0})", Map::new())
        .unwrap_err();
    assert!(error.to_string().contains("already exists"), "{error}");

    // A non-empty target is refused and untouched.
    let before = common::fingerprint(&target);
    drop(db);
    let error = export::restore(&file, &target, &mut |_| {}).unwrap_err();
    assert!(
        matches!(error, ExportError::RestoreTargetNotEmpty { .. }),
        "{error}"
    );
    assert_eq!(common::fingerprint(&target).len(), before.len());
}

#[test]
fn bad_dump_files_are_refused_and_change_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = with_schema(&dir.path().join("source"));
    let file = dir.path().join("good.dump");
    export::dump(&db, &file, &mut |_| {}).unwrap();
    let good = std::fs::read(&file).unwrap();
    let write = |name: &str, bytes: &[u8]| {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        path
    };
    let target = dir.path().join("target");
    let restore = |path: &Path| {
        let error = export::restore(path, &target, &mut |_| {}).unwrap_err();
        assert!(
            !target.exists(),
            "a failed restore left {}",
            target.display()
        );
        error
    };

    let error = restore(&dir.path().join("missing.dump"));
    assert!(matches!(error, ExportError::Io { .. }), "{error}");
    let error = restore(&write("foreign.dump", b"name,email\nx,y\n"));
    assert!(matches!(error, ExportError::NotADump { .. }), "{error}");
    let mut newer = good.clone();
    newer[8] = 2;
    let error = restore(&write("newer.dump", &newer));
    assert!(
        matches!(
            error,
            ExportError::DumpVersion {
                found: 2,
                supported: 1,
                ..
            }
        ),
        "{error}"
    );
    let mut flipped = good.clone();
    let middle = flipped.len() / 2;
    flipped[middle] ^= 0x20;
    let error = restore(&write("flipped.dump", &flipped));
    assert!(matches!(error, ExportError::DumpChecksum { .. }), "{error}");
    for cut in [good.len() - 1, good.len() - 20, good.len() / 3, 13] {
        let error = restore(&write("cut.dump", &good[..cut]));
        assert!(
            matches!(error, ExportError::DumpTruncated { .. }),
            "cut at {cut}: {error}"
        );
    }
    let mut longer = good.clone();
    longer.extend_from_slice(b"junk");
    let error = restore(&write("longer.dump", &longer));
    assert!(
        matches!(
            error,
            ExportError::DumpCorrupt { .. } | ExportError::DumpTruncated { .. }
        ),
        "{error}"
    );

    // Into a database with data: refused before reading further, the database unchanged.
    let busy = Database::in_memory().unwrap();
    busy.query_all("CREATE (:Kept)", Map::new()).unwrap();
    let error = export::restore_into(&busy, &file, &mut |_| {}).unwrap_err();
    assert!(
        matches!(error, ExportError::RestoreTargetNotEmpty { .. }),
        "{error}"
    );
    assert_eq!(busy.begin_read().count_nodes(None).unwrap(), 1);
}

#[test]
fn compaction_keeps_the_graph_reclaims_space_and_refuses_an_open_store() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    let db = with_schema(&path);
    for i in 0..20 {
        db.query_all(
            "UNWIND range(1, 500) AS i CREATE (:Scratch {i: i, pad: 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx', round: $r})",
            [("r".to_owned(), Value::Int(i))].into_iter().collect(),
        )
        .unwrap();
        db.checkpoint().unwrap();
    }
    db.query_all("MATCH (s:Scratch) DELETE s", Map::new())
        .unwrap();
    db.checkpoint().unwrap();
    let expected = (canon(&db), schema(&db));

    let error = cordial::compact(&path, &mut |_, _| {}).unwrap_err();
    assert!(matches!(error, StorageError::Locked { .. }), "{error}");
    db.close().unwrap();

    let stats = cordial::compact(&path, &mut |_, _| {}).unwrap();
    assert!(stats.bytes_after < stats.bytes_before, "{stats:?}");
    let db = Database::open(&path).unwrap();
    assert!(
        (canon(&db), schema(&db)) == expected,
        "compaction changed the graph"
    );
    db.query_all("CREATE (:After {ok: true})", Map::new())
        .unwrap();
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        1,
        "no temporary directory is left"
    );
}

/// Runs the `cordial` binary with `--db db`.
fn cli(db: &Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_cordial"))
        .arg("--db")
        .arg(db)
        .args(args)
        .output()
        .expect("run cordial")
}

#[test]
fn the_command_line_exports_dumps_restores_and_compacts() {
    let dir = tempfile::tempdir().unwrap();
    let db_path = dir.path().join("db");
    let db = with_schema(&db_path);
    let expected = (canon(&db), schema(&db));
    db.close().unwrap();
    let text = |o: &std::process::Output| {
        format!(
            "{}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        )
    };

    let out = dir.path().join("out");
    let done = cli(
        &db_path,
        &["export", "--format", "jsonl", out.to_str().unwrap()],
    );
    assert!(done.status.success(), "{}", text(&done));
    assert!(text(&done).contains("exported"), "{}", text(&done));
    assert!(
        done.stderr.is_empty(),
        "no progress bar off a terminal: {}",
        text(&done)
    );
    let done = cli(
        &db_path,
        &[
            "export",
            "--format",
            "xml",
            dir.path().join("x").to_str().unwrap(),
        ],
    );
    assert!(!done.status.success() && text(&done).contains("unknown export format"));

    let file = dir.path().join("db.dump");
    let done = cli(&db_path, &["dump", file.to_str().unwrap()]);
    assert!(done.status.success(), "{}", text(&done));
    let restored = dir.path().join("restored");
    let done = cli(&restored, &["restore", file.to_str().unwrap()]);
    assert!(done.status.success(), "{}", text(&done));
    let done = cli(&restored, &["restore", file.to_str().unwrap()]);
    assert!(
        !done.status.success() && text(&done).contains("restore needs a new or empty database"),
        "{}",
        text(&done)
    );
    let done = cli(&db_path, &["compact"]);
    assert!(
        done.status.success() && text(&done).contains("before"),
        "{}",
        text(&done)
    );
    for path in [&restored, &db_path] {
        let db = Database::open(path).unwrap();
        assert!((canon(&db), schema(&db)) == expected, "{}", path.display());
    }
}

#[test]
fn an_empty_graph_dumps_restores_and_exports() {
    let dir = tempfile::tempdir().unwrap();
    let db = Database::in_memory().unwrap();
    let file = dir.path().join("empty.dump");
    let summary = export::dump(&db, &file, &mut |_| {}).unwrap();
    assert_eq!((summary.nodes, summary.relationships), (0, 0));
    let target = dir.path().join("restored");
    export::restore(&file, &target, &mut |_| {}).unwrap();
    let restored = Database::open(&target).unwrap();
    assert_eq!(restored.begin_read().count_nodes(None).unwrap(), 0);
    let out = dir.path().join("jsonl");
    assert_eq!(export_to(&db, &out, ExportFormat::Jsonl, None).bytes, 0);
    let cypher = dir.path().join("cypher");
    export_to(&db, &cypher, ExportFormat::Cypher, None);
    assert_eq!(
        run_script(&cypher.join("graph.cypher"))
            .begin_read()
            .count_nodes(None)
            .unwrap(),
        0
    );
    // A CSV bundle needs a node file, so the importer would refuse an empty one: said plainly.
    let error = export::export(
        &db,
        &dir.path().join("csv"),
        ExportFormat::Neo4jCsv,
        None,
        &mut |_| {},
    )
    .unwrap_err();
    assert!(
        matches!(error, ExportError::Unrepresentable { .. }),
        "{error}"
    );
}

/// `query_on` reads the snapshot it is given, not what committed after it.
#[test]
fn a_query_on_a_snapshot_sees_that_snapshot() {
    let db = Database::in_memory().unwrap();
    db.query_all("CREATE (:P {n: 1})", Map::new()).unwrap();
    let snapshot = db.begin_read();
    db.query_all("CREATE (:P {n: 2})", Map::new()).unwrap();
    let count = |rows: cordial::Rows| rows.into_result().unwrap().rows.len();
    assert_eq!(
        count(
            db.query_on(
                &snapshot,
                &db.prepare("MATCH (p:P) RETURN p").unwrap(),
                Map::new()
            )
            .unwrap()
        ),
        1
    );
    assert_eq!(
        count(db.query("MATCH (p:P) RETURN p", Map::new()).unwrap()),
        2
    );
}

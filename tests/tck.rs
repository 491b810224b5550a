//! The openCypher TCK runner. Reads the Gherkin features under `../shared/tck/features` (or
//! `CORDIAL_TCK_DIR`; the files are never copied here), runs every scenario on a fresh
//! in-memory database, and compares results, side effects and errors as the TCK's README says.
//!
//! Scenarios that fail today are listed in `tests/tck/expected_failures.txt`, each with a
//! reason. The test fails when an unlisted scenario fails, and when a listed one passes (so the
//! list only shrinks). `CORDIAL_TCK_UPDATE=1` rewrites the list from this run.

#[path = "tck/gherkin.rs"]
mod gherkin;
#[path = "tck/values.rs"]
mod values;

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use cordial::{Database, Error, Map, Phase, Value};
use gherkin::Scenario;
use values::TckValue;

fn features_dir() -> PathBuf {
    std::env::var_os("CORDIAL_TCK_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/tck/features"))
}

fn expected_failures_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/tck/expected_failures.txt")
}

/// A TCK value as a query parameter.
fn to_value(v: &TckValue) -> Value {
    match v {
        TckValue::Null => Value::Null,
        TckValue::Bool(b) => Value::Bool(*b),
        TckValue::Int(i) => Value::Int(*i),
        TckValue::Float(f) => Value::Float(*f),
        TckValue::String(s) => Value::String(s.clone().into()),
        TckValue::List(items) => Value::List(items.iter().map(to_value).collect()),
        TckValue::Map(m) => Value::Map(m.iter().map(|(k, v)| (k.clone(), to_value(v))).collect()),
        TckValue::Node { .. } | TckValue::Relationship { .. } | TckValue::Path { .. } => {
            Value::Null
        }
    }
}

fn props(map: &Map) -> BTreeMap<String, TckValue> {
    map.iter()
        .map(|(k, v)| (k.clone(), from_value(v)))
        .collect()
}

fn node_value(n: &cordial::Node) -> TckValue {
    TckValue::Node {
        labels: n.labels.clone(),
        properties: props(&n.properties),
    }
}

fn rel_value(r: &cordial::Relationship) -> TckValue {
    TckValue::Relationship {
        rel_type: r.rel_type.clone(),
        properties: props(&r.properties),
    }
}

/// A result value in the TCK's terms.
fn from_value(v: &Value) -> TckValue {
    match v {
        Value::Null => TckValue::Null,
        Value::Bool(b) => TckValue::Bool(*b),
        Value::Int(i) => TckValue::Int(*i),
        Value::Float(f) => TckValue::Float(*f),
        Value::String(s) => TckValue::String(s.to_string()),
        Value::List(items) => TckValue::List(items.iter().map(from_value).collect()),
        Value::Map(m) => TckValue::Map(props(m)),
        Value::Node(n) => node_value(n),
        Value::Relationship(r) => rel_value(r),
        Value::Path(p) => {
            let start = p.nodes.first().map_or(TckValue::Null, node_value);
            let mut steps = Vec::new();
            for (i, r) in p.relationships.iter().enumerate() {
                let from = p.nodes.get(i).map(|n| n.id);
                let forward = from == Some(r.start);
                steps.push((
                    rel_value(r),
                    forward,
                    p.nodes.get(i + 1).map_or(TckValue::Null, node_value),
                ));
            }
            TckValue::Path {
                start: Box::new(start),
                steps,
            }
        }
        temporal => TckValue::String(temporal.to_cypher_string()),
    }
}

/// The TCK's error type and phase of one of our errors: `Error::kind`, as the shell prints it.
fn classify(error: &Error) -> (&'static str, &'static str) {
    let kind = error.kind();
    let phase = match kind.phase {
        Phase::CompileTime => "compile time",
        Phase::Runtime => "runtime",
    };
    (kind.type_name, phase)
}

/// The graph as the TCK compares it for side effects: node and relationship ids, label names in
/// use, and (entity, key, value) property triples.
#[derive(Default)]
struct GraphState {
    nodes: BTreeSet<u64>,
    rels: BTreeSet<u64>,
    labels: BTreeSet<String>,
    properties: BTreeSet<(char, u64, String, String)>,
}

fn graph_state(db: &Database) -> Result<GraphState, String> {
    use cordial::GraphRead;
    let snap = db.begin_read();
    let mut state = GraphState::default();
    let e = |e: cordial::StorageError| e.to_string();
    for node in snap.all_nodes().map_err(e)? {
        state.nodes.insert(node.0);
        for label in snap.node_labels(node).map_err(e)? {
            state
                .labels
                .insert(snap.label_name(label).unwrap_or("?").to_owned());
        }
        for (k, v) in snap.node_properties(node).map_err(e)? {
            state.properties.insert((
                'n',
                node.0,
                snap.key_name(k).unwrap_or("?").to_owned(),
                v.to_string(),
            ));
        }
    }
    for rel in snap.all_relationships().map_err(e)? {
        state.rels.insert(rel.0);
        for (k, v) in snap.rel_properties(rel).map_err(e)? {
            state.properties.insert((
                'r',
                rel.0,
                snap.key_name(k).unwrap_or("?").to_owned(),
                v.to_string(),
            ));
        }
    }
    Ok(state)
}

fn side_effects(before: &GraphState, after: &GraphState) -> BTreeMap<String, u64> {
    let mut map = BTreeMap::new();
    let mut put = |name: &str, n: usize| {
        if n > 0 {
            map.insert(name.to_owned(), n as u64);
        }
    };
    put("+nodes", after.nodes.difference(&before.nodes).count());
    put("-nodes", before.nodes.difference(&after.nodes).count());
    put(
        "+relationships",
        after.rels.difference(&before.rels).count(),
    );
    put(
        "-relationships",
        before.rels.difference(&after.rels).count(),
    );
    put("+labels", after.labels.difference(&before.labels).count());
    put("-labels", before.labels.difference(&after.labels).count());
    put(
        "+properties",
        after.properties.difference(&before.properties).count(),
    );
    put(
        "-properties",
        before.properties.difference(&after.properties).count(),
    );
    map
}

/// Runs one scenario; `Err` says why it failed.
fn run(scenario: &Scenario) -> Result<(), String> {
    let db = Database::in_memory().map_err(|e| e.to_string())?;
    let mut params = Map::new();
    let mut last: Option<Result<cordial::QueryResult, Error>> = None;
    let mut effects: BTreeMap<String, u64> = BTreeMap::new();
    for step in &scenario.steps {
        let text = step.text.as_str();
        if text.starts_with("an empty graph") || text.starts_with("any graph") {
            continue;
        } else if text.starts_with("having executed") {
            let query = step.doc.as_deref().unwrap_or("");
            db.query_all(query, Map::new())
                .map_err(|e| format!("setup query failed: {e}"))?;
        } else if text.starts_with("parameters are") {
            for row in &step.table {
                let [name, value, ..] = row.as_slice() else {
                    return Err("bad parameter row".into());
                };
                params.insert(name.clone(), to_value(&values::parse(value)?));
            }
        } else if text.starts_with("executing query") || text.starts_with("executing control query")
        {
            let query = step.doc.as_deref().unwrap_or("");
            let control = text.starts_with("executing control query");
            let params = if control { Map::new() } else { params.clone() };
            let before = graph_state(&db)?;
            last = Some(db.query_all(query, params));
            if !control {
                effects = side_effects(&before, &graph_state(&db)?);
            }
        } else if let Some(how) = text.strip_prefix("the result should be") {
            let result = match last.as_ref() {
                Some(Ok(r)) => r,
                Some(Err(e)) => return Err(format!("unexpected error: {e}")),
                None => return Err("no query ran".into()),
            };
            if how.trim() == "empty" {
                if !result.rows.is_empty() {
                    return Err(format!("expected no rows, got {}", result.rows.len()));
                }
                continue;
            }
            let ordered = how.contains("in order");
            let unordered_lists = how.contains("ignoring element order for lists");
            let Some((header, rows)) = step.table.split_first() else {
                return Err("result table without header".into());
            };
            if *header != result.columns {
                return Err(format!("columns {:?}, expected {header:?}", result.columns));
            }
            let expected: Vec<Vec<TckValue>> = rows
                .iter()
                .map(|r| r.iter().map(|c| values::parse(c)).collect::<Result<_, _>>())
                .collect::<Result<_, _>>()?;
            let actual: Vec<Vec<TckValue>> = result
                .rows
                .iter()
                .map(|r| r.values().iter().map(from_value).collect())
                .collect();
            if expected.len() != actual.len() {
                return Err(format!(
                    "{} rows, expected {}",
                    actual.len(),
                    expected.len()
                ));
            }
            let row_eq = |a: &Vec<TckValue>, b: &Vec<TckValue>| {
                a.iter()
                    .zip(b)
                    .all(|(x, y)| values::equal(x, y, unordered_lists))
            };
            if ordered {
                if let Some(i) = (0..expected.len()).find(|&i| !row_eq(&expected[i], &actual[i])) {
                    return Err(format!(
                        "row {i} is {:?}, expected {:?}",
                        actual[i], expected[i]
                    ));
                }
            } else {
                let mut used = vec![false; actual.len()];
                for e in &expected {
                    match (0..actual.len()).find(|&i| !used[i] && row_eq(e, &actual[i])) {
                        Some(i) => used[i] = true,
                        None => return Err(format!("expected row {e:?} not found")),
                    }
                }
            }
        } else if text.starts_with("no side effects") {
            if !effects.is_empty() {
                return Err(format!("side effects {effects:?}"));
            }
        } else if text.starts_with("the side effects should be") {
            let mut expected = BTreeMap::new();
            for row in &step.table {
                let [name, value, ..] = row.as_slice() else {
                    return Err("bad side-effect row".into());
                };
                expected.insert(
                    name.clone(),
                    value.parse::<u64>().map_err(|e| e.to_string())?,
                );
            }
            expected.retain(|_, v| *v > 0);
            if effects != expected {
                return Err(format!("side effects {effects:?}, expected {expected:?}"));
            }
        } else if let Some(rest) = text.strip_prefix("a ").or_else(|| text.strip_prefix("an ")) {
            // `a TypeError should be raised at runtime: InvalidArgumentValue`
            let mut words = rest.split_whitespace();
            let kind = words.next().unwrap_or("");
            let phase = if rest.contains("compile time") {
                "compile time"
            } else if rest.contains("runtime") {
                "runtime"
            } else {
                "any time"
            };
            match last.as_ref() {
                Some(Err(e)) => {
                    let (actual_kind, actual_phase) = classify(e);
                    let kind_ok = kind == "Error" || kind == actual_kind;
                    let phase_ok = phase == "any time" || phase == actual_phase;
                    if !(kind_ok && phase_ok) {
                        return Err(format!(
                            "raised {actual_kind} at {actual_phase} ({e}), expected {kind} at {phase}"
                        ));
                    }
                }
                Some(Ok(_)) => return Err(format!("no error raised, expected {kind} at {phase}")),
                None => return Err("no query ran".into()),
            }
        } else {
            return Err(format!("unknown step `{text}`"));
        }
    }
    Ok(())
}

/// Pass/fail per top-level folder of the features directory.
fn folder(scenario: &Scenario, root: &std::path::Path) -> String {
    let rel = scenario.file.strip_prefix(root).unwrap_or(&scenario.file);
    let parts: Vec<_> = rel
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    parts
        .iter()
        .take(parts.len().saturating_sub(1))
        .cloned()
        .collect::<Vec<_>>()
        .join("/")
}

#[test]
fn tck() {
    let dir = features_dir();
    let scenarios = gherkin::load_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read the TCK at {}: {e}", dir.display()));
    assert!(
        scenarios.len() > 1000,
        "only {} scenarios under {}",
        scenarios.len(),
        dir.display()
    );
    let listed: BTreeMap<String, String> = std::fs::read_to_string(expected_failures_path())
        .unwrap_or_default()
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .filter_map(|l| {
            l.split_once(" | ")
                .map(|(k, r)| (k.trim().to_owned(), r.trim().to_owned()))
        })
        .collect();
    let mut failures: BTreeMap<String, String> = BTreeMap::new();
    let mut per_folder: BTreeMap<String, (u32, u32)> = BTreeMap::new();
    let mut seen = BTreeSet::new();
    for scenario in &scenarios {
        let key = scenario.key();
        seen.insert(key.clone());
        let outcome =
            std::panic::catch_unwind(|| run(scenario)).unwrap_or_else(|_| Err("panicked".into()));
        let counts = per_folder.entry(folder(scenario, &dir)).or_default();
        match outcome {
            Ok(()) => counts.0 += 1,
            Err(reason) => {
                counts.1 += 1;
                let reason: String = reason
                    .chars()
                    .take(160)
                    .collect::<String>()
                    .replace('\n', " ");
                failures.insert(key, reason);
            }
        }
    }
    let passed: u32 = per_folder.values().map(|c| c.0).sum();
    let failed: u32 = per_folder.values().map(|c| c.1).sum();
    for (folder, (p, f)) in &per_folder {
        println!("tck folder {folder}: {p} passed, {f} failed");
    }
    if std::env::var_os("CORDIAL_TCK_UPDATE").is_some() {
        let mut text = String::from(
            "# TCK scenarios that fail today, one per line: `Feature / Scenario [#example] | reason`.\n",
        );
        text.push_str(
            "# The runner fails when a scenario not listed here fails, or a listed one passes.\n",
        );
        for (key, reason) in &failures {
            text.push_str(&format!("{key} | {reason}\n"));
        }
        std::fs::write(expected_failures_path(), text).expect("write expected failures");
    }
    let unexpected: Vec<String> = failures
        .iter()
        .filter(|(k, _)| !listed.contains_key(*k))
        .map(|(k, r)| format!("FAILED {k}: {r}"))
        .collect();
    let fixed: Vec<String> = listed
        .keys()
        .filter(|k| seen.contains(*k) && !failures.contains_key(*k))
        .map(|k| format!("NOW PASSES {k}"))
        .collect();
    for line in unexpected.iter().chain(&fixed) {
        println!("{line}");
    }
    println!("tck: {passed} passed, {failed} failed");
    if std::env::var_os("CORDIAL_TCK_UPDATE").is_none() {
        assert!(
            unexpected.is_empty() && fixed.is_empty(),
            "{} unexpected failures, {} listed scenarios now pass",
            unexpected.len(),
            fixed.len()
        );
    }
}

#[test]
fn values_compare_as_the_tck_says() {
    let node = values::parse("(:A:B {name: 'x', n: [1, 2.5, null]})").unwrap();
    let same = values::parse("(:B:A {n: [1, 2.5, null], name: 'x'})").unwrap();
    assert!(values::equal(&node, &same, false));
    let path = values::parse("<(:A)-[:T {k: 1}]->(:B)<-[:U]-({n: -1e-3})>").unwrap();
    assert!(
        matches!(&path, TckValue::Path { steps, .. } if steps.len() == 2 && steps[0].1 && !steps[1].1)
    );
    assert!(values::equal(
        &values::parse("[1, 2]").unwrap(),
        &values::parse("[2, 1]").unwrap(),
        true
    ));
    assert!(!values::equal(
        &values::parse("[1, 2]").unwrap(),
        &values::parse("[2, 1]").unwrap(),
        false
    ));
    assert!(values::equal(
        &values::parse("NaN").unwrap(),
        &values::parse("NaN").unwrap(),
        false
    ));
    assert_eq!(values::parse("'it''s'").ok(), None);
    assert_eq!(
        values::parse("'a\\'b'").unwrap(),
        TckValue::String("a'b".into())
    );
}

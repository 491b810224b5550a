//! The benchmark queries (`../shared/bench/queries`) and the analyst questions
//! (`../shared/domain/questions.md`) run as written on the 1,000-customer bundle and must equal
//! the reference answers in `../shared/bench/expected/N1000`, compared as its README says:
//! rows as a multiset, numbers with a relative tolerance, `unorderedLists` columns as sets.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use cordial::value::{Date, DateTime, LocalDateTime};
use cordial::{Database, Map, Value};

fn shared_dir() -> PathBuf {
    std::env::var_os("CORDIAL_SHARED_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared"))
}

fn load_bundle(dir: &Path) -> (Database, serde_json::Value) {
    let status = Command::new("python3")
        .arg(shared_dir().join("bench/gen_crm.py"))
        .args(["--customers", "1000", "--out"])
        .arg(dir)
        .stdout(std::process::Stdio::null())
        .status()
        .expect("run python3");
    assert!(status.success(), "gen_crm.py failed");
    let now = DateTime::parse("2025-01-01T00:00:00Z").expect("now");
    let db = Database::in_memory().expect("database").with_now(Some(now));
    cordial::import::import_bundle(
        &db,
        dir,
        &cordial::import::ImportOptions::default(),
        &mut |_| {},
    )
    .expect("import");
    let manifest: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("manifest.json")).expect("manifest"),
    )
    .expect("json");
    (db, manifest)
}

/// The analyst questions: `**Qn. title**` followed by a ```cypher block.
fn questions() -> Vec<(String, String)> {
    let text =
        std::fs::read_to_string(shared_dir().join("domain/questions.md")).expect("questions.md");
    let mut out = Vec::new();
    let mut current: Option<String> = None;
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        if let Some(rest) = line.strip_prefix("**Q") {
            let number: String = rest.chars().take_while(char::is_ascii_digit).collect();
            current = number.parse::<u32>().ok().map(|n| format!("Q{n:02}"));
        } else if line.trim() == "```cypher"
            && let Some(id) = current.take()
        {
            let body: Vec<&str> = lines.by_ref().take_while(|l| l.trim() != "```").collect();
            out.push((id, body.join("\n")));
        }
    }
    out
}

fn json_of(value: &Value) -> serde_json::Value {
    serde_json::to_value(value).unwrap_or(serde_json::Value::Null)
}

/// True when one cell matches its expected CSV text.
fn cell_matches(actual: &Value, expected: &str, unordered: bool) -> bool {
    if expected.is_empty() {
        return actual.is_null();
    }
    match actual {
        Value::Null => false,
        Value::Int(_) | Value::Float(_) => {
            let a = match actual {
                Value::Int(i) => *i as f64,
                Value::Float(f) => *f,
                _ => unreachable!(),
            };
            expected
                .parse::<f64>()
                .is_ok_and(|e| a == e || (a - e).abs() <= 1e-9 * a.abs().max(e.abs()))
        }
        Value::Bool(b) => expected == if *b { "true" } else { "false" },
        Value::String(s) => &**s == expected,
        Value::Date(d) => Date::parse(expected).is_ok_and(|e| e == *d),
        Value::DateTime(d) => DateTime::parse(expected).is_ok_and(|e| {
            e.epoch_seconds() == d.epoch_seconds() && e.subsec_nanos() == d.subsec_nanos()
        }),
        Value::LocalDateTime(d) => LocalDateTime::parse(expected).is_ok_and(|e| e == *d),
        Value::List(_) | Value::Map(_) => {
            let Ok(e) = serde_json::from_str::<serde_json::Value>(expected) else {
                return false;
            };
            json_matches(&json_of(actual), &e, unordered)
        }
        other => other.to_cypher_string() == expected,
    }
}

fn json_matches(a: &serde_json::Value, e: &serde_json::Value, unordered: bool) -> bool {
    use serde_json::Value as J;
    match (a, e) {
        (J::Number(x), J::Number(y)) => {
            let (x, y) = (
                x.as_f64().unwrap_or(f64::NAN),
                y.as_f64().unwrap_or(f64::NAN),
            );
            x == y || (x - y).abs() <= 1e-9 * x.abs().max(y.abs())
        }
        (J::Array(x), J::Array(y)) if unordered => {
            x.len() == y.len() && {
                let mut used = vec![false; y.len()];
                x.iter().all(|xi| {
                    let found = y
                        .iter()
                        .enumerate()
                        .position(|(i, yi)| !used[i] && json_matches(xi, yi, false));
                    found.map(|i| used[i] = true).is_some()
                })
            }
        }
        (J::Array(x), J::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| json_matches(p, q, false))
        }
        (J::Object(x), J::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| json_matches(v, w, unordered)))
        }
        (J::String(x), J::String(y)) => {
            x == y
                || DateTime::parse(x)
                    .ok()
                    .zip(DateTime::parse(y).ok())
                    .is_some_and(|(p, q)| p.epoch_seconds() == q.epoch_seconds())
        }
        _ => a == e,
    }
}

/// Compares a result with the expected CSV; returns why not, if not.
fn compare(
    id: &str,
    result: &cordial::QueryResult,
    expected_csv: &Path,
    spec: &serde_json::Value,
) -> Result<(), String> {
    let mut reader = csv::Reader::from_path(expected_csv).map_err(|e| e.to_string())?;
    let header: Vec<String> = reader
        .headers()
        .map_err(|e| e.to_string())?
        .iter()
        .map(str::to_owned)
        .collect();
    if header != result.columns {
        return Err(format!(
            "{id}: columns {:?}, expected {header:?}",
            result.columns
        ));
    }
    let unordered: Vec<String> = spec["unorderedLists"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    let tie_dependent: Vec<String> = spec["tieDependent"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default();
    let expected: Vec<Vec<String>> = reader
        .records()
        .map(|r| r.map(|r| r.iter().map(str::to_owned).collect()))
        .collect::<Result<_, _>>()
        .map_err(|e| e.to_string())?;
    if expected.len() != result.rows.len() {
        return Err(format!(
            "{id}: {} rows, expected {}",
            result.rows.len(),
            expected.len()
        ));
    }
    let row_matches = |actual: &[Value], expected: &[String]| {
        actual
            .iter()
            .zip(expected)
            .zip(&header)
            .all(|((a, e), column)| {
                // Columns whose content depends on how ties are cut are checked for shape only.
                tie_dependent.contains(column) && matches!(a, Value::List(_))
                    || cell_matches(a, e, unordered.contains(column))
            })
    };
    let mut used = vec![false; result.rows.len()];
    for (n, e) in expected.iter().enumerate() {
        match (0..result.rows.len()).find(|&i| !used[i] && row_matches(result.rows[i].values(), e))
        {
            Some(i) => used[i] = true,
            None => {
                let near = result
                    .rows
                    .get(n)
                    .map(|r| r.values().iter().map(Value::to_string).collect::<Vec<_>>());
                return Err(format!(
                    "{id}: expected row {} {e:?} not found (row {n} is {near:?})",
                    n + 1
                ));
            }
        }
    }
    Ok(())
}

#[test]
fn bench_queries_and_analyst_questions_give_the_reference_answers() {
    let dir = tempfile::tempdir().expect("temp dir");
    let (db, manifest) = load_bundle(dir.path());
    let mut params = Map::new();
    if let Some(object) = manifest["parameters"].as_object() {
        for (k, v) in object {
            if let Some(s) = v.as_str() {
                params.insert(k.clone(), Value::String(s.to_owned().into()));
            }
        }
    }
    let expected_dir = shared_dir().join("bench/expected/N1000");
    let index: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(expected_dir.join("index.json")).expect("index.json"),
    )
    .expect("json");

    let mut cases: BTreeMap<String, String> = BTreeMap::new();
    let mut queries: Vec<_> = std::fs::read_dir(shared_dir().join("bench/queries"))
        .expect("queries")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .collect();
    queries.sort();
    for path in queries
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "cypher"))
    {
        let id = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default()
            .to_owned();
        cases.insert(id, std::fs::read_to_string(&path).expect("query"));
    }
    for (id, text) in questions() {
        cases.insert(id, text);
    }

    let mut failures = Vec::new();
    let mut checked = 0;
    for (id, text) in &cases {
        let expected = expected_dir.join(format!("{id}.csv"));
        if !expected.exists() {
            continue;
        }
        checked += 1;
        match db.query_all(text, params.clone()) {
            Ok(result) => {
                if let Err(why) = compare(id, &result, &expected, &index[id.as_str()]) {
                    failures.push(why);
                }
            }
            Err(e) => failures.push(format!("{id}: {e}")),
        }
    }
    println!(
        "workload: {checked} queries checked, {} differ",
        failures.len()
    );
    assert!(
        checked >= 27,
        "only {checked} queries have reference answers"
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

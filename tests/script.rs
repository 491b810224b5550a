//! `cordial run`, `cordial -c` and queries on stdin, driven through the real binary: every output
//! format parsed back, exit codes, fail-fast and continue-on-error, parameters, the pinned clock,
//! read-only databases and transactions in scripts.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

struct Out {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

fn cordial(db: &Path, args: &[&str], stdin: &str) -> Out {
    let mut child = Command::new(env!("CARGO_BIN_EXE_cordial"))
        .arg("--db")
        .arg(db)
        .args(args)
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run the cordial binary");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    Out {
        code: out.status.code(),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

/// A database with two customers, made through `-c`.
fn sample(dir: &Path) -> std::path::PathBuf {
    let db = dir.join("db");
    let out = cordial(
        &db,
        &[
            "-c",
            "CREATE (:Customer {id: 'c-1', name: 'Acme, Inc.', score: 1.5, tags: ['a', 'b'], since: date('2024-01-02')}), \
             (:Customer {id: 'c-2', name: 'Birch \"B\" Ltd', score: 2.0, tags: [], since: date('2025-03-04')})",
        ],
        "",
    );
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    db
}

const QUERY: &str = "MATCH (c:Customer) RETURN c.id AS id, c.name AS name, c.score AS score, c.tags AS tags, c.since AS since ORDER BY id";

#[test]
fn csv_parses_back() {
    let tmp = tempfile::tempdir().unwrap();
    let db = sample(tmp.path());
    let out = cordial(&db, &["run", "-c", QUERY, "--format", "csv"], "");
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    let mut reader = csv::Reader::from_reader(out.stdout.as_bytes());
    assert_eq!(
        reader.headers().unwrap(),
        vec!["id", "name", "score", "tags", "since"]
    );
    let rows: Vec<Vec<String>> = reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect();
    assert_eq!(
        rows,
        [
            ["c-1", "Acme, Inc.", "1.5", "[\"a\",\"b\"]", "2024-01-02"],
            ["c-2", "Birch \"B\" Ltd", "2.0", "[]", "2025-03-04"]
        ]
    );
    assert!(!out.stdout.contains('\x1b'), "no colours in csv");
}

#[test]
fn json_and_jsonl_parse_back() {
    let tmp = tempfile::tempdir().unwrap();
    let db = sample(tmp.path());
    let expected = serde_json::json!([
        {"id": "c-1", "name": "Acme, Inc.", "score": 1.5, "tags": ["a", "b"], "since": "2024-01-02"},
        {"id": "c-2", "name": "Birch \"B\" Ltd", "score": 2.0, "tags": [], "since": "2025-03-04"}
    ]);
    let out = cordial(&db, &["-c", QUERY, "--format", "json"], "");
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    let parsed: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    assert_eq!(parsed, expected);

    let out = cordial(&db, &["-c", QUERY, "--format", "jsonl"], "");
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    let rows: Vec<serde_json::Value> = out
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(serde_json::Value::Array(rows), expected);
    // Keys come in column order.
    assert!(
        out.stdout.starts_with("{\"id\":\"c-1\",\"name\":"),
        "{}",
        out.stdout
    );
}

#[test]
fn markdown_and_table_parse_back() {
    let tmp = tempfile::tempdir().unwrap();
    let db = sample(tmp.path());
    let out = cordial(&db, &["-c", QUERY, "--format", "markdown"], "");
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    let lines: Vec<&str> = out.stdout.lines().collect();
    let cells = |line: &str| -> Vec<String> {
        line.trim_matches('|')
            .split(" | ")
            .map(|c| c.trim().to_owned())
            .collect()
    };
    assert_eq!(cells(lines[0]), ["id", "name", "score", "tags", "since"]);
    assert_eq!(lines[1], "|---|---|---|---|---|");
    assert_eq!(
        cells(lines[2]),
        ["c-1", "Acme, Inc.", "1.5", "['a', 'b']", "2024-01-02"]
    );
    assert_eq!(cells(lines[3])[0], "c-2");

    let out = cordial(&db, &["-c", QUERY], "");
    let rows: Vec<Vec<String>> = out
        .stdout
        .lines()
        .filter(|l| l.starts_with('│'))
        .map(|l| {
            l.trim_matches('│')
                .split('│')
                .map(|c| c.trim().to_owned())
                .collect()
        })
        .collect();
    assert_eq!(rows[0], ["id", "name", "score", "tags", "since"]);
    assert_eq!(
        rows[1],
        ["c-1", "Acme, Inc.", "1.5", "['a', 'b']", "2024-01-02"]
    );
    assert!(out.stdout.contains("2 rows"), "{}", out.stdout);
}

#[test]
fn exit_codes_and_error_reports() {
    let tmp = tempfile::tempdir().unwrap();
    let db = sample(tmp.path());
    let ok = cordial(&db, &["-c", "RETURN 1 AS one"], "");
    assert_eq!(ok.code, Some(0));

    let syntax = cordial(&db, &["-c", "MATCH (c:Customer RETURN c"], "");
    assert_eq!(syntax.code, Some(1));
    assert!(syntax.stderr.contains("SyntaxError"), "{}", syntax.stderr);
    let lines: Vec<&str> = syntax.stderr.lines().collect();
    let source = lines
        .iter()
        .position(|l| l.ends_with("MATCH (c:Customer RETURN c"))
        .expect("the query line");
    let caret = lines[source + 1];
    let column = |line: &str, needle: &str| line.find(needle).unwrap();
    assert_eq!(
        column(caret, "^"),
        column(lines[source], "RETURN"),
        "{}",
        syntax.stderr
    );
    assert!(syntax.stderr.contains("-c:1:19"), "{}", syntax.stderr);

    let runtime = cordial(&db, &["-c", "RETURN 1 / 0 AS x"], "");
    assert_eq!(runtime.code, Some(1));
    assert!(
        runtime.stderr.contains("ArithmeticError"),
        "{}",
        runtime.stderr
    );

    let undefined = cordial(&db, &["-c", "MATCH (n) RETURN m"], "");
    assert_eq!(undefined.code, Some(1));
    assert!(
        undefined.stderr.contains("UndefinedVariable"),
        "{}",
        undefined.stderr
    );
}

#[test]
fn fail_fast_stops_and_continue_on_error_goes_on() {
    let tmp = tempfile::tempdir().unwrap();
    let db = sample(tmp.path());
    let file = tmp.path().join("three.cypher");
    std::fs::write(
        &file,
        "// the first works\nRETURN 1 AS a;\n\nRETURN 1 / 0 AS b;\nRETURN 3 AS c;\n",
    )
    .unwrap();
    let file = file.to_str().unwrap();

    let out = cordial(&db, &["run", file, "--format", "csv"], "");
    assert_eq!(out.code, Some(1));
    assert_eq!(out.stdout, "a\n1\n");
    assert!(
        out.stderr.contains("three.cypher: the statement on line 4"),
        "{}",
        out.stderr
    );

    let out = cordial(
        &db,
        &["run", file, "--format", "csv", "--continue-on-error"],
        "",
    );
    assert_eq!(out.code, Some(1), "a failure still fails the run");
    assert_eq!(out.stdout, "a\n1\nc\n3\n");

    let out = cordial(&db, &["--format", "csv", "run", file, file], "");
    assert_eq!(out.stdout, "a\n1\n", "fail-fast stops before the next file");
}

#[test]
fn parameters_from_a_file_and_the_command_line_are_typed() {
    let tmp = tempfile::tempdir().unwrap();
    let db = sample(tmp.path());
    let params = tmp.path().join("params.json");
    std::fs::write(&params, r#"{"id": "c-2", "n": 41, "flags": [true, false]}"#).unwrap();
    let query = "MATCH (c:Customer {id: $id}) RETURN c.name AS name, $n + 1 AS n, size($flags) AS flags, $extra AS extra";
    let out = cordial(
        &db,
        &[
            "run",
            "-c",
            query,
            "--params-file",
            params.to_str().unwrap(),
            "--param",
            "extra=7",
            "--format",
            "jsonl",
        ],
        "",
    );
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    let row: serde_json::Value = serde_json::from_str(out.stdout.trim()).unwrap();
    assert_eq!(
        row,
        serde_json::json!({"name": "Birch \"B\" Ltd", "n": 42, "flags": 2, "extra": 7})
    );

    // --param wins over the file; a value that is not JSON is a string.
    let out = cordial(
        &db,
        &[
            "-c",
            "RETURN $id AS id",
            "--params-file",
            params.to_str().unwrap(),
            "--param",
            "id=c-1",
            "--format",
            "jsonl",
        ],
        "",
    );
    assert_eq!(out.stdout.trim(), r#"{"id":"c-1"}"#);

    let missing = cordial(&db, &["-c", "RETURN $nope AS x"], "");
    assert_eq!(missing.code, Some(1));
    assert!(
        missing.stderr.contains("ParameterMissing"),
        "{}",
        missing.stderr
    );
}

#[test]
fn queries_on_stdin_run_in_order() {
    let tmp = tempfile::tempdir().unwrap();
    let db = sample(tmp.path());
    let out = cordial(
        &db,
        &["--format", "csv"],
        "MATCH (c:Customer) SET c.seen = true;\nMATCH (c:Customer) WHERE c.seen RETURN count(c) AS n;",
    );
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    assert_eq!(out.stdout, "n\n2\n");
    let out = cordial(&db, &["run", "--format", "csv"], "RETURN 'x;y' AS s");
    assert_eq!(out.stdout, "s\nx;y\n");
}

#[test]
fn now_pins_the_clock() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("db");
    let out = cordial(
        &db,
        &[
            "-c",
            "RETURN date() AS d, datetime() AS t",
            "--now",
            "2025-01-01T09:30:00Z",
            "--format",
            "csv",
        ],
        "",
    );
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    assert_eq!(out.stdout, "d,t\n2025-01-01,2025-01-01T09:30Z\n");
    let bad = cordial(&db, &["-c", "RETURN 1", "--now", "yesterday"], "");
    assert_eq!(bad.code, Some(1));
    assert!(bad.stderr.contains("--now yesterday"), "{}", bad.stderr);
}

#[test]
fn read_only_refuses_writes() {
    let tmp = tempfile::tempdir().unwrap();
    let db = sample(tmp.path());
    let out = cordial(
        &db,
        &["--read-only", "-c", "CREATE (:Customer {id: 'c-9'})"],
        "",
    );
    assert_eq!(out.code, Some(1));
    let count = cordial(
        &db,
        &[
            "--read-only",
            "-c",
            "MATCH (c:Customer) RETURN count(c) AS n",
            "--format",
            "csv",
        ],
        "",
    );
    assert_eq!(count.code, Some(0), "{}", count.stderr);
    assert_eq!(count.stdout, "n\n2\n");
}

#[test]
fn transactions_in_scripts_commit_or_roll_back() {
    let tmp = tempfile::tempdir().unwrap();
    let db = sample(tmp.path());
    let script = "BEGIN; CREATE (:Customer {id: 'c-3'}); ROLLBACK;\n\
                  BEGIN; CREATE (:Customer {id: 'c-4'}); MATCH (c:Customer) RETURN count(c) AS inside; COMMIT;\n\
                  MATCH (c:Customer) RETURN collect(c.id) AS ids;";
    let out = cordial(&db, &["--format", "jsonl"], script);
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    assert_eq!(
        out.stdout,
        "{\"inside\":3}\n{\"ids\":[\"c-1\",\"c-2\",\"c-4\"]}\n"
    );

    // A transaction left open at the end is rolled back; a failed statement inside one
    // changes nothing.
    let out = cordial(
        &db,
        &["--continue-on-error"],
        "BEGIN; CREATE (:Customer {id: 'c-5'}); CREATE (:Customer {id: 'c-6'}) WITH 1 AS x RETURN x / 0;",
    );
    assert_eq!(out.code, Some(1));
    assert!(out.stderr.contains("rolled back"), "{}", out.stderr);
    let count = cordial(
        &db,
        &[
            "-c",
            "MATCH (c:Customer) RETURN count(c) AS n",
            "--format",
            "csv",
        ],
        "",
    );
    assert_eq!(count.stdout, "n\n3\n");
}

#[test]
fn a_failed_write_changes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let db = sample(tmp.path());
    let out = cordial(
        &db,
        &[
            "-c",
            "UNWIND [1, 2, 0] AS x CREATE (:Customer {id: 'n' + toString(10 / x)})",
        ],
        "",
    );
    assert_eq!(out.code, Some(1));
    let count = cordial(
        &db,
        &[
            "-c",
            "MATCH (c:Customer) RETURN count(c) AS n",
            "--format",
            "csv",
        ],
        "",
    );
    assert_eq!(count.stdout, "n\n2\n");
}

#[test]
fn run_without_anything_to_run_says_so() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("db");
    let out = cordial(&db, &["run", "/no/such/file.cypher"], "");
    assert_eq!(out.code, Some(1));
    assert!(
        out.stderr.contains("/no/such/file.cypher"),
        "{}",
        out.stderr
    );
}

#[test]
fn the_demo_answers_its_example_questions() {
    let tmp = tempfile::tempdir().unwrap();
    let mut input = String::new();
    for (_, query) in cordial::crm::sample::QUESTIONS {
        input.push_str(&query.replace('\n', " "));
        input.push_str(";\n");
    }
    let out = Command::new(env!("CARGO_BIN_EXE_cordial"))
        .arg("demo")
        .env("CORDIAL_HISTORY", tmp.path().join("history.txt"))
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            child.stdin.take().unwrap().write_all(input.as_bytes())?;
            child.wait_with_output()
        })
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(!stderr.contains("error"), "{stderr}");
    // The banner offers three questions and points to the rest.
    for (question, _) in cordial::crm::sample::QUESTIONS.iter().take(3) {
        assert!(stdout.contains(question), "{stdout}");
    }
    assert!(stdout.contains(":help questions"), "{stdout}");
    // Each question gives a table with at least one row.
    let answered = stdout
        .lines()
        .filter_map(|l| l.split(',').next())
        .filter(|f| f.ends_with(" row") || f.ends_with(" rows"))
        .filter(|f| f.starts_with(|c: char| c.is_ascii_digit()) && !f.starts_with("0 rows"))
        .count();
    assert_eq!(answered, cordial::crm::sample::QUESTIONS.len(), "{stdout}");
}

/// Runs the binary with `args` and its stdout a pipe whose reader is already gone, as when
/// `cordial ... | head -1` has read its line: every write to stdout fails with `EPIPE`.
fn cordial_into_closed_pipe(db: &Path, args: &[&str]) -> Out {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let out = Command::new(env!("CARGO_BIN_EXE_cordial"))
        .arg("--db")
        .arg(db)
        .args(args)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(writer)
        .stderr(Stdio::piped())
        .output()
        .expect("run the cordial binary");
    Out {
        code: out.status.code(),
        stdout: String::new(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

/// Regression: `cordial bench ... | head -1` panicked (`println!` on a closed pipe), and so
/// did other printing paths. Every one now ends quietly, with success, when stdout's reader
/// has gone.
#[test]
fn a_closed_stdout_ends_quietly() {
    let tmp = tempfile::tempdir().unwrap();
    let db = sample(tmp.path());
    let queries = tmp.path().join("queries");
    std::fs::create_dir(&queries).unwrap();
    std::fs::write(queries.join("a.cypher"), "MATCH (c:Customer) RETURN c.id").unwrap();
    std::fs::write(
        queries.join("b.cypher"),
        "UNWIND range(1, 10) AS x RETURN x",
    )
    .unwrap();
    let script = tmp.path().join("script.cypher");
    std::fs::write(
        &script,
        "UNWIND range(1, 1000) AS x RETURN x;\nRETURN 2 AS y;",
    )
    .unwrap();
    let queries = queries.to_str().unwrap();
    let many = "UNWIND range(1, 1000) AS x RETURN x";
    let mut runs: Vec<Vec<&str>> = vec![
        vec!["bench", "--queries", queries, "--runs", "1"],
        vec![
            "bench",
            "--queries",
            queries,
            "--runs",
            "1",
            "--format",
            "json",
        ],
        vec!["run", script.to_str().unwrap()],
        vec!["stats"],
        vec!["--help"],
    ];
    for format in ["table", "csv", "json", "jsonl", "markdown"] {
        runs.push(vec!["-c", many, "--format", format]);
    }
    for args in &runs {
        let out = cordial_into_closed_pipe(&db, args);
        assert!(
            !out.stderr.contains("panicked"),
            "{args:?} panicked: {}",
            out.stderr
        );
        assert_eq!(out.code, Some(0), "{args:?}: {}", out.stderr);
        assert_eq!(out.stderr, "", "{args:?} is quiet");
    }
    // The database was closed properly and holds what it held.
    assert_customers(&db, 2);
}

/// Regression: options given before a subcommand were ignored by the subcommands that did not
/// read them (`cordial --now 2025-01-01 bench` ran with the real clock). `bench` now takes the
/// clock, parameters, read-only mode and format; a subcommand refuses an option it cannot
/// honour.
#[test]
fn bench_honours_the_options_before_it_and_others_refuse_theirs() {
    let tmp = tempfile::tempdir().unwrap();
    let db = sample(tmp.path());
    let queries = tmp.path().join("queries");
    std::fs::create_dir(&queries).unwrap();
    // Three rows on the pinned day, none on any other; $n rows.
    std::fs::write(
        queries.join("a_clock.cypher"),
        "UNWIND range(1, 3) AS x WITH x WHERE date() = date('2001-02-03') RETURN x",
    )
    .unwrap();
    std::fs::write(
        queries.join("b_param.cypher"),
        "UNWIND range(1, $n) AS x RETURN x",
    )
    .unwrap();
    let queries = queries.to_str().unwrap();
    let rows = |out: &Out| -> Vec<(String, u64)> {
        assert_eq!(out.code, Some(0), "{}", out.stderr);
        out.stdout
            .lines()
            .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
            .filter_map(|v| Some((v["query"].as_str()?.to_owned(), v["rows"].as_u64()?)))
            .collect()
    };
    let bench = ["bench", "--queries", queries, "--runs", "1"];
    let pinned = cordial(
        &db,
        &[
            &["--now", "2001-02-03", "--param", "n=4", "--format", "json"],
            &bench[..],
        ]
        .concat(),
        "",
    );
    assert_eq!(
        rows(&pinned),
        [("a_clock".to_owned(), 3), ("b_param".to_owned(), 4)]
    );
    let unpinned = cordial(
        &db,
        &[&["--param", "n=2"], &bench[..], &["--format", "json"]].concat(),
        "",
    );
    assert_eq!(
        rows(&unpinned),
        [("a_clock".to_owned(), 0), ("b_param".to_owned(), 2)]
    );
    // --read-only applies: a writing query fails.
    let writes = tmp.path().join("writes");
    std::fs::create_dir(&writes).unwrap();
    std::fs::write(writes.join("w.cypher"), "CREATE (:Customer {id: 'c-9'})").unwrap();
    let out = cordial(
        &db,
        &[
            "--read-only",
            "bench",
            "--queries",
            writes.to_str().unwrap(),
        ],
        "",
    );
    assert_eq!(out.code, Some(1));
    assert!(out.stderr.contains("read-only"), "{}", out.stderr);
    // A format bench cannot print is refused, not ignored.
    let out = cordial(&db, &[&["--format", "csv"], &bench[..]].concat(), "");
    assert_eq!(out.code, Some(1));
    assert!(out.stderr.contains("not csv"), "{}", out.stderr);
    // Options a subcommand cannot honour are refused with their names.
    let out = cordial(&db, &["--now", "2001-02-03", "stats"], "");
    assert_eq!(out.code, Some(1));
    assert!(
        out.stderr
            .contains("--now does not apply to `cordial stats`"),
        "{}",
        out.stderr
    );
    let out = cordial(&db, &["-c", "RETURN 1", "--read-only", "init"], "");
    assert_eq!(out.code, Some(1));
    assert!(
        out.stderr
            .contains("-c, --read-only do not apply to `cordial init`"),
        "{}",
        out.stderr
    );
    assert_customers(&db, 2);
}

/// Asserts how many customers the database at `db` holds, read through `cordial -c`.
fn assert_customers(db: &Path, expected: u64) {
    let count = cordial(
        db,
        &[
            "-c",
            "MATCH (c:Customer) RETURN count(c) AS n",
            "--format",
            "csv",
        ],
        "",
    );
    assert_eq!(count.stdout, format!("n\n{expected}\n"), "{}", count.stderr);
}

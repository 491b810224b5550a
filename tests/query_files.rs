//! Queries as data: every `tests/data/queries/**/*.cypher` file is a small graph and a query
//! with its expected answer, run on both stores (in memory, and on disk after a checkpoint, so
//! the query reads columnar chunks). A new case is a new file, not Rust.
//!
//! A file holds statements separated by `;`: all but the last build the graph, the last is
//! the query. Its expectation follows in `//` comments, after one of
//!
//! - `// expect:` the column names, then one row per line, values as Cypher literals
//!   (`'text'`, `1`, `[1, 2]`, `null`) separated by ` | `, in order;
//! - `// expect unordered:` the same, in any order;
//! - `// expect error: KIND` the error's kind as `Error::kind` names it (`TypeError`,
//!   `SyntaxError.UndefinedVariable`).
//!
//! Other `//` lines are comments.

mod common;

use std::path::PathBuf;

use cordial::{Database, Map};

enum Expected {
    Rows { lines: Vec<String>, ordered: bool },
    Error(String),
}

/// The statements (comments removed) and the expectation of a file.
fn read_case(text: &str) -> Result<(Vec<String>, Expected), String> {
    let mut code = String::new();
    let mut expected: Option<Expected> = None;
    for line in text.lines() {
        let trimmed = line.trim();
        let Some(comment) = trimmed.strip_prefix("//") else {
            if expected.is_some() && !trimmed.is_empty() {
                return Err(format!("a statement after the expectation: {line}"));
            }
            code.push_str(line);
            code.push('\n');
            continue;
        };
        let comment = comment.strip_prefix(' ').unwrap_or(comment);
        match (&mut expected, comment) {
            (None, "expect:") => {
                expected = Some(Expected::Rows {
                    lines: Vec::new(),
                    ordered: true,
                });
            }
            (None, "expect unordered:") => {
                expected = Some(Expected::Rows {
                    lines: Vec::new(),
                    ordered: false,
                });
            }
            (None, c) if c.starts_with("expect error:") => {
                let kind = c["expect error:".len()..].trim().to_owned();
                expected = Some(Expected::Error(kind));
            }
            (Some(Expected::Rows { lines, .. }), row) => lines.push(row.to_owned()),
            _ => {}
        }
    }
    let statements: Vec<String> = code
        .split(';')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect();
    match expected {
        Some(expected) if !statements.is_empty() => Ok((statements, expected)),
        _ => Err("no query or no `// expect` line".into()),
    }
}

/// What the query gave, as the file writes it.
fn outcome(db: &Database, query: &str) -> Result<Vec<String>, String> {
    match db.query_all(query, Map::new()) {
        Ok(result) => {
            let mut lines = vec![result.columns.join(" | ")];
            for row in &result.rows {
                let values: Vec<String> = row.values().iter().map(ToString::to_string).collect();
                lines.push(values.join(" | "));
            }
            Ok(lines)
        }
        Err(e) => Err(e.kind().to_string()),
    }
}

fn check(db: &Database, statements: &[String], expected: &Expected, store: &str) -> Option<String> {
    let (query, setup) = statements.split_last()?;
    for statement in setup {
        if let Err(e) = db.query_all(statement, Map::new()) {
            return Some(format!("{store}: setup `{statement}` failed: {e}"));
        }
    }
    if store == "sled" {
        db.checkpoint().unwrap();
    }
    match (expected, outcome(db, query)) {
        (Expected::Rows { lines, ordered }, Ok(mut got)) => {
            let mut want = lines.clone();
            if !ordered && !got.is_empty() && !want.is_empty() {
                got[1..].sort();
                want[1..].sort();
            }
            (got != want).then(|| {
                format!(
                    "{store}: expected\n  {}\nfound\n  {}",
                    want.join("\n  "),
                    got.join("\n  ")
                )
            })
        }
        (Expected::Error(kind), Err(got))
            if got == *kind || got.starts_with(&format!("{kind}.")) =>
        {
            None
        }
        (Expected::Error(kind), Err(got)) => Some(format!("{store}: expected {kind}, found {got}")),
        (Expected::Error(kind), Ok(got)) => Some(format!(
            "{store}: expected {kind}, found rows\n  {}",
            got.join("\n  ")
        )),
        (Expected::Rows { .. }, Err(got)) => Some(format!("{store}: expected rows, found {got}")),
    }
}

#[test]
fn query_files_give_their_expected_answers_on_both_stores() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/queries");
    let paths = common::files_under(&root, "cypher");
    assert!(!paths.is_empty(), "no cases in {}", root.display());
    let mut failures = Vec::new();
    for path in &paths {
        let shown = path.strip_prefix(&root).unwrap().display().to_string();
        let text = std::fs::read_to_string(path).unwrap();
        let (statements, expected) = match read_case(&text) {
            Ok(case) => case,
            Err(e) => {
                failures.push(format!("{shown}: {e}"));
                continue;
            }
        };
        for (store, db, _dir) in common::databases() {
            if let Some(failure) = check(&db, &statements, &expected, store) {
                failures.push(format!("{shown}: {failure}"));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

//! The parser's tests, data-driven: snapshots of `tests/data/parser/ok/*.cypher`, expected error
//! positions and kinds of `tests/data/parser/err/*.cypher`, every `(* e.g. ... *)` example of
//! `grammar/cordial.ebnf`, every query of the openCypher TCK, a print/parse round trip and a
//! no-panic fuzz over mutated queries. `UPDATE_EXPECT=1` rewrites the snapshots and expectations.
//!
//! A test file over 800 lines: its cases are data; the Rust is the runners and their checks.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

use crate::syntax::{SyntaxError, SyntaxErrorKind, is_incomplete, parse, parse_rule, parse_script};
use proptest::prelude::*;

fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/parser")
}

fn update_expect() -> bool {
    std::env::var_os("UPDATE_EXPECT").is_some()
}

fn cypher_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|entry| entry.expect("directory entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "cypher"))
        .collect();
    files.sort();
    files
}

/// The `Debug` form of a tree without its spans (`@12..20`), for structural comparison.
fn without_spans(debug: &str) -> String {
    let mut out = String::with_capacity(debug.len());
    let mut rest = debug;
    while let Some(at) = rest.find('@') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        let len = after
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(after.len());
        if len > 0 && after[..len].contains("..") {
            rest = &after[len..];
        } else {
            out.push('@');
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

// ---------------------------------------------------------------------------------------------
// Architecture

/// `syntax` depends on nothing else in the crate: no `crate::` paths in `src/syntax`.
#[test]
fn syntax_depends_on_nothing_else_in_the_crate() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/syntax");
    let mut offenders = Vec::new();
    for entry in fs::read_dir(&dir).expect("read src/syntax") {
        let path = entry.expect("directory entry").path();
        if !path.is_file() {
            // `tests/`: these tests, which name the parser as `crate::syntax`.
            continue;
        }
        let text = fs::read_to_string(&path).expect("read source");
        for (n, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            if code.contains("crate::") {
                offenders.push(format!("{}:{}: {line}", path.display(), n + 1));
            }
        }
    }
    assert!(offenders.is_empty(), "{}", offenders.join("\n"));
}

/// `KEYWORDS` lists every keyword the parser matches, so completion offers all of them.
#[test]
fn keywords_cover_the_parser() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/syntax");
    let mut missing = Vec::new();
    for entry in fs::read_dir(&dir).expect("read src/syntax") {
        let path = entry.expect("directory entry").path();
        if !path.is_file() {
            // `tests/`: these tests, not the parser.
            continue;
        }
        let text = fs::read_to_string(path).expect("read source");
        for call in [
            "kw(\"",
            "opt_kw(i, \"",
            "opt_kw(rest, \"",
            "peek_kw(i, \"",
            "peek_kw(rest, \"",
        ] {
            for piece in text.split(call).skip(1) {
                let word: String = piece.chars().take_while(char::is_ascii_uppercase).collect();
                if !word.is_empty() && !crate::syntax::KEYWORDS.contains(&word.as_str()) {
                    missing.push(word);
                }
            }
        }
    }
    missing.sort();
    missing.dedup();
    assert!(
        missing.is_empty(),
        "keywords missing from KEYWORDS: {missing:?}"
    );
}

// ---------------------------------------------------------------------------------------------
// Snapshots

/// Each `ok/*.cypher` holds one or more statements; its `.ast` holds, per statement, the source
/// text, the canonical text and the S-expression tree with spans. Each statement must also print
/// to text that parses back to the same tree.
#[test]
fn ok_snapshots() {
    let mut mismatches = Vec::new();
    for path in cypher_files(&data_dir().join("ok")) {
        let text = fs::read_to_string(&path).expect("read query");
        let statements = match parse_script(&text) {
            Ok(s) => s,
            Err(e) => panic!("{}: {}\n{}", path.display(), e, e.render(&text)),
        };
        let mut snapshot = String::new();
        for (statement, span) in &statements {
            let _ = writeln!(snapshot, "-- {}", span.text(&text).replace('\n', "\n-- "));
            let _ = writeln!(snapshot, "{statement}");
            let _ = writeln!(snapshot, "{}", statement.to_sexpr());
            let reparsed = parse(&statement.to_string()).unwrap_or_else(|e| {
                panic!(
                    "{}: printed form does not parse: {e}\n{statement}",
                    path.display()
                )
            });
            assert_eq!(
                without_spans(&format!("{reparsed:?}")),
                without_spans(&format!("{statement:?}")),
                "{}: round trip changed the tree",
                path.display()
            );
        }
        let ast_path = path.with_extension("ast");
        if update_expect() {
            fs::write(&ast_path, &snapshot).expect("write snapshot");
        } else if fs::read_to_string(&ast_path).ok().as_deref() != Some(snapshot.as_str()) {
            mismatches.push(ast_path.display().to_string());
        }
    }
    assert!(
        mismatches.is_empty(),
        "snapshots differ (run with UPDATE_EXPECT=1 to accept): {mismatches:#?}"
    );
}

/// Each `err/*.cypher` must fail; its first line is `// expect: LINE:COLUMN Kind`, checked
/// against the error. The expectation line is blanked before parsing, so the query starts on
/// line 2 and the expectation does not depend on its own length.
#[test]
fn err_expectations() {
    let files = cypher_files(&data_dir().join("err"));
    assert!(
        files.len() >= 100,
        "want at least 100 malformed queries, have {}",
        files.len()
    );
    let mut failures = Vec::new();
    for path in files {
        let file_text = fs::read_to_string(&path).expect("read query");
        let first_line = file_text.lines().next().unwrap_or("");
        let body = file_text.split_once('\n').map_or("", |(_, b)| b);
        let text = format!("\n{body}");
        let error = match parse(&text) {
            Ok(statement) => {
                failures.push(format!("{}: parsed as {statement}", path.display()));
                continue;
            }
            Err(e) => e,
        };
        let actual = format!(
            "// expect: {}:{} {:?}",
            error.line(),
            error.column(),
            error.kind
        );
        if update_expect() && first_line.starts_with("// expect:") {
            fs::write(&path, format!("{actual}\n{body}")).expect("write expectation");
        } else if first_line != actual {
            failures.push(format!(
                "{}: expected `{first_line}`, got `{actual}`: {error}\n{}",
                path.display(),
                error.render(&text)
            ));
        }
        // Whatever the error, it renders and its span fits the text.
        assert!(error.span.end <= text.len());
        let _ = error.render(&text);
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

// ---------------------------------------------------------------------------------------------
// Grammar examples

/// Every rule of the EBNF names a parser (`parse_rule` knows it) and every `(* e.g. ... *)`
/// example parses with the rule it follows.
#[test]
fn grammar_examples_parse() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("grammar/cordial.ebnf");
    let grammar = fs::read_to_string(&path).expect("read grammar");
    let mut rule: Option<String> = None;
    let mut checked = 0;
    let mut failures = Vec::new();
    let mut rules_without_example = Vec::new();
    let mut examples_for_rule = 0;
    for line in grammar.lines() {
        let rule_line = if line.starts_with(char::is_whitespace) {
            None
        } else {
            line.split_once("::=")
        };
        if let Some((name, _)) = rule_line {
            if let Some(prev) = &rule
                && examples_for_rule == 0
            {
                rules_without_example.push(prev.clone());
            }
            let name = name.trim().to_owned();
            if parse_rule(&name, "").is_none() {
                failures.push(format!("rule `{name}` has no parser function"));
            }
            rule = Some(name);
            examples_for_rule = 0;
        }
        let mut rest = line;
        while let Some(at) = rest.find("(* e.g. ") {
            let after = &rest[at + 8..];
            let Some(end) = after.find(" *)") else { break };
            let example = &after[..end];
            rest = &after[end + 3..];
            // The legend, before the first rule, shows the example syntax itself.
            let Some(rule) = &rule else { continue };
            checked += 1;
            examples_for_rule += 1;
            match parse_rule(rule, example) {
                Some(Ok(())) => {}
                Some(Err(e)) => {
                    failures.push(format!("{rule}: `{example}`: {e}\n{}", e.render(example)))
                }
                None => {}
            }
        }
    }
    if let Some(prev) = &rule
        && examples_for_rule == 0
    {
        rules_without_example.push(prev.clone());
    }
    assert!(
        rules_without_example.is_empty(),
        "rules without an example: {rules_without_example:?}"
    );
    for name in crate::syntax::grammar_rules() {
        let defined = grammar
            .lines()
            .any(|l| l.split_once("::=").is_some_and(|(n, _)| n.trim() == name));
        if !defined {
            failures.push(format!("parser rule `{name}` is not in the grammar"));
        }
    }
    assert!(checked > 50, "only {checked} examples found");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

// ---------------------------------------------------------------------------------------------
// TCK

struct TckQuery {
    file: String,
    scenario: String,
    text: String,
    /// `Some(detail)` for the scenario's main query when a compile-time SyntaxError is expected.
    syntax_error: Option<String>,
    /// The expected result's column names, for the scenario's main query.
    columns: Option<Vec<String>>,
}

fn tck_dir() -> PathBuf {
    std::env::var_os("CORDIAL_TCK_DIR")
        .map_or_else(|| PathBuf::from("/work/shared/tck/features"), PathBuf::from)
}

fn feature_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            feature_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "feature") {
            out.push(path);
        }
    }
}

#[derive(Default, Clone)]
struct Scenario {
    name: String,
    /// (query, is the main `When executing query`).
    queries: Vec<(String, bool)>,
    syntax_error: Option<String>,
    columns: Option<Vec<String>>,
    examples: Vec<Vec<String>>,
    outline: bool,
}

fn table_cells(line: &str) -> Vec<String> {
    let trimmed = line.trim();
    let inner = trimmed
        .strip_prefix('|')
        .and_then(|s| s.strip_suffix('|'))
        .unwrap_or(trimmed);
    inner.split('|').map(|c| c.trim().to_owned()).collect()
}

/// Extracts the queries of one feature file, expanding outlines.
fn feature_queries(file: &str, text: &str) -> Vec<TckQuery> {
    let lines: Vec<&str> = text.lines().map(|l| l.trim_end_matches('\r')).collect();
    let mut scenarios: Vec<Scenario> = Vec::new();
    let mut background: Vec<(String, bool)> = Vec::new();
    let mut in_background = false;
    let mut in_examples = false;
    let mut pending_step: Option<bool> = None;
    let mut awaiting_columns = false;
    let mut n = 0;
    while n < lines.len() {
        let line = lines[n];
        let trimmed = line.trim();
        n += 1;
        if trimmed.starts_with('#') {
            continue;
        }
        if trimmed.starts_with("Background:") {
            in_background = true;
            continue;
        }
        if let Some(name) = trimmed
            .strip_prefix("Scenario Outline:")
            .or_else(|| trimmed.strip_prefix("Scenario:"))
        {
            in_background = false;
            in_examples = false;
            scenarios.push(Scenario {
                name: name.trim().to_owned(),
                queries: background.clone(),
                outline: trimmed.starts_with("Scenario Outline:"),
                ..Scenario::default()
            });
            continue;
        }
        if trimmed.starts_with("Examples:") {
            in_examples = true;
            continue;
        }
        if trimmed == "\"\"\"" {
            let indent = line.len() - line.trim_start().len();
            let mut body = Vec::new();
            while n < lines.len() && lines[n].trim() != "\"\"\"" {
                let l = lines[n];
                let strip = l.len() - l.trim_start().len();
                body.push(&l[strip.min(indent)..]);
                n += 1;
            }
            n += 1;
            if let Some(main) = pending_step.take() {
                let query = body.join("\n");
                if in_background {
                    background.push((query, main));
                } else if let Some(s) = scenarios.last_mut() {
                    s.queries.push((query, main));
                }
            }
            continue;
        }
        if awaiting_columns && trimmed.starts_with('|') {
            awaiting_columns = false;
            if let Some(s) = scenarios.last_mut() {
                s.columns = Some(table_cells(trimmed));
            }
            continue;
        }
        if in_examples && trimmed.starts_with('|') {
            if let Some(s) = scenarios.last_mut() {
                s.examples.push(table_cells(trimmed));
            }
            continue;
        }
        if trimmed.ends_with("executing query:") || trimmed.ends_with("executing control query:") {
            pending_step = Some(trimmed.contains("executing query:"));
        } else if trimmed.starts_with("Then the result should be") && !trimmed.ends_with("empty") {
            awaiting_columns = true;
        } else if trimmed.ends_with("having executed:") {
            pending_step = Some(false);
        } else if let Some(detail) = trimmed
            .split("SyntaxError should be raised at compile time:")
            .nth(1)
            && let Some(s) = scenarios.last_mut()
        {
            s.syntax_error = Some(detail.trim().to_owned());
        }
    }
    let mut out = Vec::new();
    for scenario in scenarios {
        let rows: Vec<BTreeMap<String, String>> = if scenario.outline && scenario.examples.len() > 1
        {
            let header = &scenario.examples[0];
            scenario.examples[1..]
                .iter()
                .map(|row| header.iter().cloned().zip(row.iter().cloned()).collect())
                .collect()
        } else {
            vec![BTreeMap::new()]
        };
        for row in rows {
            let expand = |s: &str| {
                let mut s = s.to_owned();
                for (k, v) in &row {
                    s = s.replace(&format!("<{k}>"), v);
                }
                s
            };
            for (query, main) in &scenario.queries {
                out.push(TckQuery {
                    file: file.to_owned(),
                    scenario: scenario.name.clone(),
                    text: expand(query),
                    syntax_error: if *main {
                        scenario.syntax_error.as_deref().map(expand)
                    } else {
                        None
                    },
                    columns: if *main {
                        scenario
                            .columns
                            .as_ref()
                            .map(|c| c.iter().map(|name| expand(name)).collect())
                    } else {
                        None
                    },
                });
            }
        }
    }
    out
}

fn tck_queries() -> Vec<TckQuery> {
    let dir = tck_dir();
    let mut files = Vec::new();
    feature_files(&dir, &mut files);
    files.sort();
    let mut queries = Vec::new();
    for path in files {
        let Ok(text) = fs::read_to_string(&path) else {
            continue;
        };
        let name = path
            .strip_prefix(&dir)
            .unwrap_or(&path)
            .display()
            .to_string();
        queries.extend(feature_queries(&name, &text));
    }
    queries
}

/// The columns of a query's final `RETURN`: the alias, or the exact source text of the item.
fn column_names(statement: &crate::syntax::Statement, text: &str) -> Option<Vec<String>> {
    use crate::syntax::ast::ClauseKind;
    let crate::syntax::Statement::Query(query) = statement else {
        return None;
    };
    let last = query.unions.last().map_or(&query.first, |u| &u.query);
    let ClauseKind::Return(projection) = &last.clauses.last()?.kind else {
        return None;
    };
    if projection.star {
        return None;
    }
    let names = projection.items.iter().map(|item| match &item.alias {
        Some(alias) => alias.name.clone(),
        None => item.expr.span.text(text).to_owned(),
    });
    Some(names.collect())
}

/// Error details the parser owns (see `SyntaxErrorKind`); the others need scopes or constant
/// folding and are the planner's.
const PARSER_DETAILS: &[&str] = &[
    "UnexpectedSyntax",
    "InvalidNumberLiteral",
    "IntegerOverflow",
    "InvalidUnicodeLiteral",
    "InvalidUnicodeCharacter",
    "InvalidRelationshipPattern",
    "InvalidDelete",
    "InvalidParameterUse",
    "NoExpressionAlias",
];

/// Syntax-error scenarios the parser rejects; raise it when the parser learns more.
const MIN_SYNTAX_ERRORS_REJECTED: usize = 37;

#[test]
fn tck_queries_parse() {
    let queries = tck_queries();
    if queries.is_empty() {
        eprintln!("no TCK features under {}; skipping", tck_dir().display());
        return;
    }
    let mut failures = Vec::new();
    let mut ok = 0;
    let mut by_detail: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let mut wrong_kind = Vec::new();
    let mut columns_checked = 0;
    for q in &queries {
        let result = parse(&q.text);
        match (&q.syntax_error, result) {
            (None, Ok(statement)) => {
                ok += 1;
                if let (Some(expected), Some(actual)) =
                    (&q.columns, column_names(&statement, &q.text))
                {
                    columns_checked += 1;
                    if &actual != expected {
                        failures.push(format!(
                            "{} / {}: columns {actual:?}, expected {expected:?}\n{}",
                            q.file, q.scenario, q.text
                        ));
                    }
                }
            }
            (None, Err(e)) => failures.push(format!(
                "{} / {}: {e}\n{}\n{}",
                q.file,
                q.scenario,
                q.text,
                e.render(&q.text)
            )),
            (Some(detail), result) => {
                let entry = by_detail.entry(detail.clone()).or_default();
                entry.1 += 1;
                if let Err(e) = result {
                    entry.0 += 1;
                    if e.kind.tck_name() != detail {
                        wrong_kind.push(format!(
                            "{} / {}: wanted {detail}, got {:?}: {e}",
                            q.file, q.scenario, e.kind
                        ));
                    }
                } else if PARSER_DETAILS.contains(&detail.as_str()) {
                    failures.push(format!(
                        "{} / {}: should fail with {detail}:\n{}",
                        q.file, q.scenario, q.text
                    ));
                }
            }
        }
    }
    let expected_ok = queries.iter().filter(|q| q.syntax_error.is_none()).count();
    eprintln!("TCK: {ok}/{expected_ok} queries without an expected SyntaxError parse");
    eprintln!("TCK: {columns_checked} result column names match the source text of their items");
    assert!(
        columns_checked > 1000,
        "only {columns_checked} column headers checked"
    );
    let mut rejected = 0;
    let mut total = 0;
    for (detail, (r, t)) in &by_detail {
        let owner = if PARSER_DETAILS.contains(&detail.as_str()) {
            "parser"
        } else {
            "planner"
        };
        eprintln!("TCK: SyntaxError {detail:<32} rejected {r:>3}/{t:<3} ({owner})");
        rejected += r;
        total += t;
    }
    eprintln!("TCK: {rejected}/{total} syntax-error scenarios rejected by the parser");
    for w in &wrong_kind {
        eprintln!("TCK kind mismatch: {w}");
    }
    assert!(
        failures.is_empty(),
        "{} TCK failures:\n{}",
        failures.len(),
        failures.join("\n\n")
    );
    assert!(
        rejected >= MIN_SYNTAX_ERRORS_REJECTED,
        "regression: {rejected} < {MIN_SYNTAX_ERRORS_REJECTED}"
    );
}

// ---------------------------------------------------------------------------------------------
// Round trip

/// `parse(print(ast)) == ast` (spans aside) and printing is stable, over every TCK query and
/// every snapshot query that parses.
#[test]
fn print_parse_round_trip() {
    let mut texts: Vec<String> = tck_queries().into_iter().map(|q| q.text).collect();
    for path in cypher_files(&data_dir().join("ok")) {
        texts.push(fs::read_to_string(path).expect("read query"));
    }
    let mut checked = 0;
    let mut failures = Vec::new();
    for text in &texts {
        let Ok(statements) = parse_script(text) else {
            continue;
        };
        for (statement, _) in statements {
            checked += 1;
            if let Err(msg) = check_round_trip(&statement) {
                failures.push(format!("{text}\n  {msg}"));
            }
        }
    }
    assert!(checked > 1000, "only {checked} statements checked");
    assert!(
        failures.is_empty(),
        "{} round-trip failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

fn check_round_trip(statement: &crate::syntax::Statement) -> Result<(), String> {
    let printed = statement.to_string();
    let reparsed =
        parse(&printed).map_err(|e| format!("printed `{printed}` does not parse: {e}"))?;
    if without_spans(&format!("{reparsed:?}")) != without_spans(&format!("{statement:?}")) {
        return Err(format!("printed `{printed}` parses to a different tree"));
    }
    let reprinted = reparsed.to_string();
    if reprinted != printed {
        return Err(format!(
            "printing is not stable: `{printed}` then `{reprinted}`"
        ));
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Errors: incompleteness, rendering, depth

#[test]
fn incomplete_input_is_recognised() {
    for text in [
        "MATCH (n",
        "MATCH (n) RETURN n,",
        "MATCH (n)",
        "RETURN 1 +",
        "RETURN 'abc",
        "RETURN [1, 2",
        "MATCH (n) /* comment",
        "MATCH (n) WHERE\n",
        "RETURN CASE WHEN true THEN 1",
        "UNWIND [1] AS x\n",
    ] {
        let e = parse(text).expect_err(text);
        assert!(is_incomplete(&e), "{text:?} should be incomplete: {e}");
    }
    for text in [
        "MATCH (n) RETRUN n",
        "RETURN 1 RETURN 2",
        "RETURN {1}",
        "RETURN 0x",
    ] {
        let e = parse(text).expect_err(text);
        assert!(!is_incomplete(&e), "{text:?} should not be incomplete: {e}");
    }
}

#[test]
fn error_renders_line_column_and_caret() {
    let text = "MATCH (n:Person RETURN n";
    let e = parse(text).expect_err("missing paren");
    assert_eq!(e.to_string(), "expected ')' at line 1, column 17");
    assert_eq!(e.expected, vec![")"]);
    assert_eq!(e.span, 16..16);
    assert_eq!(
        e.render(text),
        "error: expected ')' at line 1, column 17\n  MATCH (n:Person RETURN n\n                  ^"
    );

    let text = "MATCH (n)\n  WHERE n.x = \u{2014} 1\nRETURN n";
    let e = parse(text).expect_err("em dash");
    assert_eq!(
        (e.line(), e.column(), e.kind),
        (2, 15, SyntaxErrorKind::InvalidUnicodeCharacter)
    );
    assert!(
        e.render(text)
            .ends_with("  WHERE n.x = \u{2014} 1\n                ^"),
        "{}",
        e.render(text)
    );
}

#[test]
fn kinds_follow_the_tck() {
    let cases = [
        ("RETURN 0x", SyntaxErrorKind::InvalidNumberLiteral),
        (
            "RETURN 0x8000000000000000",
            SyntaxErrorKind::IntegerOverflow,
        ),
        ("RETURN '\\uZZZZ'", SyntaxErrorKind::InvalidUnicodeLiteral),
        (
            "RETURN 1 \u{2014} 1",
            SyntaxErrorKind::InvalidUnicodeCharacter,
        ),
        (
            "MATCH (a)-[:T..2]->(b) RETURN a",
            SyntaxErrorKind::InvalidRelationshipPattern,
        ),
        ("MATCH (n) DELETE n:L", SyntaxErrorKind::InvalidDelete),
        (
            "MATCH (n $p) RETURN n",
            SyntaxErrorKind::InvalidParameterUse,
        ),
        (
            "MATCH (n) WITH n.x RETURN 1",
            SyntaxErrorKind::NoExpressionAlias,
        ),
        ("RETURN {1}", SyntaxErrorKind::UnexpectedSyntax),
    ];
    for (text, kind) in cases {
        let e: SyntaxError = parse(text).expect_err(text);
        assert_eq!(e.kind, kind, "{text}: {e}");
    }
    assert_eq!(
        parse("RETURN -0x8000000000000000")
            .map(|s| s.to_string())
            .ok()
            .as_deref(),
        Some("RETURN -9223372036854775808")
    );
}

/// Deep nesting is an error, not a stack overflow, on a default 2 MB test thread.
#[test]
fn deep_nesting_is_bounded() {
    // Nesting: recursion in the parser, limited to 128 levels.
    for depth in [100, 129, 1_000, 100_000] {
        for (open, close) in [
            ("(", ")"),
            ("[", "]"),
            ("{a: ", "}"),
            ("-", ""),
            ("[x IN ", " | x]"),
            ("f(", ")"),
        ] {
            let text = format!("RETURN {}1{}", open.repeat(depth), close.repeat(depth));
            match parse(&text) {
                Ok(_) => assert!(depth <= 128, "{open} x {depth} parsed"),
                Err(e) => assert!(
                    depth > 128 && e.kind == SyntaxErrorKind::TooComplex,
                    "{open} x {depth}: {e}"
                ),
            }
        }
    }
    // The depth each construct reaches before the parser's stack budget stops it.
    for (open, close) in [
        ("(", ")"),
        ("[x IN ", " | x]"),
        ("({k: ", "})"),
        ("[(a)-->(b) | ", "]"),
        ("EXISTS { MATCH (n) WHERE ", " }"),
    ] {
        let reached = (1..=128)
            .find(|&depth| {
                let text = format!(
                    "MATCH (n) WHERE {}true{} RETURN n",
                    open.repeat(depth),
                    close.repeat(depth)
                );
                parse(&text).is_err()
            })
            .map_or(128, |failed| failed - 1);
        eprintln!("nesting {open:?}: {reached} levels");
        assert!(reached >= 40, "{open} only nests {reached} levels");
    }
    // Brackets that the grammar makes try alternatives, nested: each is parsed once (memoized),
    // not exponentially often.
    for (open, close) in [("[x IN ", ", 1]"), ("({k: ", "})")] {
        let text = format!(
            "MATCH (n) WHERE {}1{} RETURN n",
            open.repeat(60),
            close.repeat(60)
        );
        let started = std::time::Instant::now();
        let result = parse(&text);
        assert!(
            result.is_ok(),
            "{open}: {:?}",
            result.err().map(|e| e.to_string())
        );
        assert!(
            started.elapsed() < std::time::Duration::from_secs(5),
            "{open}: took {:?}",
            started.elapsed()
        );
    }
    // Chains: loops in the parser, but trees as deep as they are long, limited to 1000.
    for length in [500, 1_100, 100_000] {
        for (prefix, link, suffix) in [
            ("", "NOT ", "true"),
            ("1", " + 1", ""),
            ("n", ".a", ""),
            ("l", "[0]", ""),
            ("1", " < 1", ""),
            ("x", " IS NULL", ""),
        ] {
            let text = format!("RETURN {prefix}{}{suffix}", link.repeat(length));
            match parse(&text) {
                Ok(statement) => {
                    assert!(length <= 1000, "{link} x {length} parsed");
                    // Printing and dropping a deep tree recurse, within the stack.
                    let _ = statement.to_string();
                }
                Err(e) => assert!(
                    length > 1000 && e.kind == SyntaxErrorKind::TooComplex,
                    "{link} x {length}: {e}"
                ),
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Fuzz: no input panics

fn seed_queries() -> &'static [String] {
    static SEEDS: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    SEEDS.get_or_init(|| {
        let mut seeds: Vec<String> = tck_queries()
            .into_iter()
            .map(|q| q.text)
            .filter(|t| t.len() < 600)
            .collect();
        for dir in ["ok", "err"] {
            for path in cypher_files(&data_dir().join(dir)) {
                seeds.push(fs::read_to_string(path).expect("read query"));
            }
        }
        seeds
    })
}

const TOKENS: &[&str] = &[
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    "-",
    "->",
    "<-",
    "--",
    ":",
    ",",
    ".",
    "..",
    "*",
    "$",
    "'",
    "\"",
    "`",
    "/*",
    "*/",
    "//",
    "\\",
    "\\u",
    "|",
    "=",
    "+=",
    "<>",
    "=~",
    "^",
    "0x",
    "0o",
    "1e",
    ".5",
    "9223372036854775808",
    " MATCH ",
    " RETURN ",
    " WHERE ",
    " WITH ",
    " AS ",
    " CASE ",
    " WHEN ",
    " END ",
    " EXISTS ",
    " COUNT ",
    " UNION ",
    " NOT ",
    " IS ",
    " NULL ",
    " IN ",
    " STARTS ",
    " CALL ",
    " YIELD ",
    " ON ",
    " SET ",
    "\u{2014}",
    "é",
    "名",
    "\n",
    "\t",
    "\0",
];

#[derive(Debug, Clone)]
enum Mutation {
    Delete(usize),
    Insert(usize, u8),
    Swap(usize, usize),
    Token(usize, usize),
    Truncate(usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        any::<usize>().prop_map(Mutation::Delete),
        (any::<usize>(), any::<u8>()).prop_map(|(at, b)| Mutation::Insert(at, b)),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Mutation::Swap(a, b)),
        (any::<usize>(), 0..TOKENS.len()).prop_map(|(at, t)| Mutation::Token(at, t)),
        any::<usize>().prop_map(Mutation::Truncate),
    ]
}

fn mutate(seed: &str, mutations: &[Mutation]) -> String {
    let mut bytes = seed.as_bytes().to_vec();
    for m in mutations {
        let len = bytes.len() + 1;
        match *m {
            Mutation::Delete(at) if !bytes.is_empty() => {
                bytes.remove(at % bytes.len());
            }
            Mutation::Insert(at, b) => bytes.insert(at % len, b),
            Mutation::Swap(a, b) if !bytes.is_empty() => {
                let n = bytes.len();
                bytes.swap(a % n, b % n);
            }
            Mutation::Token(at, t) => {
                let at = at % len;
                bytes.splice(at..at, TOKENS[t].bytes());
            }
            Mutation::Truncate(at) => bytes.truncate(at % len),
            _ => {}
        }
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

/// Whatever the text, parsing returns; an error has a span inside the text and renders; a
/// success prints to text that parses back to the same tree.
fn check_no_panic(text: &str) -> Result<(), TestCaseError> {
    match parse(text) {
        Ok(statement) => {
            check_round_trip(&statement).map_err(TestCaseError::fail)?;
        }
        Err(e) => {
            prop_assert!(e.span.start <= e.span.end && e.span.end <= text.len());
            prop_assert!(e.line() >= 1 && e.column() >= 1);
            let _ = e.render(text);
            let _ = is_incomplete(&e);
        }
    }
    let _ = parse_script(text);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 80_000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn mutated_queries_never_panic(seed in any::<prop::sample::Index>(), mutations in prop::collection::vec(mutation(), 1..6)) {
        let seeds = seed_queries();
        let text = mutate(&seeds[seed.index(seeds.len())], &mutations);
        check_no_panic(&text)?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 20_000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn random_token_soup_never_panics(tokens in prop::collection::vec(0..TOKENS.len(), 0..40), text in "\\PC{0,40}") {
        let mut soup: String = tokens.iter().map(|&t| TOKENS[t]).collect();
        soup.push_str(&text);
        check_no_panic(&soup)?;
    }
}

// ---------------------------------------------------------------------------------------------
// Round trip of generated expressions

mod generated {
    use crate::syntax::ast::{
        BinaryOp, Clause, ClauseKind, Direction, Expr, ExprKind, Ident, Literal, MapProjectionItem,
        Match, NodePattern, PathPattern, Pattern, PatternPart, Projection, ProjectionItem,
        QualifiedName, Quantifier, Query, RelPattern, SetItem, Shortest, SingleQuery, SortItem,
        SortOrder, Span, UnaryOp, VarLength,
    };
    use crate::syntax::{Statement, parse};
    use proptest::prelude::*;

    use super::without_spans;

    fn e(kind: ExprKind) -> Expr {
        Expr {
            kind,
            span: Span::default(),
        }
    }

    fn name() -> impl Strategy<Value = String> {
        prop_oneof![
            "[a-z][a-z0-9_]{0,4}",
            Just("end".to_owned()),
            Just("match".to_owned()),
            Just("a b".to_owned()),
            Just("x`y".to_owned()),
            Just("名前".to_owned()),
        ]
    }

    fn ident() -> impl Strategy<Value = Ident> {
        name().prop_map(|name| Ident {
            name,
            span: Span::default(),
        })
    }

    fn literal() -> impl Strategy<Value = Literal> {
        prop_oneof![
            any::<i64>().prop_map(Literal::Integer),
            any::<f64>()
                .prop_filter("finite", |x| x.is_finite())
                .prop_map(Literal::Float),
            "\\PC{0,6}".prop_map(Literal::String),
            "[\\\\'\"\n\t\u{1}]{0,3}".prop_map(Literal::String),
            any::<bool>().prop_map(Literal::Bool),
            Just(Literal::Null),
        ]
    }

    fn binary_op() -> impl Strategy<Value = BinaryOp> {
        prop::sample::select(vec![
            BinaryOp::Or,
            BinaryOp::Xor,
            BinaryOp::And,
            BinaryOp::Eq,
            BinaryOp::Ne,
            BinaryOp::Lt,
            BinaryOp::Gt,
            BinaryOp::Le,
            BinaryOp::Ge,
            BinaryOp::RegexMatch,
            BinaryOp::StartsWith,
            BinaryOp::EndsWith,
            BinaryOp::Contains,
            BinaryOp::In,
            BinaryOp::Add,
            BinaryOp::Sub,
            BinaryOp::Mul,
            BinaryOp::Div,
            BinaryOp::Mod,
            BinaryOp::Pow,
        ])
    }

    fn function_name() -> impl Strategy<Value = QualifiedName> {
        prop::sample::select(vec![
            (vec![], "f"),
            (vec![], "toUpper"),
            (vec!["date"], "truncate"),
            (vec!["ns", "a"], "b"),
            (vec![], "exists"),
        ])
        .prop_map(|(ns, n)| QualifiedName {
            namespace: ns.into_iter().map(str::to_owned).collect(),
            name: n.to_owned(),
            span: Span::default(),
        })
    }

    /// Expressions as the parser builds them (no pattern predicates, which only `WHERE` allows).
    pub(super) fn expr() -> impl Strategy<Value = Expr> {
        let leaf = prop_oneof![
            literal().prop_map(|l| e(ExprKind::Literal(l))),
            name().prop_map(|n| e(ExprKind::Variable(n))),
            prop_oneof!["[a-z]{1,4}", "[0-9]{1,2}", Just("a b".to_owned())]
                .prop_map(|p| e(ExprKind::Parameter(p))),
            Just(e(ExprKind::CountStar)),
        ];
        leaf.prop_recursive(4, 48, 4, |inner| {
            let boxed = inner.clone().prop_map(Box::new);
            let opt_boxed = prop::option::of(inner.clone().prop_map(Box::new));
            prop_oneof![
                (binary_op(), boxed.clone(), boxed.clone())
                    .prop_map(|(op, a, b)| e(ExprKind::Binary(op, a, b))),
                (
                    prop::sample::select(vec![UnaryOp::Not, UnaryOp::Negate, UnaryOp::Plus]),
                    boxed.clone()
                )
                    .prop_map(|(op, a)| e(ExprKind::Unary(op, a))),
                (boxed.clone(), name()).prop_map(|(a, k)| e(ExprKind::Property(a, k))),
                (boxed.clone(), boxed.clone()).prop_map(|(a, b)| e(ExprKind::Index(a, b))),
                (boxed.clone(), opt_boxed.clone(), opt_boxed.clone())
                    .prop_map(|(a, from, to)| e(ExprKind::Slice { expr: a, from, to })),
                (boxed.clone(), prop::collection::vec(name(), 1..3))
                    .prop_map(|(a, l)| e(ExprKind::HasLabels(a, l))),
                (boxed.clone(), any::<bool>())
                    .prop_map(|(a, negated)| e(ExprKind::IsNull { expr: a, negated })),
                prop::collection::vec(inner.clone(), 0..3).prop_map(|l| e(ExprKind::List(l))),
                prop::collection::vec((name(), inner.clone()), 0..3)
                    .prop_map(|m| e(ExprKind::Map(m))),
                (
                    function_name(),
                    any::<bool>(),
                    prop::collection::vec(inner.clone(), 0..3)
                )
                    .prop_map(|(name, distinct, args)| e(ExprKind::FunctionCall {
                        name,
                        distinct,
                        args
                    })),
                (
                    opt_boxed.clone(),
                    prop::collection::vec((inner.clone(), inner.clone()), 1..3),
                    opt_boxed.clone()
                )
                    .prop_map(|(operand, alternatives, default)| e(
                        ExprKind::Case {
                            operand,
                            alternatives,
                            default
                        }
                    )),
                (ident(), boxed.clone(), opt_boxed.clone(), opt_boxed.clone()).prop_map(
                    |(variable, list, filter, map)| e(ExprKind::ListComprehension {
                        variable,
                        list,
                        filter,
                        map
                    })
                ),
                (
                    prop::sample::select(vec![
                        Quantifier::All,
                        Quantifier::Any,
                        Quantifier::None,
                        Quantifier::Single
                    ]),
                    ident(),
                    boxed.clone(),
                    opt_boxed.clone()
                )
                    .prop_map(|(quantifier, variable, list, filter)| e(
                        ExprKind::Quantified {
                            quantifier,
                            variable,
                            list,
                            filter
                        }
                    )),
                (
                    ident(),
                    boxed.clone(),
                    ident(),
                    boxed.clone(),
                    boxed.clone()
                )
                    .prop_map(|(accumulator, init, variable, list, body)| e(
                        ExprKind::Reduce {
                            accumulator,
                            init,
                            variable,
                            list,
                            expr: body
                        }
                    )),
                (
                    ident(),
                    prop::collection::vec(
                        prop_oneof![
                            name().prop_map(MapProjectionItem::Property),
                            Just(MapProjectionItem::AllProperties),
                            (name(), inner.clone())
                                .prop_map(|(k, v)| MapProjectionItem::Literal(k, v)),
                            ident().prop_map(MapProjectionItem::Variable),
                        ],
                        0..3
                    )
                )
                    .prop_map(|(variable, items)| e(ExprKind::MapProjection { variable, items })),
            ]
        })
    }

    fn node() -> impl Strategy<Value = NodePattern> {
        (
            prop::option::of(ident()),
            prop::collection::vec(name(), 0..3),
            prop::option::of(map()),
        )
            .prop_map(|(variable, labels, properties)| NodePattern {
                variable,
                labels,
                properties,
                span: Span::default(),
            })
    }

    fn map() -> impl Strategy<Value = Expr> {
        prop::collection::vec(
            (name(), literal().prop_map(|l| e(ExprKind::Literal(l)))),
            0..3,
        )
        .prop_map(|entries| e(ExprKind::Map(entries)))
    }

    fn rel() -> impl Strategy<Value = RelPattern> {
        (
            prop::option::of(ident()),
            prop::collection::vec(name(), 0..3),
            prop::sample::select(vec![
                Direction::Outgoing,
                Direction::Incoming,
                Direction::Both,
            ]),
            prop::option::of(
                (prop::option::of(0..5u64), prop::option::of(0..5u64))
                    .prop_map(|(min, max)| VarLength { min, max }),
            ),
            prop::option::of(map()),
        )
            .prop_map(
                |(variable, types, direction, length, properties)| RelPattern {
                    variable,
                    types,
                    direction,
                    length,
                    properties,
                    span: Span::default(),
                },
            )
    }

    fn path() -> impl Strategy<Value = PathPattern> {
        (node(), prop::collection::vec((rel(), node()), 0..3)).prop_map(|(start, steps)| {
            PathPattern {
                start,
                steps,
                span: Span::default(),
            }
        })
    }

    fn pattern() -> impl Strategy<Value = Pattern> {
        let part = (
            prop::option::of(ident()),
            prop::option::of(prop::sample::select(vec![Shortest::One, Shortest::All])),
            path(),
        )
            .prop_map(|(variable, shortest, path)| PatternPart {
                variable,
                shortest,
                path,
                span: Span::default(),
            });
        prop::collection::vec(part, 1..3).prop_map(|parts| Pattern {
            parts,
            span: Span::default(),
        })
    }

    fn clause(kind: ClauseKind) -> Clause {
        Clause {
            kind,
            span: Span::default(),
        }
    }

    fn projection(where_allowed: bool) -> impl Strategy<Value = Projection> {
        let item = (expr(), ident()).prop_map(|(expr, alias)| ProjectionItem {
            expr,
            alias: Some(alias),
        });
        let sort = (
            expr(),
            prop::sample::select(vec![SortOrder::Ascending, SortOrder::Descending]),
        )
            .prop_map(|(expr, order)| SortItem { expr, order });
        (
            any::<bool>(),
            any::<bool>(),
            prop::collection::vec(item, 1..3),
            prop::collection::vec(sort, 0..2),
            prop::option::of(expr()),
            prop::option::of(expr()),
            prop::option::of(expr()).prop_map(move |w| if where_allowed { w } else { None }),
        )
            .prop_map(|(distinct, star, items, order_by, skip, limit, where_)| {
                Projection {
                    distinct,
                    star,
                    items,
                    order_by,
                    skip,
                    limit,
                    where_,
                }
            })
    }

    fn set_item() -> impl Strategy<Value = SetItem> {
        prop_oneof![
            (expr(), name(), expr()).prop_map(|(target, key, value)| SetItem::Property {
                target,
                key,
                value,
                span: Span::default()
            }),
            (ident(), expr()).prop_map(|(variable, value)| SetItem::Replace {
                variable,
                value,
                span: Span::default()
            }),
            (ident(), expr()).prop_map(|(variable, value)| SetItem::Update {
                variable,
                value,
                span: Span::default()
            }),
            (ident(), prop::collection::vec(name(), 1..3)).prop_map(|(variable, labels)| {
                SetItem::Labels {
                    variable,
                    labels,
                    span: Span::default(),
                }
            }),
        ]
    }

    /// `MATCH ... [WHERE ...] [WITH ...] [SET ...] RETURN ...`, with patterns as predicates.
    fn query() -> impl Strategy<Value = Statement> {
        let predicate = prop_oneof![
            expr(),
            path()
                .prop_filter("a predicate has a relationship", |p| !p.steps.is_empty())
                .prop_map(|p| e(ExprKind::PatternPredicate(Box::new(p)))),
        ];
        (
            any::<bool>(),
            pattern(),
            prop::option::of(predicate),
            prop::option::of(projection(true)),
            prop::collection::vec(set_item(), 0..3),
            projection(false),
        )
            .prop_map(|(optional, pattern, where_, with, set, ret)| {
                let mut clauses = vec![clause(ClauseKind::Match(Match {
                    optional,
                    pattern,
                    where_,
                }))];
                clauses.extend(with.map(|p| clause(ClauseKind::With(p))));
                if !set.is_empty() {
                    clauses.push(clause(ClauseKind::Set(set)));
                }
                clauses.push(clause(ClauseKind::Return(ret)));
                let first = SingleQuery {
                    clauses,
                    span: Span::default(),
                };
                Statement::Query(Query {
                    first,
                    unions: Vec::new(),
                    span: Span::default(),
                })
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 1_500, failure_persistence: None, ..ProptestConfig::default() })]

        /// `parse(print(ast)) == ast`, spans aside, for generated queries.
        #[test]
        fn generated_queries_round_trip(statement in query()) {
            let text = statement.to_string();
            let parsed = parse(&text).map_err(|err| TestCaseError::fail(format!("`{text}` does not parse: {err}")))?;
            prop_assert_eq!(without_spans(&format!("{parsed:?}")), without_spans(&format!("{statement:?}")), "printed as `{}`", text);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 20_000, failure_persistence: None, ..ProptestConfig::default() })]

        /// `parse(print(ast)) == ast`, spans aside, for generated expressions.
        #[test]
        fn generated_expressions_round_trip(expr in expr()) {
            let text = format!("RETURN {expr} AS result");
            let statement = parse(&text).map_err(|err| TestCaseError::fail(format!("`{text}` does not parse: {err}")))?;
            let Statement::Query(query) = statement else { return Err(TestCaseError::fail("not a query")) };
            let ClauseKind::Return(projection) = &query.first.clauses[0].kind else {
                return Err(TestCaseError::fail("not a RETURN"));
            };
            let parsed = &projection.items[0].expr;
            prop_assert_eq!(without_spans(&format!("{parsed:?}")), without_spans(&format!("{expr:?}")), "printed as `{}`", text);
        }
    }
}

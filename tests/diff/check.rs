//! Running a query three ways and comparing what comes back: rows as multisets (or as lists
//! under a total ORDER BY), `collect` lists as bags, errors by kind and never by message.

use std::panic::{AssertUnwindSafe, catch_unwind};

use cordial::{Database, Error, Map, Value};

use super::generate::{Query, Step};

/// The three ways a query runs: the optimised and the simple plan on the in-memory store (one
/// store, two plans), and the optimised plan on a sled store built by the same statements.
pub struct Stores {
    pub memory: Database,
    pub simple: Database,
    pub sled: Database,
    _dir: tempfile::TempDir,
}

impl Stores {
    /// Builds the graph on both stores. A statement must succeed on both, or fail on both
    /// with the same kind of error; otherwise the stores already disagree.
    pub fn build(steps: &[Step]) -> Result<Stores, String> {
        let dir = tempfile::tempdir().map_err(|e| format!("temporary directory: {e}"))?;
        let memory = Database::in_memory().map_err(|e| format!("in-memory database: {e}"))?;
        let sled =
            Database::open(dir.path().join("db")).map_err(|e| format!("sled database: {e}"))?;
        for step in steps {
            match step {
                Step::Statement(text) => {
                    let on_memory = memory.query_all(text, Map::new());
                    let on_sled = sled.query_all(text, Map::new());
                    match (&on_memory, &on_sled) {
                        (Ok(_), Ok(_)) => {}
                        (Err(a), Err(b)) if error_kind(a) == error_kind(b) => {}
                        _ => {
                            return Err(format!(
                                "the stores disagree on building the graph at\n{text}\nmemory: {}\nsled: {}",
                                outcome_text(&on_memory.map(|_| ())),
                                outcome_text(&on_sled.map(|_| ()))
                            ));
                        }
                    }
                }
                Step::Checkpoint => sled
                    .checkpoint()
                    .map_err(|e| format!("checkpoint of the sled store: {e}"))?,
            }
        }
        Ok(Stores {
            simple: memory.clone().with_simple_plans(true),
            memory,
            sled,
            _dir: dir,
        })
    }

    /// The three databases with the names a report gives them.
    pub fn sides(&self) -> [(&'static str, &Database); 3] {
        [
            ("memory, optimised plan", &self.memory),
            ("memory, simple plan", &self.simple),
            ("sled, optimised plan", &self.sled),
        ]
    }
}

fn outcome_text(result: &Result<(), Error>) -> String {
    match result {
        Ok(()) => "ok".to_owned(),
        Err(e) => format!("error {}: {e}", error_kind(e)),
    }
}

/// The kind of an error, the part that must agree: its layer and its class.
pub fn error_kind(error: &Error) -> String {
    match error {
        Error::Syntax(e) => format!("SyntaxError.{:?}", e.kind),
        Error::Plan(e) => format!("PlanError.{:?}", e.kind),
        Error::Exec(e) => format!("ExecError.{:?}", e.kind()),
        Error::Value(e) => format!("ValueError.{:?}", e.kind()),
        other => {
            let debug = format!("{other:?}");
            debug
                .split(['(', ' ', '{'])
                .next()
                .unwrap_or_default()
                .to_owned()
        }
    }
}

/// What one side returned, normalised for comparison.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Rows {
        columns: Vec<String>,
        /// Each value's exact form (`Debug`: `1` and `1.0` differ, a node shows its id, labels
        /// and properties), bag columns with their items sorted; sorted rows unless ordered.
        rows: Vec<Vec<String>>,
    },
    /// The error's kind; the message is kept for the report only.
    Error { kind: String, message: String },
    /// The engine panicked: always a failure.
    Panic(String),
}

impl Outcome {
    /// Two outcomes agree: the same columns and rows, or errors of the same kind.
    pub fn agrees_with(&self, other: &Outcome) -> bool {
        match (self, other) {
            (Outcome::Error { kind: a, .. }, Outcome::Error { kind: b, .. }) => a == b,
            (Outcome::Panic(_), _) | (_, Outcome::Panic(_)) => false,
            (a, b) => a == b,
        }
    }

    pub fn row_count(&self) -> Option<usize> {
        match self {
            Outcome::Rows { rows, .. } => Some(rows.len()),
            _ => None,
        }
    }

    /// The outcome for a report, at most `limit` rows.
    pub fn describe(&self, limit: usize) -> String {
        match self {
            Outcome::Rows { columns, rows } => {
                let mut text = format!("{} rows | {}\n", rows.len(), columns.join(" | "));
                for row in rows.iter().take(limit) {
                    text.push_str(&format!("  {}\n", row.join(" | ")));
                }
                if rows.len() > limit {
                    text.push_str(&format!("  ... {} more\n", rows.len() - limit));
                }
                text
            }
            Outcome::Error { kind, message } => format!("error {kind}: {message}\n"),
            Outcome::Panic(message) => format!("panic: {message}\n"),
        }
    }
}

/// Normalises a result: values in their exact form, bags sorted, rows sorted unless the query
/// orders them.
pub fn outcome(query: &Query, result: Result<cordial::QueryResult, Error>) -> Outcome {
    match result {
        Err(e) => Outcome::Error {
            kind: error_kind(&e),
            message: e.to_string(),
        },
        Ok(result) => {
            let mut rows: Vec<Vec<String>> = result
                .rows
                .iter()
                .map(|row| {
                    row.values()
                        .iter()
                        .enumerate()
                        .map(|(i, value)| match value {
                            Value::List(items) if query.bag_columns.contains(&i) => {
                                let mut items: Vec<String> =
                                    items.iter().map(|v| format!("{v:?}")).collect();
                                items.sort();
                                format!("bag[{}]", items.join(", "))
                            }
                            other => format!("{other:?}"),
                        })
                        .collect()
                })
                .collect();
            if !query.ordered {
                rows.sort();
            }
            Outcome::Rows {
                columns: result.columns,
                rows,
            }
        }
    }
}

/// Runs a query on one database; a panic becomes an outcome, so the report can name the case.
pub fn run(db: &Database, query: &Query) -> Outcome {
    match catch_unwind(AssertUnwindSafe(|| db.query_all(&query.text, Map::new()))) {
        Ok(result) => outcome(query, result),
        Err(panic) => Outcome::Panic(
            panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                .unwrap_or_default(),
        ),
    }
}

/// How a query's plan starts its patterns: the number of index seeks EXPLAIN shows, and the
/// plan's text.
pub fn explain(db: &Database, query: &Query) -> Option<(usize, String)> {
    let result = db
        .query_all(&format!("EXPLAIN {}", query.text), Map::new())
        .ok()?;
    let text: Vec<String> = result
        .rows
        .iter()
        .filter_map(|r| r.get::<String>("plan").ok())
        .collect();
    let text = text.join("\n");
    Some((text.matches("index-seek").count(), text))
}

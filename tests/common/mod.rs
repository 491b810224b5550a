//! Helpers shared by the test binaries.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use cordial::Database;

/// Every file below `dir` whose name ends in `.ext`, in path order.
pub fn files_under(dir: &Path, ext: &str) -> Vec<PathBuf> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    let mut out = Vec::new();
    for path in entries {
        if path.is_dir() {
            out.extend(files_under(&path, ext));
        } else if path.extension().is_some_and(|e| e == ext) {
            out.push(path);
        }
    }
    out
}

/// A database of each kind: in memory, and on disk in a temporary directory (kept alive by the
/// returned guard).
pub fn databases() -> Vec<(&'static str, Database, Option<tempfile::TempDir>)> {
    let dir = tempfile::tempdir().expect("temporary directory");
    let on_disk = Database::open(dir.path().join("db")).expect("open sled database");
    vec![
        (
            "memory",
            Database::in_memory().expect("in-memory database"),
            None,
        ),
        ("sled", on_disk, Some(dir)),
    ]
}

/// Runs a test body against both stores.
#[macro_export]
macro_rules! on_both_stores {
    ($name:ident, $body:expr) => {
        #[test]
        fn $name() {
            for (kind, db, _guard) in common::databases() {
                let body: fn(&cordial::Database) -> cordial::Result<()> = $body;
                if let Err(e) = body(&db) {
                    panic!("{} store: {e}", kind);
                }
            }
        }
    };
}

/// Every kind of property value, with the awkward cases (NaN, negative zero, empty and unicode
/// strings, offsets and zone names, empty and mixed lists).
pub fn sample_values() -> Vec<(&'static str, cordial::Value)> {
    use chrono::{NaiveDate, NaiveTime};
    use cordial::Value;
    use cordial::value::{Date, DateTime, Duration, LocalDateTime, LocalTime, Time};
    let date = NaiveDate::from_ymd_opt(2024, 2, 29).unwrap();
    let time = NaiveTime::from_hms_nano_opt(13, 45, 7, 123_456_789).unwrap();
    vec![
        ("int", Value::Int(42)),
        ("int_min", Value::Int(i64::MIN)),
        ("int_max", Value::Int(i64::MAX)),
        ("float", Value::Float(1.5)),
        ("float_neg_zero", Value::Float(-0.0)),
        ("float_nan", Value::Float(f64::NAN)),
        ("float_inf", Value::Float(f64::NEG_INFINITY)),
        ("bool_true", Value::Bool(true)),
        ("bool_false", Value::Bool(false)),
        ("string", Value::String("plain".into())),
        ("string_empty", Value::String(String::new().into())),
        (
            "string_unicode",
            Value::String("Zoë 北京 🚀 \u{0} end".into()),
        ),
        ("date", Value::Date(Date(date))),
        (
            "date_old",
            Value::Date(Date(NaiveDate::from_ymd_opt(1066, 10, 14).unwrap())),
        ),
        ("localtime", Value::LocalTime(LocalTime(time))),
        (
            "time",
            Value::Time(Time {
                time,
                offset_seconds: -5 * 3600,
            }),
        ),
        (
            "localdatetime",
            Value::LocalDateTime(LocalDateTime(date.and_time(time))),
        ),
        (
            "datetime_utc",
            Value::DateTime(DateTime {
                local: date.and_time(time),
                offset_seconds: 0,
                zone: None,
            }),
        ),
        (
            "datetime_offset",
            Value::DateTime(DateTime {
                local: date.and_time(time),
                offset_seconds: 2 * 3600 + 30 * 60,
                zone: None,
            }),
        ),
        (
            "datetime_zone",
            Value::DateTime(DateTime {
                local: date.and_time(time),
                offset_seconds: 3600,
                zone: Some("Europe/Paris".into()),
            }),
        ),
        (
            "duration",
            Value::Duration(Duration {
                months: 14,
                days: -3,
                seconds: 3_725,
                nanos: 500,
            }),
        ),
        ("list_empty", Value::List(vec![].into())),
        (
            "list_ints",
            Value::List((vec![Value::Int(1), Value::Int(-2), Value::Int(3)]).into()),
        ),
        (
            "list_mixed",
            Value::List(
                (vec![
                    Value::String("a".into()),
                    Value::Float(2.5),
                    Value::Bool(false),
                    Value::Date(Date(date)),
                ])
                .into(),
            ),
        ),
    ]
}

/// A value's exact identity: the variant and its contents, with NaN equal to itself and `1`
/// different from `1.0` (which `Value`'s grouping equality treats as equal).
pub fn exact(value: &cordial::Value) -> String {
    format!("{value:?}")
}

/// Every file under `dir` with its length and contents, to prove a directory did not change.
pub fn fingerprint(dir: &std::path::Path) -> Vec<(std::path::PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).expect("read dir") {
            let path = entry.expect("dir entry").path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let bytes = std::fs::read(&path).expect("read file");
                out.push((path, bytes));
            }
        }
    }
    out.sort();
    out
}

/// The sample company, written in one transaction dated by the database's clock.
pub fn install_sample(db: &Database) {
    let mut tx = db.begin_write().expect("transaction");
    cordial::crm::sample::install(&mut tx, db.today().expect("today")).expect("sample");
    tx.commit().expect("commit");
}

/// The sample company, as of a fixed day (2025-06-15), built once per test binary.
pub fn sample() -> &'static Database {
    static DB: std::sync::OnceLock<Database> = std::sync::OnceLock::new();
    DB.get_or_init(|| {
        let now = cordial::value::DateTime::parse("2025-06-15T12:00:00Z").expect("now");
        let db = Database::in_memory().expect("db").with_now(Some(now));
        install_sample(&db);
        db
    })
}

/// The rows of `query`, each as its values; panics with the query when it fails.
pub fn run(db: &Database, query: &str) -> Vec<Vec<cordial::Value>> {
    match db.query_all(query, cordial::Map::new()) {
        Ok(r) => r.rows.iter().map(|row| row.values().to_vec()).collect(),
        Err(e) => panic!("{query}\nfailed: {e}"),
    }
}

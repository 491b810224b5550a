//! The domain's procedure table against the sample company (moved from `tests/domain.rs`,
//! which holds the rest of the domain's tests and needs only the public API): every question
//! of the sample and every `crm.*` procedure without arguments answers something, and bad
//! options are clear errors, for every procedure of `domain::PROCEDURES`.

use std::sync::OnceLock;

use crate::exec::ExecErrorKind;
use crate::value::DateTime;
use crate::{Database, Error, Map, Value};

/// The sample company, written in one transaction dated by the database's clock.
fn install_sample(db: &Database) {
    let mut tx = db.begin_write().expect("transaction");
    crate::domain::sample::install(&mut tx, db.today().expect("today")).expect("sample");
    tx.commit().expect("commit");
}

/// The sample company, as of a fixed day.
fn sample() -> &'static Database {
    static DB: OnceLock<Database> = OnceLock::new();
    DB.get_or_init(|| {
        let now = DateTime::parse("2025-06-15T12:00:00Z").expect("now");
        let db = Database::in_memory().expect("db").with_now(Some(now));
        install_sample(&db);
        db
    })
}

fn run(db: &Database, query: &str) -> Vec<Vec<Value>> {
    match db.query_all(query, Map::new()) {
        Ok(r) => r.rows.iter().map(|row| row.values().to_vec()).collect(),
        Err(e) => panic!("{query}\nfailed: {e}"),
    }
}

fn error_kind(db: &Database, query: &str) -> ExecErrorKind {
    match db.query_all(query, Map::new()) {
        Err(Error::Exec(e)) => e.kind(),
        other => panic!("{query}: expected an execution error, got {other:?}"),
    }
}

#[test]
fn the_sample_answers_every_question_and_procedure() {
    let db = sample();
    for (question, query) in crate::domain::sample::QUESTIONS {
        assert!(!run(db, query).is_empty(), "no answer to {question}");
    }
    for p in crate::domain::PROCEDURES {
        if p.writes || p.min_args > 0 {
            continue;
        }
        assert!(
            !run(db, &format!("CALL {}()", p.name)).is_empty(),
            "{} is empty",
            p.name
        );
    }
}

#[test]
fn bad_options_are_clear_errors() {
    let db = sample();
    assert_eq!(
        error_kind(db, "CALL crm.atRisk({dayz: 3})"),
        ExecErrorKind::ArgumentError
    );
    assert_eq!(
        error_kind(db, "CALL crm.atRisk({days: -3})"),
        ExecErrorKind::ArgumentError
    );
    assert_eq!(
        error_kind(db, "CALL crm.atRisk(3)"),
        ExecErrorKind::TypeError
    );
    assert_eq!(
        error_kind(db, "CALL crm.nps({by: 3})"),
        ExecErrorKind::TypeError
    );
    assert_eq!(
        error_kind(db, "CALL crm.warmPath(42)"),
        ExecErrorKind::TypeError
    );
    assert_eq!(
        error_kind(
            db,
            "CALL crm.retention({from: date('2025-01-01'), to: date('2024-01-01')})"
        ),
        ExecErrorKind::ArgumentError
    );
    // Windows reaching past the calendar cover everything rather than fail.
    let huge = "{days: 9223372036854775807, spendDays: 9223372036854775807, complaintDays: 9223372036854775807}";
    assert!(!run(db, &format!("CALL crm.atRisk({huge})")).is_empty());
    for p in crate::domain::PROCEDURES {
        if !p.writes && p.min_args == 0 && p.name != "crm.lifetimeValue" {
            run(
                db,
                &format!("CALL {}({{days: 9223372036854775807}})", p.name),
            );
        }
    }
    match db.query_all("CALL crm.atRisk({dayz: 3})", Map::new()) {
        Err(e) => assert!(e.to_string().contains("dayz"), "{e}"),
        Ok(_) => unreachable!(),
    }
}

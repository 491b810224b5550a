//! Import through mapping files: the Salesforce and HubSpot examples give the expected graph,
//! re-importing changes nothing (and a changed export updates only what changed), bad rows are
//! reported with file:line and column while the others are imported (or, strict, nothing is
//! written), and a bad mapping file says where it is wrong.

use std::path::{Path, PathBuf};
use std::process::Command;

use cordial::import::mapping::{Counts, MappingError, normalise, salesforce_18};
use cordial::import::{MappingOptions, MappingSummary, import_mapped, read_mapping};
use cordial::{Database, Map, Value};

fn example(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples/import")
        .join(name)
}

fn import(db: &Database, dir: &Path, strict: bool) -> Result<MappingSummary, MappingError> {
    let mapping = read_mapping(&dir.join("mapping.toml"))?;
    import_mapped(db, &mapping, dir, MappingOptions { strict }, &mut |_| {})
}

fn int(db: &Database, query: &str) -> i64 {
    let r = db.query_all(query, Map::new()).unwrap();
    r.rows[0].get::<i64>("n").unwrap()
}

fn value(db: &Database, query: &str) -> Value {
    let r = db.query_all(query, Map::new()).unwrap();
    r.rows[0].values()[0].clone()
}

fn s(text: &str) -> Value {
    Value::String(text.into())
}

#[test]
fn the_salesforce_example_gives_the_standard_graph() {
    let db = Database::in_memory().unwrap();
    let summary = import(&db, &example("salesforce"), false).unwrap();
    assert!(summary.errors.is_empty(), "{:?}", summary.errors);
    assert_eq!(summary.rows, 20);
    for (label, n) in [
        ("Customer", 3),
        ("Contact", 4),
        ("Opportunity", 4),
        ("Ticket", 2),
        ("Interaction", 4),
        ("Competitor", 3),
    ] {
        assert_eq!(
            int(&db, &format!("MATCH (x:{label}) RETURN count(x) AS n")),
            n,
            "{label}"
        );
    }
    // Typed, leniently parsed properties and constants.
    let acme = "MATCH (c:Customer {id: 'sf:0015g00000Ab001AAB'})";
    assert_eq!(
        value(&db, &format!("{acme} RETURN c.annualRevenue")),
        Value::Float(12_500_000.0)
    );
    assert_eq!(
        value(&db, &format!("{acme} RETURN c.employees")),
        Value::Int(240)
    );
    assert_eq!(value(&db, &format!("{acme} RETURN c.status")), s("active"));
    assert_eq!(
        value(&db, &format!("{acme} RETURN c.kind")),
        s("organisation")
    );
    assert_eq!(
        value(&db, &format!("{acme} RETURN c.source")),
        s("salesforce")
    );
    assert_eq!(
        value(
            &db,
            &format!("{acme} RETURN c.createdAt = datetime('2021-04-12T09:15:00Z')")
        ),
        Value::Bool(true)
    );
    assert_eq!(
        value(
            &db,
            "MATCH (c:Customer {name: 'Borealis Retail'}) RETURN c.status"
        ),
        s("prospect")
    );
    // References, including a 15-character AccountId widened to 18.
    assert_eq!(
        int(
            &db,
            "MATCH (:Customer {name: 'Borealis Retail'})-[:SUBSIDIARY_OF]->(p:Customer {name: 'Borealis Foods, GmbH'}) RETURN count(p) AS n"
        ),
        1
    );
    assert_eq!(
        int(
            &db,
            "MATCH (:Contact {name: 'Dieter Schmidt'})-[:WORKS_AT]->(c:Customer {name: 'Borealis Retail'}) RETURN count(c) AS n"
        ),
        1
    );
    assert_eq!(
        int(
            &db,
            "MATCH (:Contact)-[w:WORKS_AT]->(:Customer) RETURN count(w) AS n"
        ),
        4
    );
    // Opportunity statuses from StageName; amount as money; close date as a date.
    let statuses = db
        .query_all(
            "MATCH (o:Opportunity) RETURN o.status AS s ORDER BY o.id",
            Map::new(),
        )
        .unwrap();
    let got: Vec<&Value> = statuses.rows.iter().map(|r| &r.values()[0]).collect();
    assert_eq!(got, vec![&s("won"), &s("open"), &s("lost"), &s("open")]);
    assert_eq!(
        value(
            &db,
            "MATCH (o:Opportunity {id: 'sf:0065g00002Ef001AAB'}) RETURN o.closeDate = date('2024-03-28')"
        ),
        Value::Bool(true)
    );
    // Picklist normalisation: "ACME corp" and "Acme Corp." are one competitor.
    assert_eq!(
        int(
            &db,
            "MATCH (:Opportunity)-[:COMPETED_WITH]->(c:Competitor {id: 'acme-corp'}) RETURN count(c) AS n"
        ),
        2
    );
    // Polymorphic WhatId: an account, an opportunity and a case (15-character id).
    assert_eq!(
        int(
            &db,
            "MATCH (:Customer)-[r:HAS_INTERACTION]->(:Interaction) RETURN count(r) AS n"
        ),
        2
    );
    assert_eq!(
        int(
            &db,
            "MATCH (:Interaction)-[r:ABOUT]->(:Opportunity) RETURN count(r) AS n"
        ),
        1
    );
    assert_eq!(
        int(
            &db,
            "MATCH (:Interaction)-[r:ABOUT]->(:Ticket) RETURN count(r) AS n"
        ),
        1
    );
    assert_eq!(
        int(
            &db,
            "MATCH (:Contact)-[r:PARTICIPATED_IN]->(:Interaction) RETURN count(r) AS n"
        ),
        3
    );
    assert_eq!(
        int(
            &db,
            "MATCH (:Customer)-[:RAISED]->(t:Ticket)<-[:REPORTED]-(:Contact) RETURN count(t) AS n"
        ),
        2
    );
    // The join table: roles on INVOLVED_IN.
    assert_eq!(
        value(
            &db,
            "MATCH (:Contact {name: 'Clara Vogel'})-[r:INVOLVED_IN]->(:Opportunity) RETURN r.role"
        ),
        s("economic_buyer")
    );
    assert_eq!(
        int(
            &db,
            "MATCH (:Contact)-[r:INVOLVED_IN {isPrimary: true}]->() RETURN count(r) AS n"
        ),
        2
    );
}

#[test]
fn the_hubspot_example_gives_the_standard_graph() {
    let db = Database::in_memory().unwrap();
    let summary = import(&db, &example("hubspot"), false).unwrap();
    assert!(summary.errors.is_empty(), "{:?}", summary.errors);
    assert_eq!(int(&db, "MATCH (c:Customer) RETURN count(c) AS n"), 3);
    // An association column with two companies.
    assert_eq!(
        int(
            &db,
            "MATCH (:Contact {name: 'Sam Rivera'})-[:WORKS_AT]->(c) RETURN count(c) AS n"
        ),
        2
    );
    // "Kitchenly", "KITCHENLY inc" (an alias) and "kitchenly" are one competitor.
    assert_eq!(int(&db, "MATCH (c:Competitor) RETURN count(c) AS n"), 2);
    assert_eq!(
        int(
            &db,
            "MATCH (o:Opportunity)-[:COMPETED_WITH]->(:Competitor {id: 'kitchenly'}) RETURN count(o) AS n"
        ),
        2
    );
    // Money in three spellings.
    assert_eq!(
        value(&db, "MATCH (o:Opportunity {id: 'hs:7001'}) RETURN o.amount"),
        Value::Float(86_000.0)
    );
    assert_eq!(
        value(&db, "MATCH (o:Opportunity {id: 'hs:7002'}) RETURN o.amount"),
        Value::Float(142_000.0)
    );
    assert_eq!(
        value(
            &db,
            "MATCH (c:Customer {id: 'hs:9002'}) RETURN c.annualRevenue"
        ),
        Value::Float(4_800_000.0)
    );
    assert_eq!(
        value(&db, "MATCH (c:Customer {id: 'hs:9001'}) RETURN c.employees"),
        Value::Int(1150)
    );
    // US dates: 01/09/2024 is the 9th of January.
    assert_eq!(
        value(
            &db,
            "MATCH (c:Customer {id: 'hs:9002'}) RETURN c.createdAt = datetime('2024-01-09T08:00:00Z')"
        ),
        Value::Bool(true)
    );
    assert_eq!(
        value(&db, "MATCH (c:Contact {id: 'hs:52'}) RETURN c.optOut"),
        Value::Bool(true)
    );
    assert_eq!(
        int(
            &db,
            "MATCH (:Contact)-[r:INVOLVED_IN]->(:Opportunity {id: 'hs:7002'}) RETURN count(r) AS n"
        ),
        2
    );
}

/// Copies an example to a scratch directory.
fn copy_example(name: &str, to: &Path) {
    for entry in std::fs::read_dir(example(name)).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, to.join(path.file_name().unwrap())).unwrap();
    }
}

#[test]
fn reimport_is_idempotent_and_updates_only_what_changed() {
    let tmp = tempfile::tempdir().unwrap();
    copy_example("hubspot", tmp.path());
    let db = Database::open(tmp.path().join("crm.db")).unwrap();
    let first = import(&db, tmp.path(), false).unwrap();
    let nodes = int(&db, "MATCH (n) RETURN count(n) AS n");
    let rels = int(&db, "MATCH ()-[r]->() RETURN count(r) AS n");
    let second = import(&db, tmp.path(), false).unwrap();
    assert_eq!(int(&db, "MATCH (n) RETURN count(n) AS n"), nodes);
    assert_eq!(int(&db, "MATCH ()-[r]->() RETURN count(r) AS n"), rels);
    for (label, c) in &second.nodes {
        assert_eq!(c.created + c.updated, 0, "{label}: {c:?}");
        assert!(c.unchanged > 0);
    }
    for (t, c) in &second.relationships {
        assert_eq!(c.created + c.updated, 0, "{t}");
        let before = first.relationships[t];
        assert_eq!(c.unchanged, before.created + before.unchanged);
    }
    // One changed field: one update.
    let companies = tmp.path().join("companies.csv");
    let text = std::fs::read_to_string(&companies)
        .unwrap()
        .replace("Kiwi Learning Ltd", "Kiwi Learning Limited");
    std::fs::write(&companies, text).unwrap();
    let third = import(&db, tmp.path(), false).unwrap();
    assert_eq!(
        third.nodes["Customer"],
        Counts {
            created: 0,
            updated: 1,
            unchanged: 2
        }
    );
    assert_eq!(
        value(&db, "MATCH (c:Customer {id: 'hs:9003'}) RETURN c.name"),
        s("Kiwi Learning Limited")
    );
    assert_eq!(int(&db, "MATCH (n) RETURN count(n) AS n"), nodes);
}

const SMALL_MAPPING: &str = r#"
id_prefix = "x:"

[[file]]
path = "accounts.csv"
label = "Customer"
id = "Id"
[file.columns]
Name = "name"
Employees = { property = "employees", type = "int" }
Since = { property = "since", type = "date" }

[[file]]
path = "people.csv"
label = "Contact"
id = "Id"
[file.columns]
Name = "name"
[[file.reference]]
column = "Account"
target = "Customer"
type = "WORKS_AT"

[[link]]
path = "referrals.csv"
type = "REFERRED"
from = { column = "By", label = "Customer" }
to = { column = "Whom", label = "Customer" }
[link.columns]
On = { property = "on", type = "date" }
"#;

fn small_export(dir: &Path) {
    std::fs::write(dir.join("mapping.toml"), SMALL_MAPPING).unwrap();
    std::fs::write(
        dir.join("accounts.csv"),
        "Id,Name,Employees,Since\n\
         a1,Alpha,10,2024-01-02\n\
         a2,Beta,many,2024-01-02\n\
         ,Nameless,3,\n\
         a3,Gamma,7,31/31/2024\n\
         a4,Delta,\"1,200\",03/04/2024\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("people.csv"),
        "Id,Name,Account\np1,Pat,a1\np2,Quinn,a9\np3,Ray,a2\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("referrals.csv"),
        "By,Whom,On\na1,a4,2024-05-01\na1,a2,2024-05-02\na4,a1,someday\n",
    )
    .unwrap();
}

#[test]
fn bad_rows_are_reported_with_file_line_and_column_and_others_go_in() {
    let tmp = tempfile::tempdir().unwrap();
    small_export(tmp.path());
    let db = Database::in_memory().unwrap();
    let summary = import(&db, tmp.path(), false).unwrap();
    let errors: Vec<(String, u64, String)> = summary
        .errors
        .iter()
        .map(|e| {
            (
                e.file.file_name().unwrap().to_string_lossy().into_owned(),
                e.line,
                e.column.clone(),
            )
        })
        .collect();
    assert_eq!(
        errors,
        vec![
            ("accounts.csv".into(), 3, "Employees".into()),
            ("accounts.csv".into(), 4, "Id".into()),
            ("accounts.csv".into(), 5, "Since".into()),
            // a9 does not exist; a2 was skipped, so Ray cannot link to it either.
            ("people.csv".into(), 3, "Account".into()),
            ("people.csv".into(), 4, "Account".into()),
            ("referrals.csv".into(), 3, "Whom".into()),
            ("referrals.csv".into(), 4, "On".into()),
        ]
    );
    assert_eq!(
        value(
            &db,
            "MATCH (:Customer {id: 'x:a1'})-[r:REFERRED]->(:Customer {id: 'x:a4'}) RETURN r.on = date('2024-05-01')"
        ),
        Value::Bool(true)
    );
    assert_eq!(
        int(&db, "MATCH ()-[r:REFERRED]->() RETURN count(r) AS n"),
        1
    );
    let first = summary.errors[0].to_string();
    assert!(
        first.contains("accounts.csv:3: column `Employees`"),
        "{first}"
    );
    assert!(first.contains("`many` is not a valid integer"), "{first}");
    assert!(
        summary.errors[3]
            .to_string()
            .contains("no Customer with id `x:a9`")
    );
    // The good rows went in.
    assert_eq!(int(&db, "MATCH (c:Customer) RETURN count(c) AS n"), 2);
    assert_eq!(
        value(&db, "MATCH (c:Customer {id: 'x:a4'}) RETURN c.employees"),
        Value::Int(1200)
    );
    assert_eq!(
        int(
            &db,
            "MATCH (:Contact)-[w:WORKS_AT]->() RETURN count(w) AS n"
        ),
        1
    );
    assert_eq!(int(&db, "MATCH (p:Contact) RETURN count(p) AS n"), 3);
}

#[test]
fn strict_aborts_on_any_row_error_with_nothing_written() {
    let tmp = tempfile::tempdir().unwrap();
    small_export(tmp.path());
    let db = Database::in_memory().unwrap();
    match import(&db, tmp.path(), true) {
        Err(MappingError::Strict { errors }) => assert_eq!(errors.len(), 7),
        other => panic!("{other:?}"),
    }
    assert_eq!(int(&db, "MATCH (n) RETURN count(n) AS n"), 0);
}

fn mapping_error(text: &str) -> MappingError {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("mapping.toml");
    std::fs::write(&path, text).unwrap();
    read_mapping(&path).unwrap_err()
}

#[test]
fn a_bad_mapping_file_says_where() {
    // TOML syntax: line 3.
    match mapping_error("[[file]]\npath = \"a.csv\"\nlabel = = \"X\"\n") {
        MappingError::Parse { line, .. } => assert_eq!(line, 3),
        other => panic!("{other}"),
    }
    // A misspelt key: line 5.
    match mapping_error(
        "[[file]]\npath = \"a.csv\"\nlabel = \"X\"\nid = \"Id\"\ncolums = { A = \"a\" }\n",
    ) {
        e @ MappingError::Parse { line, .. } => {
            assert_eq!(line, 5, "{e}");
            assert!(e.to_string().contains("colums"), "{e}");
        }
        other => panic!("{other}"),
    }
    // An unknown type: line 5.
    match mapping_error(
        "[[file]]\npath = \"a.csv\"\nlabel = \"X\"\nid = \"Id\"\ncolumns = { A = { property = \"a\", type = \"money2\" } }\n",
    ) {
        MappingError::Parse { line, .. } => assert_eq!(line, 5),
        other => panic!("{other}"),
    }
    // A reference with no target, in the second [[file]].
    match mapping_error(
        "[[file]]\npath = \"a.csv\"\nlabel = \"X\"\nid = \"Id\"\n\n[[file]]\npath = \"b.csv\"\nlabel = \"Y\"\nid = \"Id\"\n[[file.reference]]\ncolumn = \"A\"\ntype = \"T\"\n",
    ) {
        e @ MappingError::Invalid { index, .. } => {
            assert_eq!(index, 2);
            assert!(e.to_string().contains("b.csv"), "{e}");
        }
        other => panic!("{other}"),
    }
    // A column the file lacks, and a missing file.
    let tmp = tempfile::tempdir().unwrap();
    small_export(tmp.path());
    std::fs::write(tmp.path().join("people.csv"), "Id,Nom,Account\n").unwrap();
    let db = Database::in_memory().unwrap();
    match import(&db, tmp.path(), false) {
        Err(MappingError::MissingColumn { column, file }) => {
            assert_eq!(column, "Name");
            assert!(file.ends_with("people.csv"));
        }
        other => panic!("{other:?}"),
    }
    std::fs::remove_file(tmp.path().join("people.csv")).unwrap();
    assert!(matches!(
        import(&db, tmp.path(), false),
        Err(MappingError::Io { .. })
    ));
    assert_eq!(int(&db, "MATCH (n) RETURN count(n) AS n"), 0);
}

#[test]
fn ids_and_picklist_values_are_normalised() {
    assert_eq!(salesforce_18("0015g00000Ab001"), "0015g00000Ab001AAB");
    assert_eq!(salesforce_18("0015g00000Ab001AAB"), "0015g00000Ab001AAB");
    assert_eq!(normalise("  Acme Corp. "), "acme-corp");
    assert_eq!(normalise("ACME corp"), "acme-corp");
    assert_eq!(normalise("Société Générale"), "société-générale");
}

#[test]
fn the_cli_imports_with_a_mapping_and_reports_a_summary() {
    let tmp = tempfile::tempdir().unwrap();
    let db = tmp.path().join("crm.db");
    let run = || {
        Command::new(env!("CARGO_BIN_EXE_cordial"))
            .arg("--db")
            .arg(&db)
            .arg("import")
            .arg("--mapping")
            .arg(example("salesforce").join("mapping.toml"))
            .arg(example("salesforce"))
            .output()
            .unwrap()
    };
    let out = run();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("read 20 rows"), "{stdout}");
    assert!(stdout.contains("Customer"), "{stdout}");
    // Not a terminal: no progress bar, and no row errors.
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Into the existing database again: all unchanged.
    let out = run();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success());
    let customer = stdout
        .lines()
        .find(|l| l.trim_start().starts_with("Customer"))
        .unwrap();
    let numbers: Vec<&str> = customer.split_whitespace().skip(1).collect();
    assert_eq!(numbers, vec!["0", "0", "3"], "{stdout}");
}

#[test]
fn a_failed_cli_import_into_a_new_database_leaves_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    small_export(tmp.path());
    let db = tmp.path().join("new.db");
    let out = Command::new(env!("CARGO_BIN_EXE_cordial"))
        .arg("--db")
        .arg(&db)
        .args(["import", "--strict", "--mapping"])
        .arg(tmp.path().join("mapping.toml"))
        .arg(tmp.path())
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("accounts.csv:3: column `Employees`"),
        "{stderr}"
    );
    assert!(!db.exists());
}

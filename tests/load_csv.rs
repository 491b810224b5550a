//! `LOAD CSV`: rows as lists and maps, field terminators, quoting, empty fields as null, files
//! refused outside the import directory, missing files, bad rows with file:line, UNWIND/MERGE
//! batching, and statement atomicity when a row fails.

use std::path::Path;

use cordial::{Database, Error, ExecError, ExecErrorKind, LoadCsvProblem, Map, Value, params};

fn db_in(dir: &Path) -> Database {
    Database::in_memory()
        .expect("database")
        .with_import_dir(Some(dir.to_path_buf()))
}

fn write(dir: &Path, name: &str, text: &str) {
    let path = dir.join(name);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("mkdir");
    }
    std::fs::write(path, text).expect("write");
}

fn load_problem(err: &Error) -> Option<LoadCsvProblem> {
    match err {
        Error::Exec(ExecError::LoadCsv { kind, .. }) => Some(*kind),
        _ => None,
    }
}

fn strings(items: &[Option<&str>]) -> Value {
    Value::List(
        items
            .iter()
            .map(|i| i.map_or(Value::Null, |s| Value::String(s.to_owned().into())))
            .collect(),
    )
}

#[test]
fn rows_without_headers_are_lists_of_strings_and_empty_fields_null() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "a.csv",
        "1,Acme,\n2,\"Beta, Inc\",\"say \"\"hi\"\"\"\n",
    );
    let db = db_in(dir.path());
    let result = db
        .query_all(
            "LOAD CSV FROM 'file:///a.csv' AS row RETURN row",
            Map::new(),
        )
        .unwrap();
    let rows: Vec<&Value> = result.rows.iter().map(|r| &r.values()[0]).collect();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0], &strings(&[Some("1"), Some("Acme"), None]));
    assert_eq!(
        rows[1],
        &strings(&[Some("2"), Some("Beta, Inc"), Some("say \"hi\"")])
    );
}

#[test]
fn rows_with_headers_are_maps_and_short_rows_leave_nulls() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "sub/people.csv",
        "id,name,city\np1,Ann,Oslo\np2,Bo\np3,,\"Multi\nline\"\n",
    );
    let db = db_in(dir.path());
    let result = db
        .query_all(
            "LOAD CSV WITH HEADERS FROM 'file:///sub/people.csv' AS r \
             RETURN r.id AS id, r.name AS name, r.city AS city",
            Map::new(),
        )
        .unwrap();
    let got: Vec<Vec<Value>> = result.rows.iter().map(|r| r.values().to_vec()).collect();
    let s = |t: &str| Value::String(t.into());
    assert_eq!(
        got,
        vec![
            vec![s("p1"), s("Ann"), s("Oslo")],
            vec![s("p2"), s("Bo"), Value::Null],
            vec![s("p3"), Value::Null, s("Multi\nline")],
        ]
    );
}

#[test]
fn field_terminator_and_plain_relative_paths() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "semi.csv", "id;amount\nx;1,5\ny;2\n");
    write(dir.path(), "tab.tsv", "a\tb\n");
    let db = db_in(dir.path());
    let result = db
        .query_all(
            "LOAD CSV WITH HEADERS FROM 'semi.csv' AS r FIELDTERMINATOR ';' \
             RETURN r.id AS id, r.amount AS amount",
            Map::new(),
        )
        .unwrap();
    assert_eq!(result.rows[0].get::<&str>("amount").unwrap(), "1,5");
    assert_eq!(result.rows[1].get::<&str>("id").unwrap(), "y");
    let result = db
        .query_all(
            "LOAD CSV FROM 'file:///tab.tsv' AS r FIELDTERMINATOR '\\t' RETURN size(r) AS n",
            Map::new(),
        )
        .unwrap();
    assert_eq!(result.rows[0].get::<i64>("n").unwrap(), 2);
}

#[test]
fn the_url_may_be_a_parameter_and_escapes_are_decoded() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "my file.csv", "x\n");
    let db = db_in(dir.path());
    let result = db
        .query_all(
            "LOAD CSV FROM $url AS r RETURN r[0] AS x",
            params! {"url" => "file:///my%20file.csv"},
        )
        .unwrap();
    assert_eq!(result.rows[0].get::<&str>("x").unwrap(), "x");
}

#[test]
fn files_outside_the_import_directory_are_refused() {
    let root = tempfile::tempdir().unwrap();
    let import = root.path().join("import");
    std::fs::create_dir_all(&import).unwrap();
    write(root.path(), "secret.csv", "s\n");
    let db = db_in(&import);
    for url in [
        "file:///../secret.csv",
        "file:///a/../../secret.csv",
        "../secret.csv",
        root.path().join("secret.csv").to_str().unwrap(),
        "https://example.com/data.csv",
        "ftp://example.com/data.csv",
    ] {
        let err = db
            .query_all("LOAD CSV FROM $u AS r RETURN r", params! {"u" => url})
            .unwrap_err();
        assert_eq!(
            load_problem(&err),
            Some(LoadCsvProblem::Refused),
            "{url}: {err}"
        );
        match &err {
            Error::Exec(e) => assert_eq!(e.kind(), ExecErrorKind::LoadExternalResource),
            other => panic!("{other}"),
        }
    }
    // A symbolic link inside pointing outside is refused too.
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink(root.path().join("secret.csv"), import.join("link.csv"))
            .unwrap();
        let err = db
            .query_all("LOAD CSV FROM 'file:///link.csv' AS r RETURN r", Map::new())
            .unwrap_err();
        assert_eq!(load_problem(&err), Some(LoadCsvProblem::Refused), "{err}");
        assert!(err.to_string().contains("link.csv"), "{err}");
    }
}

#[test]
fn a_missing_file_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let db = db_in(dir.path());
    let err = db
        .query_all("LOAD CSV FROM 'file:///nope.csv' AS r RETURN r", Map::new())
        .unwrap_err();
    assert_eq!(load_problem(&err), Some(LoadCsvProblem::NotFound));
    assert!(err.to_string().contains("nope.csv"), "{err}");
}

#[test]
fn a_row_wider_than_the_header_is_reported_with_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "bad.csv", "id,name\n1,a\n2,b,extra\n");
    let db = db_in(dir.path());
    let err = db
        .query_all(
            "LOAD CSV WITH HEADERS FROM 'file:///bad.csv' AS r CREATE (:T {id: r.id})",
            Map::new(),
        )
        .unwrap_err();
    assert_eq!(load_problem(&err), Some(LoadCsvProblem::BadRow));
    match &err {
        Error::Exec(ExecError::LoadCsv { line, location, .. }) => {
            assert_eq!(*line, Some(3));
            assert!(location.ends_with("bad.csv"));
        }
        other => panic!("{other}"),
    }
    // The statement is atomic: the first row's node is not there.
    let n = db
        .query_all("MATCH (t:T) RETURN count(t) AS n", Map::new())
        .unwrap();
    assert_eq!(n.rows[0].get::<i64>("n").unwrap(), 0);
}

#[test]
fn an_error_while_handling_a_row_names_the_line_and_keeps_its_kind() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "c.csv", "id,score\nc1,1\nc2,\nc3,3\n");
    let db = db_in(dir.path());
    // MERGE on a null id fails at the row with the empty field: line 3.
    let err = db
        .query_all(
            "LOAD CSV WITH HEADERS FROM 'file:///c.csv' AS r MERGE (:C {score: r.score})",
            Map::new(),
        )
        .unwrap_err();
    match &err {
        Error::Exec(e @ ExecError::AtCsvRow { line, .. }) => {
            assert_eq!(*line, 3);
            assert_eq!(e.kind(), ExecErrorKind::SemanticError);
            assert!(e.to_string().contains("c.csv:3"), "{e}");
        }
        other => panic!("{other}"),
    }
    let n = db
        .query_all("MATCH (c:C) RETURN count(c) AS n", Map::new())
        .unwrap();
    assert_eq!(n.rows[0].get::<i64>("n").unwrap(), 0);
}

#[test]
fn batching_with_merge_is_idempotent_and_uses_the_rows() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from("id,name,employees,owner\n");
    for i in 0..500 {
        text.push_str(&format!("c{i},Customer {i},{},s{}\n", i * 10, i % 7));
    }
    write(dir.path(), "customers.csv", &text);
    let db = db_in(dir.path());
    db.query_all(
        "CREATE CONSTRAINT customer_id FOR (c:Customer) REQUIRE c.id IS UNIQUE",
        Map::new(),
    )
    .unwrap();
    let load = "LOAD CSV WITH HEADERS FROM 'file:///customers.csv' AS row \
                WITH collect(row) AS rows \
                UNWIND rows AS row \
                MERGE (c:Customer {id: row.id}) \
                SET c.name = row.name, c.employees = toInteger(row.employees) \
                MERGE (s:Staff {id: row.owner}) \
                MERGE (s)-[:OWNS]->(c)";
    for _ in 0..2 {
        db.query_all(load, Map::new()).unwrap();
        let counts = db
            .query_all(
                "MATCH (c:Customer) WITH count(c) AS customers \
                 MATCH (s:Staff) WITH customers, count(s) AS staff \
                 MATCH ()-[o:OWNS]->() RETURN customers, staff, count(o) AS owns",
                Map::new(),
            )
            .unwrap();
        assert_eq!(counts.rows[0].get::<i64>("customers").unwrap(), 500);
        assert_eq!(counts.rows[0].get::<i64>("staff").unwrap(), 7);
        assert_eq!(counts.rows[0].get::<i64>("owns").unwrap(), 500);
    }
    let r = db
        .query_all(
            "MATCH (c:Customer {id: 'c42'}) RETURN c.employees AS e, c.name AS n",
            Map::new(),
        )
        .unwrap();
    assert_eq!(r.rows[0].get::<i64>("e").unwrap(), 420);
    assert_eq!(r.rows[0].get::<&str>("n").unwrap(), "Customer 42");
}

#[test]
fn a_write_transaction_uses_the_database_import_directory() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "t.csv", "a\nb\n");
    let db = db_in(dir.path());
    let mut txn = db.begin_write().unwrap();
    db.execute_in(
        &mut txn,
        "LOAD CSV FROM 'file:///t.csv' AS r CREATE (:Line {text: r[0]})",
        &Map::new(),
    )
    .unwrap();
    txn.commit().unwrap();
    let n = db
        .query_all("MATCH (l:Line) RETURN count(l) AS n", Map::new())
        .unwrap();
    assert_eq!(n.rows[0].get::<i64>("n").unwrap(), 2);
}

#[test]
fn an_empty_file_with_headers_gives_no_rows() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "empty.csv", "");
    let db = db_in(dir.path());
    let r = db
        .query_all(
            "LOAD CSV WITH HEADERS FROM 'file:///empty.csv' AS r RETURN count(*) AS n",
            Map::new(),
        )
        .unwrap();
    assert_eq!(r.rows[0].get::<i64>("n").unwrap(), 0);
}

#[test]
fn merge_into_a_label_the_graph_lacks_yet_seeks_by_id() {
    // Every label's `id` is indexed from the moment the label exists, so a batch MERGE into an
    // empty database seeks instead of scanning all the nodes it has created so far (which made
    // 100,000 rows quadratic).
    let db = Database::in_memory().unwrap();
    let plan = db
        .query_all(
            "EXPLAIN LOAD CSV WITH HEADERS FROM 'file:///c.csv' AS row \
             MATCH (c:Customer {id: row.id}) RETURN c",
            Map::new(),
        )
        .unwrap();
    let text: Vec<String> = plan
        .rows
        .iter()
        .map(|r| r.get::<&str>("plan").unwrap().to_owned())
        .collect();
    let text = text.join("\n");
    // MERGE plans its pattern the same way (EXPLAIN does not print a MERGE's steps).
    assert!(text.contains("index-seek"), "{text}");
    // A label that stays absent still matches nothing.
    let r = db
        .query_all(
            "MATCH (n:Nobody {id: 'x'}) RETURN count(n) AS n",
            Map::new(),
        )
        .unwrap();
    assert_eq!(r.rows[0].get::<i64>("n").unwrap(), 0);
}

#[test]
fn linenumber_and_file_name_the_row_being_handled() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "l.csv", "id\na\n\"multi\nline\"\nc\n");
    let db = db_in(dir.path());
    let r = db
        .query_all(
            "LOAD CSV WITH HEADERS FROM 'file:///l.csv' AS row \
             RETURN row.id AS id, linenumber() AS line, file() AS f",
            Map::new(),
        )
        .unwrap();
    let lines: Vec<i64> = r
        .rows
        .iter()
        .map(|x| x.get::<i64>("line").unwrap())
        .collect();
    assert_eq!(lines, vec![2, 3, 5]);
    assert!(r.rows[0].get::<&str>("f").unwrap().ends_with("l.csv"));
    // Outside LOAD CSV they are null.
    let r = db
        .query_all("RETURN linenumber() AS line, file() AS f", Map::new())
        .unwrap();
    assert_eq!(r.rows[0].values(), &[Value::Null, Value::Null]);
}

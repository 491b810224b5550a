//! Data subjects' requests: `crm.subjectExport` returns everything held on a contact or an
//! individual customer; `crm.forget` erases them but keeps their orders and aggregates on an
//! anonymised node and records the erasure without the erased values; and after a checkpoint
//! and a compaction no erased value is left in any byte of any file of the database directory.

use std::path::Path;

use cordial::{Database, Map, Value};

const ERASED: &[&str] = &[
    "Zebulon Quartermaine",
    "zebulon.q@example-mail.test",
    "+44 7700 900123",
    "Xanthippe Vandersloot",
    "xanthippe@vandersloot.test",
];
/// Personal data of someone who is not erased: it must survive, which proves the search works.
const KEPT: &str = "Ottoline Brackenbury";

fn setup(db: &Database) {
    for q in [
        "CREATE INDEX contact_email FOR (c:Contact) ON (c.email)",
        "CREATE (org:Customer {id: 'cus-1', name: 'Acme Ltd', kind: 'organisation', status: 'active'}),
                (z:Contact {id: 'con-1', name: 'Zebulon Quartermaine', email: 'zebulon.q@example-mail.test',
                            phone: '+44 7700 900123', title: 'CTO', optOut: false}),
                (o:Contact {id: 'con-2', name: 'Ottoline Brackenbury', email: 'ob@acme.test'}),
                (z)-[:WORKS_AT {role: 'decision_maker', isPrimary: true}]->(org),
                (o)-[:WORKS_AT {role: 'user'}]->(org),
                (z)-[:KNOWS {since: date('2020-01-01'), strength: 0.5}]->(o),
                (z)-[:HAS_EMAIL]->(:EmailAddress {address: 'zebulon.q@example-mail.test'}),
                (i:Interaction {id: 'int-1', kind: 'call', summary: 'Call with Zebulon Quartermaine about renewal',
                                at: datetime('2024-05-01T10:00:00Z')}),
                (org)-[:HAS_INTERACTION]->(i), (z)-[:PARTICIPATED_IN {role: 'to'}]->(i),
                (o)-[:PARTICIPATED_IN {role: 'cc'}]->(i),
                (t:Ticket {id: 't-1', subject: 'zebulon.q@example-mail.test cannot log in', status: 'open'}),
                (org)-[:RAISED]->(t), (z)-[:REPORTED]->(t),
                (f:Feedback {id: 'fb-1', kind: 'nps', score: 9.0}), (org)-[:GAVE]->(f), (z)-[:GAVE]->(f)",
        "CREATE (x:Customer {id: 'cus-2', kind: 'individual', name: 'Xanthippe Vandersloot',
                             email: 'xanthippe@vandersloot.test', status: 'active', segment: 'retail',
                             country: 'NL', since: date('2021-03-04'), churnReason: 'none yet'}),
                (xc:Contact {id: 'con-3', name: 'Xanthippe Vandersloot', email: 'xanthippe@vandersloot.test'}),
                (xc)-[:WORKS_AT]->(x),
                (x)-[:PLACED]->(:Order {id: 'o-1', amount: 10.0, orderedOn: date('2024-01-02')}),
                (x)-[:PLACED]->(:Order {id: 'o-2', amount: 32.5, orderedOn: date('2024-02-03')}),
                (x)-[:MEMBER_OF {status: 'responded'}]->(:Campaign {id: 'cam-1', name: 'Spring'})
         WITH x MATCH (org:Customer {id: 'cus-1'}) CREATE (x)-[:REFERRED {on: date('2022-01-01')}]->(org)",
    ] {
        db.query_all(q, Map::new()).unwrap_or_else(|e| panic!("{e}"));
    }
}

/// Every file under `dir`, read whole.
fn files(dir: &Path) -> Vec<(std::path::PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push((path.clone(), std::fs::read(&path).unwrap()));
            }
        }
    }
    out
}

fn holders(dir: &Path, needle: &str) -> Vec<String> {
    files(dir)
        .into_iter()
        .filter(|(_, bytes)| bytes.windows(needle.len()).any(|w| w == needle.as_bytes()))
        .map(|(p, _)| p.display().to_string())
        .collect()
}

fn params(pairs: &[(&str, &str)]) -> Map {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), Value::String((*v).to_owned().into())))
        .collect()
}

fn one(db: &Database, q: &str, p: Map) -> Value {
    let result = db.query_all(q, p).unwrap_or_else(|e| panic!("{q}: {e}"));
    assert_eq!(result.rows.len(), 1, "{q}");
    result.rows[0].values()[0].clone()
}

#[test]
fn subject_access_returns_everything_held() {
    let db = Database::in_memory().unwrap();
    setup(&db);
    let rows = db
        .query_all(
            "CALL crm.subjectExport($id) YIELD kind, label, id, relationship, direction, properties
             RETURN kind, label, id, relationship, direction, properties",
            params(&[("id", "con-1")]),
        )
        .unwrap();
    let get = |row: &cordial::Row, c: &str| row.value(c).unwrap().clone();
    let subject = &rows.rows[0];
    assert_eq!(get(subject, "kind"), Value::String("subject".into()));
    let Value::Map(props) = get(subject, "properties") else {
        panic!("properties is a map");
    };
    assert_eq!(
        props["email"],
        Value::String("zebulon.q@example-mail.test".into())
    );
    assert_eq!(props["phone"], Value::String("+44 7700 900123".into()));
    let listed: Vec<(String, String, String)> = rows
        .rows
        .iter()
        .skip(1)
        .map(|r| {
            let s = |c| match get(r, c) {
                Value::String(s) => s.to_string(),
                other => other.to_string(),
            };
            (s("kind"), s("relationship"), s("id"))
        })
        .collect();
    for expected in [
        ("relationship", "WORKS_AT", "cus-1"),
        ("relationship", "KNOWS", "con-2"),
        ("relationship", "HAS_EMAIL", "0"),
        ("record", "PARTICIPATED_IN", "int-1"),
        ("record", "REPORTED", "t-1"),
        ("record", "GAVE", "fb-1"),
    ] {
        let found = listed.iter().any(|(k, r, i)| {
            k == expected.0 && r == expected.1 && (i == expected.2 || expected.2 == "0")
        });
        assert!(found, "{expected:?} missing from {listed:?}");
    }
    // The interaction's own properties come with its record row.
    let record = rows
        .rows
        .iter()
        .find(|r| {
            get(r, "kind") == Value::String("record".into())
                && get(r, "label") == Value::String("Interaction".into())
        })
        .unwrap();
    let Value::Map(interaction) = get(record, "properties") else {
        panic!()
    };
    assert_eq!(interaction["kind"], Value::String("call".into()));

    // Individual customers are subjects; organisations and unknown ids are errors.
    let rows = db
        .query_all(
            "CALL crm.subjectExport('cus-2') YIELD kind, label RETURN kind, label",
            Map::new(),
        )
        .unwrap();
    assert_eq!(
        rows.rows
            .iter()
            .filter(|r| get(r, "label") == Value::String("Order".into())
                && get(r, "kind") == Value::String("record".into()))
            .count(),
        2
    );
    for id in ["cus-1", "nobody"] {
        let error = db
            .query_all(
                "CALL crm.subjectExport($id) YIELD kind RETURN kind",
                params(&[("id", id)]),
            )
            .unwrap_err();
        assert!(error.to_string().contains(id), "{error}");
    }
    let described = db
        .query_all("SHOW PROCEDURES", Map::new())
        .unwrap()
        .rows
        .iter()
        .map(|r| format!("{:?}", r.values()))
        .filter(|r| r.contains("crm.forget") || r.contains("crm.subjectExport"))
        .count();
    assert_eq!(described, 2, "both procedures are registered and listed");
}

#[test]
fn erasure_keeps_orders_records_itself_and_leaves_no_byte_behind() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    let db = Database::open(&path).unwrap();
    setup(&db);
    db.checkpoint().unwrap();
    for value in ERASED.iter().chain([&KEPT]) {
        assert!(
            !holders(&path, value).is_empty(),
            "{value} is on disk before the erasure"
        );
    }
    let revenue = |db: &Database| {
        one(
            db,
            "MATCH (:Customer {id: 'cus-2'})-[:PLACED]->(o:Order) RETURN sum(o.amount) AS s",
            Map::new(),
        )
    };
    assert_eq!(revenue(&db), Value::Float(42.5));

    let result = db
        .query_all(
            "CALL crm.forget($id, $by) YIELD erasure, subjects, properties, relationships, scrubbed
             RETURN erasure, subjects, properties, relationships, scrubbed",
            params(&[("id", "con-1"), ("by", "dpo@acme.test")]),
        )
        .unwrap();
    let row = &result.rows[0];
    assert_eq!(row.value("subjects"), Some(&Value::Int(1)));
    assert_eq!(
        row.value("relationships"),
        Some(&Value::Int(2)),
        "KNOWS and HAS_EMAIL"
    );
    assert_eq!(
        row.value("scrubbed"),
        Some(&Value::Int(2)),
        "the interaction summary and ticket subject"
    );

    // The contact is an anonymised placeholder still attached to the business records.
    let props = one(
        &db,
        "MATCH (c:Contact {id: 'con-1'}) RETURN properties(c) AS p",
        Map::new(),
    );
    let Value::Map(props) = props else { panic!() };
    assert_eq!(props.keys().cloned().collect::<Vec<_>>(), ["erased", "id"]);
    let links = one(
        &db,
        "MATCH (c:Contact {id: 'con-1'})-[r]-() RETURN collect(type(r)) AS t",
        Map::new(),
    );
    let Value::List(mut links) = links else {
        panic!()
    };
    links.make_mut().sort_by_key(|v| v.to_string());
    let names: Vec<String> = links.iter().map(|v| v.to_string()).collect();
    assert_eq!(
        names,
        [
            "'ERASED'",
            "'GAVE'",
            "'PARTICIPATED_IN'",
            "'REPORTED'",
            "'WORKS_AT'"
        ]
    );
    assert_eq!(
        one(
            &db,
            "MATCH (e:EmailAddress) RETURN count(e) AS n",
            Map::new()
        ),
        Value::Int(0)
    );
    assert_eq!(
        one(
            &db,
            "MATCH (i:Interaction) RETURN i.summary AS s",
            Map::new()
        ),
        Value::String("Call with [erased] about renewal".into())
    );
    assert_eq!(
        one(
            &db,
            "MATCH (c:Contact {id: 'con-2'}) RETURN c.name AS n",
            Map::new()
        ),
        Value::String(KEPT.into())
    );

    // The erasure record says when, by whom and what kinds, and holds no erased value.
    let erasure = one(
        &db,
        "MATCH (e:Erasure)-[:ERASED]->(:Contact {id: 'con-1'}) RETURN e AS e",
        Map::new(),
    );
    let Value::Node(erasure) = erasure else {
        panic!()
    };
    assert_eq!(
        erasure.properties["by"],
        Value::String("dpo@acme.test".into())
    );
    assert!(matches!(erasure.properties["at"], Value::DateTime(_)));
    let recorded = format!("{:?}", erasure.properties);
    assert!(
        recorded.contains("\"email\"") && recorded.contains("KNOWS"),
        "{recorded}"
    );
    for value in ERASED {
        assert!(
            !recorded.contains(value),
            "the erasure record holds {value}"
        );
    }

    // An individual customer: their contact goes too; orders and aggregates stay.
    db.query_all(
        "CALL crm.forget('cus-2') YIELD subjects RETURN subjects",
        Map::new(),
    )
    .unwrap();
    assert_eq!(revenue(&db), Value::Float(42.5));
    let customer = one(
        &db,
        "MATCH (c:Customer {id: 'cus-2'}) RETURN c AS c",
        Map::new(),
    );
    let Value::Node(customer) = customer else {
        panic!()
    };
    assert_eq!(
        customer.properties["status"],
        Value::String("active".into())
    );
    assert_eq!(customer.properties["country"], Value::String("NL".into()));
    for gone in ["name", "email", "churnReason"] {
        assert!(!customer.properties.contains_key(gone), "{gone} survived");
    }
    assert_eq!(
        one(
            &db,
            "MATCH (:Customer {id: 'cus-2'})-[r:REFERRED|MEMBER_OF]-() RETURN count(r) AS n",
            Map::new()
        ),
        Value::Int(0)
    );
    assert_eq!(
        one(
            &db,
            "MATCH (c:Contact {id: 'con-3'}) RETURN c.name AS n",
            Map::new()
        ),
        Value::Null
    );
    // Organisations are not data subjects.
    let error = db.query_all(
        "CALL crm.forget('cus-1') YIELD subjects RETURN subjects",
        Map::new(),
    );
    assert!(error.is_err());

    db.checkpoint().unwrap();
    db.close().unwrap();
    let stats = cordial::compact(&path, &mut |_, _| {}).unwrap();
    assert!(stats.keys > 0);
    for value in ERASED {
        let found = holders(&path, value);
        assert!(found.is_empty(), "{value} is still in {found:?}");
    }
    assert!(
        !holders(&path, KEPT).is_empty(),
        "data not erased is still there"
    );

    let db = Database::open(&path).unwrap();
    assert_eq!(revenue(&db), Value::Float(42.5));
    assert_eq!(
        one(&db, "MATCH (e:Erasure) RETURN count(e) AS n", Map::new()),
        Value::Int(2)
    );
}

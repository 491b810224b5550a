//! Bulk import: the generator's 1,000-customer bundle loads with the manifest's counts and typed
//! values; small hand-written bundles exercise the general header convention; bad bundles fail
//! with the right error kind, file and line, and leave the database empty.

use std::path::{Path, PathBuf};
use std::process::Command;

use cordial::import::{ImportError, ImportOptions, import_bundle};
use cordial::{Database, Direction, GraphRead, GraphReadExt, Value};

fn shared_dir() -> PathBuf {
    std::env::var_os("CORDIAL_SHARED_DIR").map_or_else(
        || Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared"),
        PathBuf::from,
    )
}

/// Writes the generator's bundle for `customers` customers into `out`.
fn generate(customers: u32, out: &Path) {
    let script = shared_dir().join("bench/gen_crm.py");
    let status = Command::new("python3")
        .arg(&script)
        .args(["--customers", &customers.to_string(), "--out"])
        .arg(out)
        .output()
        .expect("run python3");
    assert!(
        status.status.success(),
        "{} failed: {}",
        script.display(),
        String::from_utf8_lossy(&status.stderr)
    );
}

fn import(db: &Database, dir: &Path) -> Result<cordial::import::ImportSummary, ImportError> {
    import_bundle(db, dir, &ImportOptions::default(), &mut |_| {})
}

/// Imports writing every chunk as soon as it is built, so a load that fails late has written
/// chunks it must take back.
fn import_writing_early(
    db: &Database,
    dir: &Path,
) -> Result<cordial::import::ImportSummary, ImportError> {
    let options = ImportOptions {
        write_after: Some(1),
        threads: 1,
        ..ImportOptions::default()
    };
    import_bundle(db, dir, &options, &mut |_| {})
}

fn string(v: &str) -> Value {
    Value::String(v.to_owned().into())
}

#[test]
fn the_generated_bundle_loads_with_the_manifest_counts_and_typed_values() {
    let tmp = tempfile::tempdir().unwrap();
    let bundle = tmp.path().join("crm-1k");
    generate(1000, &bundle);
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(bundle.join("manifest.json")).unwrap())
            .unwrap();

    let db_path = tmp.path().join("db");
    let db = Database::open(&db_path).unwrap();
    let summary = import(&db, &bundle).unwrap();
    assert_eq!(
        summary.nodes,
        manifest["totalNodes"].as_u64().unwrap(),
        "total nodes"
    );
    assert_eq!(
        summary.relationships,
        manifest["totalRelationships"].as_u64().unwrap()
    );
    assert!(summary.bytes_on_disk > 0);
    db.close().unwrap();
    // A finished import leaves nothing for the sweep: the next open skips it.
    let db = Database::open(&db_path).unwrap();
    assert_eq!(db.swept_at_open(), None);
    drop(db);

    // Everything below reads the reopened database, so it checks what reached the disk.
    let db = Database::open_read_only(&db_path).unwrap();
    let snap = db.begin_read();
    for (label, count) in manifest["nodeCounts"].as_object().unwrap() {
        let id = snap
            .label_id(label)
            .unwrap_or_else(|| panic!("label {label}"));
        assert_eq!(
            snap.count_nodes(Some(id)).unwrap(),
            count.as_u64().unwrap(),
            "nodes labelled {label}"
        );
    }
    for (rel_type, count) in manifest["relationshipCounts"].as_object().unwrap() {
        let id = snap
            .type_id(rel_type)
            .unwrap_or_else(|| panic!("type {rel_type}"));
        assert_eq!(
            snap.count_relationships(Some(id)).unwrap(),
            count.as_u64().unwrap(),
            "relationships of type {rel_type}"
        );
    }

    // An id lookup through the index, then typed properties of the first customer:
    // cus-000001,...,since 2017-10-26,...,walletEstimate 36500.00,...,employees 468,...,
    // createdAt 2017-07-01T14:10:00Z
    let customer = snap
        .find_nodes("Customer", "id", &string("cus-000001"))
        .unwrap();
    assert_eq!(customer.len(), 1);
    let customer = customer[0];
    assert!(snap.has_index(
        snap.label_id("Customer").unwrap(),
        snap.key_id("id").unwrap()
    ));
    assert_eq!(
        snap.property(customer, "name").unwrap(),
        string("Quillwell Studios plc")
    );
    match snap.property(customer, "since").unwrap() {
        Value::Date(d) => assert_eq!(d.epoch_days(), 17_465, "2017-10-26"),
        other => panic!("since is {other:?}"),
    }
    match snap.property(customer, "createdAt").unwrap() {
        Value::DateTime(t) => {
            assert_eq!(t.epoch_seconds(), 1_498_918_200, "2017-07-01T14:10:00Z");
            assert_eq!(t.offset_seconds, 0);
        }
        other => panic!("createdAt is {other:?}"),
    }
    assert!(matches!(
        snap.property(customer, "walletEstimate").unwrap(),
        Value::Float(f) if f == 36_500.0
    ));
    assert!(matches!(
        snap.property(customer, "employees").unwrap(),
        Value::Int(468)
    ));
    // An empty field is an absent property (cus-000001 has a churnReason, cus-000002 none).
    let prospect = snap
        .find_nodes("Customer", "id", &string("cus-000002"))
        .unwrap()[0];
    assert!(matches!(
        snap.property(prospect, "since").unwrap(),
        Value::Null
    ));

    let contact = snap
        .find_nodes("Contact", "id", &string("con-000001"))
        .unwrap()[0];
    assert!(matches!(
        snap.property(contact, "optOut").unwrap(),
        Value::Bool(false)
    ));

    let competitor = snap
        .find_nodes("Competitor", "id", &string("cmp-0001"))
        .unwrap()[0];
    match snap.property(competitor, "aliases").unwrap() {
        Value::List(items) => {
            let items: Vec<_> = items
                .iter()
                .map(|v| match v {
                    Value::String(s) => &**s,
                    _ => "?",
                })
                .collect();
            assert_eq!(items, ["Acmetric Inc.", "ACMETRIC", "Acmetric Group"]);
        }
        other => panic!("aliases is {other:?}"),
    }

    // The first SERVES row: stf-0008 -> cus-000001, role account_manager, isPrimary true.
    let staff = snap.find_nodes("Staff", "id", &string("stf-0008")).unwrap()[0];
    let serves = snap
        .neighbours(customer, Some("SERVES"), Direction::Incoming)
        .unwrap();
    let edge = serves
        .iter()
        .find(|e| e.other == staff)
        .expect("stf-0008 serves cus-000001");
    let rel = snap.relationship_value(edge.rel).unwrap().unwrap();
    assert_eq!(rel.start, staff);
    assert_eq!(rel.end, customer);
    assert_eq!(rel.properties["role"], string("account_manager"));
    assert!(matches!(rel.properties["isPrimary"], Value::Bool(true)));
}

/// Writes `files` (relative path, content) under a fresh bundle directory.
fn bundle(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (path, content) in files {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, content).unwrap();
    }
    dir
}

const PEOPLE: &str = "id:ID(Person),name,age:int\np-1,Ann,31\np-2,\"Smith, Bob\",42\n";
const KNOWS: &str = ":START_ID(Person),:END_ID(Person),since:date\np-1,p-2,2020-01-31\n";

#[test]
fn the_general_header_convention_is_understood() {
    let dir = bundle(&[
        (
            "nodes/Person.csv",
            "name:ID,:LABEL,note:IGNORE,scores:int[],born:localdatetime,wake:time,stay:duration\n\
             ann,Vip;Admin,x,1;2;3,1990-05-01T06:30:00,07:00:00+02:00,P1DT2H\n\
             bob,,y,,,,\n",
        ),
        (
            "relationships/REL.Person-Person.csv",
            ":START_ID,:END_ID,:TYPE,weight:float\nann,bob,KNOWS,0.5\nbob,ann,,1.5\n",
        ),
    ]);
    let db = Database::in_memory().unwrap();
    let summary = import(&db, dir.path()).unwrap();
    assert_eq!((summary.nodes, summary.relationships), (2, 2));
    let snap = db.begin_read();
    let count = |label: &str| snap.count_nodes(snap.label_id(label)).unwrap();
    assert_eq!((count("Person"), count("Vip"), count("Admin")), (2, 1, 1));
    let types = |t: &str| snap.count_relationships(snap.type_id(t)).unwrap();
    assert_eq!((types("KNOWS"), types("REL")), (1, 1));
    let ann = snap.find_nodes("Person", "name", &string("ann")).unwrap()[0];
    assert!(
        snap.key_id("note").is_none(),
        "ignored columns are not stored"
    );
    assert!(matches!(
        snap.property(ann, "scores").unwrap(),
        Value::List(items) if items.len() == 3 && matches!(items[2], Value::Int(3))
    ));
    assert!(matches!(
        snap.property(ann, "born").unwrap(),
        Value::LocalDateTime(_)
    ));
    assert!(
        matches!(snap.property(ann, "wake").unwrap(), Value::Time(t) if t.offset_seconds == 7200)
    );
    assert!(
        matches!(snap.property(ann, "stay").unwrap(), Value::Duration(d) if d.days == 1 && d.seconds == 7200)
    );
    let labels: Vec<_> = snap
        .node_labels(ann)
        .unwrap()
        .into_iter()
        .map(|l| snap.label_name(l).unwrap().to_owned())
        .collect();
    assert_eq!(labels.len(), 3, "{labels:?}");
}

/// Asserts that importing `files` fails as `check` expects, and that the database is empty and
/// usable afterwards: it reopens and takes a good bundle. Returns the bytes the load wrote and
/// took back.
fn assert_rejected(files: &[(&str, &str)], check: impl Fn(&ImportError) -> bool) -> u64 {
    let dir = bundle(files);
    let tmp = tempfile::tempdir().unwrap();
    let db_path = tmp.path().join("db");
    let db = Database::open(&db_path).unwrap();
    let error = import_writing_early(&db, dir.path()).expect_err("the bundle is bad");
    assert!(check(&error), "unexpected error: {error}");
    // Chunks written before the bad row was reached were taken back: dead bytes now.
    let taken_back = db.stats().unwrap().reclaimable_bytes;
    let message = error.to_string();
    if let Some((file, line)) = error.location() {
        assert!(
            message.contains(&format!("{}:{line}", file.display())),
            "{message}"
        );
    }
    let snap = db.begin_read();
    assert_eq!(snap.count_nodes(None).unwrap(), 0);
    assert_eq!(snap.count_relationships(None).unwrap(), 0);
    drop(snap);
    drop(db);
    let db = Database::open(&db_path).unwrap();
    assert_eq!(db.begin_read().count_nodes(None).unwrap(), 0);
    // Opening again deletes the chunk files nothing uses.
    assert_eq!(db.stats().unwrap().reclaimable_bytes, 0);
    let good = bundle(&[
        ("nodes/Person.csv", PEOPLE),
        ("relationships/KNOWS.csv", KNOWS),
    ]);
    let summary = import(&db, good.path()).unwrap();
    assert_eq!((summary.nodes, summary.relationships), (2, 1));
    taken_back
}

fn ends_with(file: &Path, tail: &str) -> bool {
    file.ends_with(tail)
}

#[test]
fn a_bad_header_is_refused() {
    assert_rejected(
        &[("nodes/Person.csv", "id:ID(Person),age:integerish\np-1,3\n")],
        |e| {
            matches!(e, ImportError::BadHeader { file, line: 1, column, .. }
                if ends_with(file, "nodes/Person.csv") && column == "age:integerish")
        },
    );
    assert_rejected(
        &[
            ("nodes/Person.csv", PEOPLE),
            (
                "relationships/KNOWS.csv",
                ":START_ID(Person),since:date\np-1,2020-01-01\n",
            ),
        ],
        |e| matches!(e, ImportError::BadHeader { file, .. } if ends_with(file, "KNOWS.csv")),
    );
}

#[test]
fn a_row_with_the_wrong_number_of_fields_is_refused() {
    assert_rejected(
        &[(
            "nodes/Person.csv",
            "id:ID(Person),name,age:int\np-1,Ann,31\np-2,Bob,42,extra\n",
        )],
        |e| {
            matches!(e, ImportError::ColumnCount { file, line: 3, expected: 3, found: 4 }
                if ends_with(file, "nodes/Person.csv"))
        },
    );
}

#[test]
fn a_value_of_the_wrong_type_is_refused_at_its_line() {
    // The quoted field spans two lines, so the bad row is on line 4.
    assert_rejected(
        &[(
            "nodes/Person.csv",
            "id:ID(Person),name,age:int\np-1,\"Ann\nAnderson\",31\np-2,Bob,forty\n",
        )],
        |e| {
            matches!(e, ImportError::BadValue { file, line: 4, column, value, .. }
                if ends_with(file, "nodes/Person.csv") && column == "age:int" && value == "forty")
        },
    );
    assert_rejected(
        &[
            ("nodes/Person.csv", PEOPLE),
            (
                "relationships/KNOWS.csv",
                ":START_ID(Person),:END_ID(Person),since:date\np-1,p-2,2020-02-30\n",
            ),
        ],
        |e| {
            matches!(e, ImportError::BadValue { file, line: 2, column, .. }
                if ends_with(file, "KNOWS.csv") && column == "since:date")
        },
    );
}

#[test]
fn an_unknown_end_id_is_refused() {
    let taken_back = assert_rejected(
        &[
            ("nodes/Person.csv", PEOPLE),
            (
                "relationships/KNOWS.csv",
                ":START_ID(Person),:END_ID(Person)\np-1,p-2\np-2,p-9\n",
            ),
        ],
        |e| {
            matches!(e, ImportError::UnknownId { file, line: 3, column, id, space }
                if ends_with(file, "KNOWS.csv") && column == ":END_ID(Person)"
                    && id == "p-9" && space == "Person")
        },
    );
    // The people were added (and written) before the relationship file failed.
    assert!(taken_back > 0);
}

#[test]
fn a_duplicate_id_is_refused() {
    assert_rejected(
        &[(
            "nodes/Person.csv",
            "id:ID(Person),name\np-1,Ann\np-2,Bob\np-1,Cid\n",
        )],
        |e| {
            matches!(e, ImportError::DuplicateId { file, line: 4, id, .. }
                if ends_with(file, "nodes/Person.csv") && id == "p-1")
        },
    );
    // The same id in two files of one id space.
    assert_rejected(
        &[
            ("nodes/Person.csv", PEOPLE),
            (
                "nodes/Person.more.csv",
                "id:ID(Person),name\np-3,Cid\np-2,Dan\n",
            ),
        ],
        |e| {
            matches!(e, ImportError::DuplicateId { file, line: 3, id, .. }
                if ends_with(file, "nodes/Person.more.csv") && id == "p-2")
        },
    );
}

#[test]
fn a_bundle_without_nodes_is_refused() {
    assert_rejected(
        &[("relationships/KNOWS.csv", KNOWS)],
        |e| matches!(e, ImportError::Missing { path, .. } if path.ends_with("nodes")),
    );
}

#[test]
fn import_needs_an_empty_database() {
    let good = bundle(&[
        ("nodes/Person.csv", PEOPLE),
        ("relationships/KNOWS.csv", KNOWS),
    ]);
    let db = Database::in_memory().unwrap();
    import(&db, good.path()).unwrap();
    assert!(matches!(
        import(&db, good.path()),
        Err(ImportError::NotEmpty)
    ));
    assert_eq!(db.begin_read().count_nodes(None).unwrap(), 2);
}

#[test]
fn odd_input_gives_an_error_or_a_graph_never_a_panic() {
    let cases: &[&[u8]] = &[
        b"",
        b"id:ID(P)\n",
        b"id:ID(P),n:int\np1,99999999999999999999\n",
        b"id:ID(P),s\np1,\"unterminated\n",
        b"id:ID(P),s\np1,\xff\xfe\n",
        b"id:ID(P),d:datetime\np1,2024-02-30T00:00Z\n",
        b"id:ID(P),d:datetime\np1,+999999-01-01T00:00Z\n",
        b"id:ID(P),d:duration\np1,PT99999999999999999999H\n",
        b"id:ID(P),d:duration\np1,P-\n",
        b"id:ID(P),t:time\np1,24:00\n",
        b"id:ID(P),t:localtime\np1,1\n",
        b":ID(P),:LABEL\np1,\xff\n",
        b":ID(P),:LABEL\np1,;;\n",
        b"id:ID(P),xs:float[]\np1,1.5;;2\n",
        b"\xef\xbb\xbfid:ID(P),n\np1,x\n",
        b"id:ID(P)\n\n\np1\n",
    ];
    for (i, content) in cases.iter().enumerate() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("nodes")).unwrap();
        std::fs::write(dir.path().join("nodes/P.csv"), content).unwrap();
        let db = Database::in_memory().unwrap();
        match import(&db, dir.path()) {
            Ok(summary) => assert_eq!(
                summary.nodes,
                db.begin_read().count_nodes(None).unwrap(),
                "case {i}"
            ),
            Err(error) => {
                assert!(!error.to_string().is_empty());
                assert_eq!(db.begin_read().count_nodes(None).unwrap(), 0, "case {i}");
            }
        }
    }
}

//! Tests of the `value` module: the openCypher comparison, equality and ORDER BY relations,
//! grouping equality and hashing, the TCK display format, serde, and the temporal model.
//!
//! The temporal model is checked against scenarios in Gherkin form, evaluated by a tiny
//! expression evaluator (`mini` below) that knows just enough openCypher for them: literals,
//! maps, lists, the temporal functions, property access, `+ - * /` and comparisons, with
//! `WITH ... RETURN ...`, `CREATE ({...})` and `MATCH (n)`. It runs:
//! - `tests/data/value/*.feature`: our own cases (parsing, arithmetic, truncation, errors);
//! - the openCypher TCK's temporal features when the TCK is found (`$CORDIAL_TCK`, `tck/` at
//!   the crate root, or `../shared/tck`), minus the scenarios listed in `TCK_EXPECTED_FAILURES`.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path as FsPath, PathBuf};

use cordial::value::{
    ComparisonOp, Date, DateTime, Duration, LocalDateTime, LocalTime, Map, Node, NodeId, Path,
    RelId, Relationship, TemporalUnit, Time, Value, ValueError, ValueErrorKind, from_value,
    temporal, to_value,
};

fn list(items: Vec<Value>) -> Value {
    Value::List(items.into())
}

fn map(entries: &[(&str, Value)]) -> Value {
    Value::Map(
        entries
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect(),
    )
}

fn nan() -> Value {
    Value::Float(f64::NAN)
}

// ---------------------------------------------------------------------------------------------
// Equality

#[test]
fn equality_is_ternary() {
    assert_eq!(Value::Null.eq_cypher(&Value::Null), None);
    assert_eq!(Value::Int(1).eq_cypher(&Value::Null), None);
    assert_eq!(Value::Int(1).eq_cypher(&Value::Float(1.0)), Some(true));
    assert_eq!(Value::Int(1).eq_cypher(&Value::from("1")), Some(false));
    assert_eq!(nan().eq_cypher(&nan()), Some(false));
    assert_eq!(nan().eq_cypher(&Value::Int(1)), Some(false));
    // Comparison1 [6]: lists.
    let one = || Value::Int(1);
    assert_eq!(
        list(vec![one(), Value::Int(2)]).eq_cypher(&list(vec![one()])),
        Some(false)
    );
    assert_eq!(list(vec![Value::Null]).eq_cypher(&list(vec![one()])), None);
    assert_eq!(
        list(vec![Value::from("a")]).eq_cypher(&list(vec![one()])),
        Some(false)
    );
    let nested = |x: Value| list(vec![list(vec![one()]), list(vec![x])]);
    assert_eq!(
        list(vec![list(vec![one()])]).eq_cypher(&nested(Value::Null)),
        Some(false)
    );
    assert_eq!(nested(Value::Int(2)).eq_cypher(&nested(Value::Null)), None);
    let two_three = list(vec![
        list(vec![one()]),
        list(vec![Value::Int(2), Value::Int(3)]),
    ]);
    assert_eq!(two_three.eq_cypher(&nested(Value::Null)), Some(false));
    // Comparison1 [7]: maps.
    let k = |v: Value| map(&[("k", v)]);
    assert_eq!(map(&[]).eq_cypher(&map(&[])), Some(true));
    assert_eq!(map(&[]).eq_cypher(&k(Value::Null)), Some(false));
    assert_eq!(k(Value::Null).eq_cypher(&k(Value::Null)), None);
    assert_eq!(k(one()).eq_cypher(&k(Value::Null)), None);
    assert_eq!(
        k(Value::Null).eq_cypher(&map(&[("k", Value::Null), ("l", Value::Null)])),
        Some(false)
    );
    assert_eq!(
        map(&[("k", one()), ("l", Value::Null)])
            .eq_cypher(&map(&[("k", Value::Null), ("l", one())])),
        None
    );
    assert_eq!(k(Value::Float(1.0)).eq_cypher(&k(one())), Some(true));
    // Large integers compare exactly, also against floats.
    let big = 4_611_686_018_427_387_905_i64;
    assert_eq!(Value::Int(big).eq_cypher(&Value::Int(big - 5)), Some(false));
    assert_eq!(
        Value::Int(9_007_199_254_740_993).eq_cypher(&Value::Float(9_007_199_254_740_992.0)),
        Some(false)
    );
}

#[test]
fn ordering_comparisons() {
    use ComparisonOp::{Ge, Gt, Le, Lt};
    assert_eq!(
        Value::Int(1).compare_cypher(Lt, &Value::Float(2.5)),
        Some(true)
    );
    assert_eq!(
        Value::Float(2.5).compare_cypher(Gt, &Value::Int(1)),
        Some(true)
    );
    assert_eq!(
        Value::Int(1).compare_cypher(Lt, &Value::Float(1.0)),
        Some(false)
    );
    assert_eq!(Value::from("1").compare_cypher(Lt, &Value::Int(1)), None);
    assert_eq!(
        Value::from("a").compare_cypher(Lt, &Value::from("b")),
        Some(true)
    );
    assert_eq!(
        Value::Bool(false).compare_cypher(Lt, &Value::Bool(true)),
        Some(true)
    );
    assert_eq!(map(&[]).compare_cypher(Lt, &map(&[])), None);
    assert_eq!(Value::Null.compare_cypher(Le, &Value::Null), None);
    for op in [Lt, Le, Gt, Ge] {
        assert_eq!(nan().compare_cypher(op, &Value::Int(1)), Some(false));
        assert_eq!(nan().compare_cypher(op, &nan()), Some(false));
        assert_eq!(nan().compare_cypher(op, &Value::from("a")), None);
    }
    // Comparison2 [4]: lists compare lexicographically.
    let l = |items: Vec<Value>| list(items);
    assert_eq!(
        l(vec![Value::Int(1), Value::Int(0)]).compare_cypher(Ge, &l(vec![Value::Int(1)])),
        Some(true)
    );
    assert_eq!(
        l(vec![Value::Int(1), Value::Null]).compare_cypher(Ge, &l(vec![Value::Int(1)])),
        Some(true)
    );
    assert_eq!(
        l(vec![Value::Int(1), Value::Int(2)])
            .compare_cypher(Ge, &l(vec![Value::Int(1), Value::Null])),
        None
    );
    assert_eq!(
        l(vec![Value::Int(1), Value::from("a")])
            .compare_cypher(Ge, &l(vec![Value::Int(1), Value::Null])),
        None
    );
    assert_eq!(
        l(vec![Value::Int(1), Value::Int(2)])
            .compare_cypher(Ge, &l(vec![Value::Int(3), Value::Null])),
        Some(false)
    );
    // Different temporal types and durations do not compare.
    let date = Value::Date(Date::parse("2020-01-01").unwrap());
    let ldt = Value::LocalDateTime(LocalDateTime::parse("2020-01-01T00:00").unwrap());
    assert_eq!(date.cmp_cypher(&ldt), None);
    let d1 = Value::Duration(Duration::parse("P1D").unwrap());
    assert_eq!(d1.cmp_cypher(&d1), None);
    // Times compare by instant.
    let t1 = Value::Time(Time::parse("10:35-08:00").unwrap());
    let t2 = Value::Time(Time::parse("12:35:15+05:00").unwrap());
    assert_eq!(t1.compare_cypher(Gt, &t2), Some(true));
}

fn sample_graph() -> (Node, Relationship, Path) {
    let n = Node {
        id: NodeId(1),
        labels: vec!["N".into()],
        properties: Map::new(),
    };
    let m = Node {
        id: NodeId(2),
        labels: vec![],
        properties: Map::new(),
    };
    let r = Relationship {
        id: RelId(7),
        rel_type: "REL".into(),
        start: NodeId(1),
        end: NodeId(2),
        properties: Map::new(),
    };
    let p = Path {
        nodes: vec![n.clone(), m],
        relationships: vec![r.clone()],
    };
    (n, r, p)
}

#[test]
fn order_by_sorts_types_in_the_tck_order() {
    // ReturnOrderBy1 [11].
    let (n, r, p) = sample_graph();
    let mut values = vec![
        Value::from(n),
        Value::from(r),
        Value::from(p),
        Value::Float(1.5),
        list(vec![Value::from("list")]),
        Value::from("text"),
        Value::Null,
        Value::Bool(false),
        nan(),
        map(&[("a", Value::from("map"))]),
        Value::Date(Date::parse("2020-01-01").unwrap()),
        Value::Duration(Duration::parse("P1D").unwrap()),
        Value::DateTime(DateTime::parse("2020-01-01T00:00Z").unwrap()),
        Value::LocalDateTime(LocalDateTime::parse("2020-01-01T00:00").unwrap()),
        Value::Time(Time::parse("12:00Z").unwrap()),
        Value::LocalTime(LocalTime::parse("12:00").unwrap()),
    ];
    values.sort_by(Value::order);
    let printed: Vec<String> = values.iter().map(ToString::to_string).collect();
    assert_eq!(
        printed,
        [
            "{a: 'map'}",
            "(:N)",
            "[:REL]",
            "['list']",
            "<(:N)-[:REL]->()>",
            "'2020-01-01T00:00Z'",
            "'2020-01-01T00:00'",
            "'2020-01-01'",
            "'12:00Z'",
            "'12:00'",
            "'P1D'",
            "'text'",
            "false",
            "1.5",
            "NaN",
            "null",
        ]
    );
}

#[test]
fn order_of_numbers_and_lists() {
    let mut values = [
        Value::Float(f64::INFINITY),
        Value::Int(3),
        nan(),
        Value::Float(-0.5),
        Value::Int(i64::MIN),
        Value::Float(2.5),
        Value::Float(f64::NEG_INFINITY),
        Value::Int(2),
    ];
    values.sort_by(Value::order);
    let printed: Vec<String> = values.iter().map(ToString::to_string).collect();
    assert_eq!(
        printed,
        [
            "-Infinity",
            "-9223372036854775808",
            "-0.5",
            "2",
            "2.5",
            "3",
            "Infinity",
            "NaN"
        ]
    );
    let l = |v: &[i64]| list(v.iter().map(|&i| Value::Int(i)).collect());
    let mut lists = [l(&[2]), l(&[1, 2]), l(&[1]), l(&[]), l(&[1, 1, 5])];
    lists.sort_by(Value::order);
    let printed: Vec<String> = lists.iter().map(ToString::to_string).collect();
    assert_eq!(printed, ["[]", "[1]", "[1, 1, 5]", "[1, 2]", "[2]"]);
    assert_eq!(
        Value::Int(1).order(&Value::Float(1.0)),
        std::cmp::Ordering::Equal
    );
    assert_eq!(nan().order(&nan()), std::cmp::Ordering::Equal);
}

#[test]
fn grouping_equality_and_hash_agree() {
    let mut groups: HashMap<Value, usize> = HashMap::new();
    let keys = [
        Value::Int(1),
        Value::Float(1.0),
        nan(),
        Value::Float(f64::NAN),
        Value::Null,
        Value::Null,
        Value::Float(0.0),
        Value::Float(-0.0),
        Value::Int(0),
        list(vec![Value::Int(1), Value::Null]),
        list(vec![Value::Float(1.0), Value::Null]),
        map(&[("a", Value::Int(2))]),
        map(&[("a", Value::Float(2.0))]),
        Value::Float(1.5),
    ];
    for key in keys {
        *groups.entry(key).or_default() += 1;
    }
    assert_eq!(groups.len(), 7);
    assert_eq!(groups[&Value::Int(1)], 2);
    assert_eq!(groups[&nan()], 2);
    assert_eq!(groups[&Value::Null], 2);
    assert_eq!(groups[&Value::Int(0)], 3);
    assert_eq!(groups[&list(vec![Value::Int(1), Value::Null])], 2);
    // Nodes group by id, whatever properties were read.
    let (n, _, _) = sample_graph();
    let mut changed = n.clone();
    changed.properties.insert("k".into(), Value::Int(1));
    let set: HashSet<Value> = [Value::from(n), Value::from(changed)].into_iter().collect();
    assert_eq!(set.len(), 1);
    // Big integers do not collapse into the float they round to.
    assert_ne!(
        Value::Int(9_007_199_254_740_993),
        Value::Float(9_007_199_254_740_992.0)
    );
}

// ---------------------------------------------------------------------------------------------
// Display

#[test]
fn display_uses_the_tck_format() {
    let cases: Vec<(Value, &str)> = vec![
        (Value::Null, "null"),
        (Value::Bool(true), "true"),
        (Value::Int(-3), "-3"),
        (Value::Float(1.0), "1.0"),
        (Value::Float(-0.0), "-0.0"),
        (Value::Float(1.5), "1.5"),
        (Value::Float(0.001), "0.001"),
        (Value::Float(1e-10), "1e-10"),
        (Value::Float(1e-5), "0.00001"),
        (Value::Float(1e9), "1000000000.0"),
        (Value::Float(1e308), "1e308"),
        (
            Value::Float(-1.2635418652381264e305),
            "-1.2635418652381264e305",
        ),
        (Value::Float(1.25e7), "12500000.0"),
        (Value::Float(123_456.0), "123456.0"),
        (Value::Float(f64::NAN), "NaN"),
        (Value::Float(f64::INFINITY), "Infinity"),
        (Value::Float(f64::NEG_INFINITY), "-Infinity"),
        (Value::from("it's"), r"'it\'s'"),
        (Value::from("a\\b\n"), r"'a\\b\n'"),
        (list(vec![Value::Int(1), Value::from("x")]), "[1, 'x']"),
        (list(vec![]), "[]"),
        (
            map(&[("b", Value::Int(1)), ("a", list(vec![]))]),
            "{a: [], b: 1}",
        ),
        (map(&[("two words", Value::Int(1))]), "{`two words`: 1}"),
        (
            Value::Date(Date::parse("0028-11-11").unwrap()),
            "'0028-11-11'",
        ),
        (
            Value::Duration(Duration::parse("PT-0.001S").unwrap()),
            "'PT-0.001S'",
        ),
        (
            Value::from(vec![Value::Duration(Duration::parse("PT13S").unwrap())]),
            "['PT13S']",
        ),
    ];
    for (value, expected) in cases {
        assert_eq!(value.to_string(), expected, "{value:?}");
    }
    let a = Node {
        id: NodeId(1),
        labels: vec!["A".into(), "B".into()],
        properties: Map::new(),
    };
    let mut props = Map::new();
    props.insert("k".into(), Value::Int(1));
    let b = Node {
        id: NodeId(2),
        labels: vec![],
        properties: props.clone(),
    };
    let c = Node {
        id: NodeId(3),
        labels: vec!["C".into()],
        properties: props.clone(),
    };
    assert_eq!(Value::from(a.clone()).to_string(), "(:A:B)");
    assert_eq!(Value::from(b.clone()).to_string(), "({k: 1})");
    assert_eq!(Value::from(c.clone()).to_string(), "(:C {k: 1})");
    let forward = Relationship {
        id: RelId(1),
        rel_type: "T".into(),
        start: NodeId(1),
        end: NodeId(2),
        properties: props,
    };
    let backward = Relationship {
        id: RelId(2),
        rel_type: "U".into(),
        start: NodeId(3),
        end: NodeId(2),
        properties: Map::new(),
    };
    assert_eq!(Value::from(forward.clone()).to_string(), "[:T {k: 1}]");
    let path = Path {
        nodes: vec![a, b, c],
        relationships: vec![forward, backward],
    };
    assert_eq!(
        Value::from(path).to_string(),
        "<(:A:B)-[:T {k: 1}]->({k: 1})<-[:U]-(:C {k: 1})>"
    );
    assert_eq!(Value::from("x").to_cypher_string(), "x");
}

#[test]
fn conversions_and_accessors() {
    assert_eq!(Value::from(3_i32), Value::Int(3));
    assert_eq!(Value::from(2.5_f64).as_float(), Some(2.5));
    assert_eq!(Value::from(Some("a")).as_str(), Some("a"));
    assert!(Value::from(None::<i64>).is_null());
    assert_eq!(
        Value::from(vec![1_i64, 2]),
        list(vec![Value::Int(1), Value::Int(2)])
    );
    assert_eq!(Value::from(true).as_bool(), Some(true));
    assert_eq!(Value::Int(4).as_int(), Some(4));
    assert_eq!(Value::Int(4).as_float(), Some(4.0));
    assert_eq!(Value::from("s").as_int(), None);
    let names: Vec<&str> = [
        Value::Null,
        Value::Int(1),
        Value::Float(1.0),
        Value::from("s"),
        Value::Date(Date::parse("2020-01-01").unwrap()),
        Value::Duration(Duration::default()),
        list(vec![]),
        map(&[]),
    ]
    .iter()
    .map(Value::type_name)
    .collect();
    assert_eq!(
        names,
        [
            "NULL", "INTEGER", "FLOAT", "STRING", "DATE", "DURATION", "LIST", "MAP"
        ]
    );
}

// ---------------------------------------------------------------------------------------------
// serde

#[derive(Debug, PartialEq, serde::Deserialize, serde::Serialize)]
struct Summary {
    name: String,
    count: i64,
    score: Option<f64>,
    since: Date,
    tags: Vec<String>,
    kind: Kind,
}

#[derive(Debug, PartialEq, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
enum Kind {
    Active,
    Churned,
}

#[test]
fn rows_deserialize_into_structs() {
    let row = map(&[
        ("name", Value::from("Acme")),
        ("count", Value::Int(3)),
        ("score", Value::Null),
        ("since", Value::Date(Date::parse("2021-03-04").unwrap())),
        ("tags", Value::from(vec!["a", "b"])),
        ("kind", Value::from("churned")),
    ]);
    let summary: Summary = from_value(row.clone()).unwrap();
    assert_eq!(
        summary,
        Summary {
            name: "Acme".into(),
            count: 3,
            score: None,
            since: "2021-03-04".parse().unwrap(),
            tags: vec!["a".into(), "b".into()],
            kind: Kind::Churned,
        }
    );
    let back = to_value(&summary).unwrap();
    // Temporal fields stay temporal values in parameters (and strings in JSON).
    assert_eq!(
        back.as_map().unwrap()["since"],
        Value::Date(Date::parse("2021-03-04").unwrap())
    );
    assert_eq!(to_value(&row).unwrap(), row);
    assert_eq!(
        serde_json::to_value(&summary).unwrap()["since"],
        serde_json::json!("2021-03-04")
    );
    assert_eq!(back.as_map().unwrap()["count"], Value::Int(3));
    // Temporal types are ISO strings in serde.
    let dt: DateTime = "2015-07-21T21:40:32.142+01:00[Europe/London]"
        .parse()
        .unwrap();
    let json = serde_json::to_string(&dt).unwrap();
    assert_eq!(json, "\"2015-07-21T21:40:32.142+01:00[Europe/London]\"");
    assert_eq!(serde_json::from_str::<DateTime>(&json).unwrap(), dt);
    assert!(serde_json::from_str::<Duration>("\"P1X\"").is_err());
    // Parameters from Rust values.
    #[derive(serde::Serialize)]
    enum Shape {
        Circle { r: f64 },
        Pair(i32, i32),
        Named(String),
        Empty,
    }
    let shapes = to_value(&vec![
        Shape::Circle { r: f64::NAN },
        Shape::Pair(1, 2),
        Shape::Named("n".into()),
        Shape::Empty,
    ])
    .unwrap();
    assert_eq!(
        shapes.to_string(),
        "[{Circle: {r: NaN}}, {Pair: [1, 2]}, {Named: 'n'}, 'Empty']"
    );
    let keyed: HashMap<i32, Option<u8>> = [(1, Some(2)), (3, None)].into_iter().collect();
    assert_eq!(to_value(&keyed).unwrap().to_string(), "{`1`: 2, `3`: null}");
    assert_eq!(
        to_value(&u64::MAX).unwrap_err().kind(),
        ValueErrorKind::Conversion
    );
    assert_eq!(
        to_value(&(1_u8, 'c', ())).unwrap().to_string(),
        "[1, 'c', null]"
    );
    // Type mismatches are errors, not panics.
    let bad = map(&[("name", Value::Int(1))]);
    let err = from_value::<Summary>(bad).unwrap_err();
    assert_eq!(err.kind(), ValueErrorKind::Conversion);
    let too_big = from_value::<i8>(Value::Int(1000));
    assert!(too_big.is_err());
    assert_eq!(
        from_value::<(i64, String)>(list(vec![Value::Int(1), Value::from("x")])).unwrap(),
        (1, "x".to_owned())
    );
    assert_eq!(from_value::<f64>(Value::Int(2)).unwrap(), 2.0);
}

#[test]
fn values_serialize_to_json() {
    let (n, r, p) = sample_graph();
    let row = map(&[
        ("n", Value::from(n)),
        ("r", Value::from(r)),
        ("p", Value::from(p)),
        (
            "d",
            Value::DateTime(DateTime::parse("2015-07-21T21:40:32.142+01:00").unwrap()),
        ),
        ("x", list(vec![Value::Null, Value::Float(1.5)])),
    ]);
    let json = serde_json::to_value(&row).unwrap();
    assert_eq!(
        json["n"],
        serde_json::json!({"id": 1, "labels": ["N"], "properties": {}})
    );
    assert_eq!(
        json["r"],
        serde_json::json!({"id": 7, "type": "REL", "start": 1, "end": 2, "properties": {}})
    );
    assert_eq!(json["p"]["nodes"][1]["id"], serde_json::json!(2));
    assert_eq!(
        json["d"],
        serde_json::json!("2015-07-21T21:40:32.142+01:00")
    );
    assert_eq!(json["x"], serde_json::json!([null, 1.5]));
    // JSON parameters read back into values.
    let parsed: Value = serde_json::from_str(r#"{"a": [1, 2.5, "s", null, true]}"#).unwrap();
    assert_eq!(
        parsed,
        map(&[(
            "a",
            list(vec![
                Value::Int(1),
                Value::Float(2.5),
                Value::from("s"),
                Value::Null,
                Value::Bool(true)
            ])
        )])
    );
    // A node deserializes as a map of id, labels and properties.
    #[derive(serde::Deserialize)]
    struct NodeRow {
        id: u64,
        labels: Vec<String>,
    }
    let node: NodeRow = from_value(row.as_map().unwrap()["n"].clone()).unwrap();
    assert_eq!((node.id, node.labels), (1, vec!["N".to_owned()]));
}

// ---------------------------------------------------------------------------------------------
// Temporal: direct API checks

#[test]
fn storage_accessors_round_trip() {
    let date = Date::parse("1984-10-11").unwrap();
    assert_eq!(Date::from_epoch_days(date.epoch_days()), Some(date));
    let t = Time::parse("12:31:14.645876123+01:00").unwrap();
    assert_eq!(
        Time::from_parts(t.nanos_of_day(), t.offset_seconds),
        Some(t)
    );
    let lt = LocalTime::parse("23:59:59.999999999").unwrap();
    assert_eq!(LocalTime::from_nanos_of_day(lt.nanos_of_day()), Some(lt));
    let ldt = LocalDateTime::parse("1816-12-30T01:02:03.000000004").unwrap();
    assert_eq!(
        LocalDateTime::from_parts(ldt.epoch_seconds(), ldt.subsec_nanos()),
        Some(ldt)
    );
    let dt = DateTime::parse("1818-07-21T21:40:32.142[Europe/Stockholm]").unwrap();
    assert_eq!(
        dt.to_string(),
        "1818-07-21T21:40:32.142+00:53:28[Europe/Stockholm]"
    );
    let back = DateTime::from_parts(
        dt.epoch_seconds(),
        dt.subsec_nanos(),
        dt.offset_seconds,
        dt.zone.as_deref(),
    )
    .unwrap();
    assert_eq!(back, dt);
    assert_eq!(
        DateTime::parse("1970-01-01T01:00+01:00")
            .unwrap()
            .epoch_seconds(),
        0
    );
}

#[test]
fn now_is_pinnable() {
    let now = DateTime::from_epoch(1_700_000_000, 5, None).unwrap();
    assert_eq!(now.to_string(), "2023-11-14T22:13:20.000000005Z");
    assert_eq!(
        Date::current(&now, Some("Asia/Tokyo")).unwrap().to_string(),
        "2023-11-15"
    );
    assert_eq!(
        LocalTime::current(&now, None).unwrap().to_string(),
        "22:13:20.000000005"
    );
    assert_eq!(
        Time::current(&now, Some("+01:00")).unwrap().to_string(),
        "23:13:20.000000005+01:00"
    );
    assert_eq!(
        DateTime::current(&now, Some("Europe/Stockholm"))
            .unwrap()
            .to_string(),
        "2023-11-14T23:13:20.000000005+01:00[Europe/Stockholm]"
    );
    assert_eq!(
        LocalDateTime::current(&now, None).unwrap().to_string(),
        "2023-11-14T22:13:20.000000005"
    );
    assert!(DateTime::current(&now, Some("Mars/Olympus")).is_err());
    let _ = DateTime::now();
}

#[test]
fn errors_are_typed_and_never_panic() {
    let kind = |r: Result<Value, ValueError>| r.unwrap_err().kind();
    assert_eq!(
        kind(Date::parse("2015-13-01").map(Value::Date)),
        ValueErrorKind::ArgumentError
    );
    assert_eq!(
        kind(Date::parse("-999999999-01-01").map(Value::Date)),
        ValueErrorKind::ArithmeticError
    );
    assert_eq!(
        kind(Date::from_value(&Value::Int(3)).map(Value::Date)),
        ValueErrorKind::TypeError
    );
    let huge = Duration {
        months: i64::MAX,
        days: 0,
        seconds: 0,
        nanos: 0,
    };
    assert!(Date::parse("2020-01-01").unwrap().plus(&huge).is_err());
    assert!(huge.checked_add(&huge).is_err());
    assert!(huge.checked_mul_int(2).is_err());
    assert!(huge.checked_mul_float(1e300).is_err());
    assert_eq!(
        huge.checked_div(0.0).unwrap_err(),
        ValueError::DivisionByZero
    );
    let far = Value::Date(Date::parse("+262142-12-31").unwrap());
    assert!(temporal::add_duration(&far, &Duration::parse("P1D").unwrap()).is_err());
    assert!(Duration::between(&far, &Value::Date(Date::parse("-262143-01-01").unwrap())).is_ok());
    // A datetime whose wall-clock time fits but whose instant does not is refused.
    assert!(DateTime::parse("+262142-12-31T23:59:59-18:00").is_err());
    assert!(DateTime::parse("-262143-01-01T00:00+18:00").is_err());
    assert!(DateTime::from_parts(i64::MAX, 0, 0, None).is_none());
    let msg = Date::parse("nope").unwrap_err().to_string();
    assert_eq!(msg, "cannot parse \"nope\" as a date");
    // A scatter of malformed input: every parser must return, never panic.
    let samples = [
        "",
        "P",
        "PT",
        "T",
        "-",
        "+",
        "W",
        "2015-W",
        "2015-W99",
        "2015-Q5",
        "2015-Q",
        "2015-366",
        "99999999999999999999",
        "P99999999999999999999Y",
        "PT1.0000000001S",
        "P1Y1Y",
        "PT1H1H",
        "12:60",
        "24:00",
        "12:00:00.",
        "12:00+19:00",
        "2015-07-21T",
        "2015-07-21T25:00",
        "2015-07-21T12:00[",
        "2015-07-21T12:00[Nowhere]",
        "ä",
        "2015-07-2ä",
        "P1Ä",
        "PTäS",
        "1:2:3",
        "+2015-07",
        "-0001-01-01",
        "2015W5",
        "2015-W01-9",
        "P-",
        "P1.D",
        "P.5D",
        "PT-S",
    ];
    for s in samples {
        let _ = Date::parse(s);
        let _ = LocalTime::parse(s);
        let _ = Time::parse(s);
        let _ = LocalDateTime::parse(s);
        let _ = DateTime::parse(s);
        let _ = Duration::parse(s);
    }
    let _ = TemporalUnit::parse("fortnight").unwrap_err();
}

// ---------------------------------------------------------------------------------------------
// Gherkin scenarios over a mini evaluator

mod mini {
    //! Just enough openCypher to run temporal scenarios: see the file's documentation.

    use super::*;

    #[derive(Debug, Clone, PartialEq)]
    enum Token {
        Ident(String),
        Int(i64),
        Float(f64),
        Str(String),
        Sym(&'static str),
    }

    fn tokenize(text: &str) -> Result<Vec<Token>, String> {
        let chars: Vec<char> = text.chars().collect();
        let mut tokens = Vec::new();
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            if c.is_whitespace() {
                i += 1;
            } else if c.is_ascii_digit() {
                let start = i;
                while i < chars.len() && chars[i].is_ascii_digit() {
                    i += 1;
                }
                let mut float = false;
                if i + 1 < chars.len() && chars[i] == '.' && chars[i + 1].is_ascii_digit() {
                    float = true;
                    i += 1;
                    while i < chars.len() && chars[i].is_ascii_digit() {
                        i += 1;
                    }
                }
                let s: String = chars[start..i].iter().collect();
                tokens.push(if float {
                    Token::Float(s.parse().map_err(|e| format!("{e}"))?)
                } else {
                    Token::Int(s.parse().map_err(|e| format!("{e}"))?)
                });
            } else if c.is_alphabetic() || c == '_' {
                let start = i;
                while i < chars.len() && (chars[i].is_alphanumeric() || chars[i] == '_') {
                    i += 1;
                }
                tokens.push(Token::Ident(chars[start..i].iter().collect()));
            } else if c == '\'' {
                let mut s = String::new();
                i += 1;
                while i < chars.len() && chars[i] != '\'' {
                    if chars[i] == '\\' && i + 1 < chars.len() {
                        i += 1;
                    }
                    s.push(chars[i]);
                    i += 1;
                }
                i += 1;
                tokens.push(Token::Str(s));
            } else {
                let two: String = chars[i..(i + 2).min(chars.len())].iter().collect();
                let sym = ["<>", "<=", ">="].into_iter().find(|s| *s == two);
                if let Some(sym) = sym {
                    tokens.push(Token::Sym(sym));
                    i += 2;
                } else {
                    let sym = [
                        "(", ")", "{", "}", "[", "]", ",", ":", ".", "+", "-", "*", "/", "=", "<",
                        ">",
                    ]
                    .into_iter()
                    .find(|s| s.starts_with(c))
                    .ok_or_else(|| format!("unexpected character {c:?}"))?;
                    tokens.push(Token::Sym(sym));
                    i += 1;
                }
            }
        }
        Ok(tokens)
    }

    pub type Env = BTreeMap<String, Value>;

    /// The outcome of evaluation: a value, or an error from the value module.
    pub type Eval = Result<Value, String>;

    pub struct Parser<'e> {
        tokens: Vec<Token>,
        pos: usize,
        env: &'e Env,
    }

    impl<'e> Parser<'e> {
        pub fn new(text: &str, env: &'e Env) -> Result<Self, String> {
            Ok(Parser {
                tokens: tokenize(text)?,
                pos: 0,
                env,
            })
        }

        fn peek(&self) -> Option<&Token> {
            self.tokens.get(self.pos)
        }

        fn eat(&mut self, sym: &str) -> bool {
            if matches!(self.peek(), Some(Token::Sym(s)) if *s == sym) {
                self.pos += 1;
                true
            } else {
                false
            }
        }

        fn expect(&mut self, sym: &str) -> Result<(), String> {
            if self.eat(sym) {
                Ok(())
            } else {
                Err(format!("expected {sym} at token {}", self.pos))
            }
        }

        pub fn eat_keyword(&mut self, word: &str) -> bool {
            if matches!(self.peek(), Some(Token::Ident(s)) if s.eq_ignore_ascii_case(word)) {
                self.pos += 1;
                true
            } else {
                false
            }
        }

        pub fn at_end(&self) -> bool {
            self.pos >= self.tokens.len()
        }

        pub fn ident(&mut self) -> Result<String, String> {
            match self.peek().cloned() {
                Some(Token::Ident(s)) => {
                    self.pos += 1;
                    Ok(s)
                }
                other => Err(format!("expected a name, found {other:?}")),
            }
        }

        /// Parses and evaluates an expression. Errors from the value module come back as
        /// `Ok(Err(..))` so that syntax problems of the test stay apart.
        pub fn expr(&mut self) -> Result<Eval, String> {
            let left = self.additive()?;
            let op = match self.peek() {
                Some(Token::Sym(s)) if ["=", "<>", "<", ">", "<=", ">="].contains(s) => *s,
                _ => return Ok(left),
            };
            self.pos += 1;
            let right = self.additive()?;
            let (Ok(l), Ok(r)) = (left, right) else {
                return Ok(Err("error in operand".into()));
            };
            let result = match op {
                "=" => l.eq_cypher(&r),
                "<>" => l.eq_cypher(&r).map(|b| !b),
                "<" => l.compare_cypher(ComparisonOp::Lt, &r),
                ">" => l.compare_cypher(ComparisonOp::Gt, &r),
                "<=" => l.compare_cypher(ComparisonOp::Le, &r),
                _ => l.compare_cypher(ComparisonOp::Ge, &r),
            };
            Ok(Ok(result.map_or(Value::Null, Value::Bool)))
        }

        fn additive(&mut self) -> Result<Eval, String> {
            let mut left = self.multiplicative()?;
            loop {
                let op = if self.eat("+") {
                    "+"
                } else if self.eat("-") {
                    "-"
                } else {
                    return Ok(left);
                };
                let right = self.multiplicative()?;
                left = match (left, right) {
                    (Ok(l), Ok(r)) => arithmetic(op, &l, &r),
                    (Err(e), _) | (_, Err(e)) => Err(e),
                };
            }
        }

        fn multiplicative(&mut self) -> Result<Eval, String> {
            let mut left = self.unary()?;
            loop {
                let op = if self.eat("*") {
                    "*"
                } else if self.eat("/") {
                    "/"
                } else {
                    return Ok(left);
                };
                let right = self.unary()?;
                left = match (left, right) {
                    (Ok(l), Ok(r)) => arithmetic(op, &l, &r),
                    (Err(e), _) | (_, Err(e)) => Err(e),
                };
            }
        }

        fn unary(&mut self) -> Result<Eval, String> {
            if self.eat("-") {
                let inner = self.unary()?;
                return Ok(inner.and_then(|v| match v {
                    Value::Int(i) => Ok(Value::Int(-i)),
                    Value::Float(f) => Ok(Value::Float(-f)),
                    other => Err(format!("cannot negate {other}")),
                }));
            }
            let mut value = self.primary()?;
            while self.eat(".") {
                let name = self.ident()?;
                value = value.and_then(|v| match &v {
                    Value::Null => Ok(Value::Null),
                    Value::Map(m) => Ok(m.get(&name).cloned().unwrap_or(Value::Null)),
                    other => temporal::property(other, &name)
                        .ok_or_else(|| format!("no property {name} on {other}")),
                });
            }
            Ok(value)
        }

        fn primary(&mut self) -> Result<Eval, String> {
            match self.peek().cloned() {
                Some(Token::Int(i)) => {
                    self.pos += 1;
                    Ok(Ok(Value::Int(i)))
                }
                Some(Token::Float(f)) => {
                    self.pos += 1;
                    Ok(Ok(Value::Float(f)))
                }
                Some(Token::Str(s)) => {
                    self.pos += 1;
                    Ok(Ok(Value::String(s.into())))
                }
                Some(Token::Sym("(")) => {
                    self.pos += 1;
                    let value = self.expr()?;
                    self.expect(")")?;
                    Ok(value)
                }
                Some(Token::Sym("[")) => {
                    self.pos += 1;
                    let mut items = Vec::new();
                    if !self.eat("]") {
                        loop {
                            items.push(self.expr()?);
                            if self.eat("]") {
                                break;
                            }
                            self.expect(",")?;
                        }
                    }
                    Ok(items
                        .into_iter()
                        .collect::<Result<Vec<_>, _>>()
                        .map(|items| Value::List(items.into())))
                }
                Some(Token::Sym("{")) => {
                    self.pos += 1;
                    let mut entries = Map::new();
                    let mut error = None;
                    if !self.eat("}") {
                        loop {
                            let key = self.ident()?;
                            self.expect(":")?;
                            match self.expr()? {
                                Ok(v) => {
                                    entries.insert(key, v);
                                }
                                Err(e) => error = Some(e),
                            }
                            if self.eat("}") {
                                break;
                            }
                            self.expect(",")?;
                        }
                    }
                    Ok(error.map_or(Ok(Value::Map(entries.into())), Err))
                }
                Some(Token::Ident(word)) => {
                    self.pos += 1;
                    match word.to_ascii_lowercase().as_str() {
                        "null" => return Ok(Ok(Value::Null)),
                        "true" => return Ok(Ok(Value::Bool(true))),
                        "false" => return Ok(Ok(Value::Bool(false))),
                        "nan" => return Ok(Ok(Value::Float(f64::NAN))),
                        _ => {}
                    }
                    // A function call: a dotted name followed by `(`.
                    let start = self.pos;
                    let mut name = word.clone();
                    while matches!(self.peek(), Some(Token::Sym("."))) {
                        match self.tokens.get(self.pos + 1) {
                            Some(Token::Ident(part)) => {
                                name = format!("{name}.{part}");
                                self.pos += 2;
                            }
                            _ => break,
                        }
                    }
                    if self.eat("(") {
                        let mut args = Vec::new();
                        if !self.eat(")") {
                            loop {
                                args.push(self.expr()?);
                                if self.eat(")") {
                                    break;
                                }
                                self.expect(",")?;
                            }
                        }
                        let args: Result<Vec<Value>, String> = args.into_iter().collect();
                        return Ok(args.and_then(|a| call(&name, &a)));
                    }
                    self.pos = start;
                    Ok(self
                        .env
                        .get(&word)
                        .cloned()
                        .ok_or_else(|| format!("undefined variable {word}")))
                }
                other => Err(format!("unexpected token {other:?}")),
            }
        }
    }

    fn arithmetic(op: &str, l: &Value, r: &Value) -> Eval {
        let err = |e: ValueError| format!("{:?}: {e}", e.kind());
        match (op, l, r) {
            (_, Value::Null, _) | (_, _, Value::Null) => Ok(Value::Null),
            ("+", Value::Int(a), Value::Int(b)) => a
                .checked_add(*b)
                .map(Value::Int)
                .ok_or_else(|| "overflow".into()),
            ("-", Value::Int(a), Value::Int(b)) => a
                .checked_sub(*b)
                .map(Value::Int)
                .ok_or_else(|| "overflow".into()),
            ("*", Value::Int(a), Value::Int(b)) => a
                .checked_mul(*b)
                .map(Value::Int)
                .ok_or_else(|| "overflow".into()),
            ("+", Value::Duration(d), other) if !matches!(other, Value::Duration(_)) => {
                temporal::add_duration(other, d).map_err(err)
            }
            ("+", other, Value::Duration(d)) => temporal::add_duration(other, d).map_err(err),
            ("-", other, Value::Duration(d)) => temporal::subtract_duration(other, d).map_err(err),
            ("*", Value::Duration(d), Value::Int(n)) | ("*", Value::Int(n), Value::Duration(d)) => {
                d.checked_mul_int(*n).map(Value::Duration).map_err(err)
            }
            ("*", Value::Duration(d), Value::Float(f))
            | ("*", Value::Float(f), Value::Duration(d)) => {
                d.checked_mul_float(*f).map(Value::Duration).map_err(err)
            }
            ("/", Value::Duration(d), n) => {
                let divisor = n.as_float().ok_or("not a number")?;
                d.checked_div(divisor).map(Value::Duration).map_err(err)
            }
            (_, a, b) => {
                let (Some(x), Some(y)) = (a.as_float(), b.as_float()) else {
                    return Err(format!("cannot apply {op} to {a} and {b}"));
                };
                Ok(Value::Float(match op {
                    "+" => x + y,
                    "-" => x - y,
                    "*" => x * y,
                    _ => x / y,
                }))
            }
        }
    }

    fn call(name: &str, args: &[Value]) -> Eval {
        let err = |e: ValueError| format!("{:?}: {e}", e.kind());
        let lower = name.to_ascii_lowercase();
        let (base, variant) = lower
            .split_once('.')
            .map_or((lower.as_str(), ""), |(b, v)| (b, v));
        // Null in, null out, as every temporal function does.
        if args.iter().any(Value::is_null) && lower != "tostring" {
            return Ok(Value::Null);
        }
        // A fixed "now" for the clock functions.
        let now = DateTime::from_epoch(1_500_000_000, 0, None).map_err(err)?;
        let zone = args.first().and_then(Value::as_str);
        let unit = || -> Result<TemporalUnit, String> {
            TemporalUnit::parse(args.first().and_then(Value::as_str).ok_or("unit")?).map_err(err)
        };
        let overrides = args.get(2).and_then(Value::as_map);
        let second = || args.get(1).ok_or_else(|| "missing argument".to_owned());
        match (base, variant) {
            ("tostring", _) => Ok(args.first().map_or(Value::Null, |v| {
                if v.is_null() {
                    Value::Null
                } else {
                    Value::String(v.to_cypher_string().into())
                }
            })),
            ("date", "truncate") => Date::truncate(unit()?, second()?, overrides)
                .map(Value::Date)
                .map_err(err),
            ("localtime", "truncate") => LocalTime::truncate(unit()?, second()?, overrides)
                .map(Value::LocalTime)
                .map_err(err),
            ("time", "truncate") => Time::truncate(unit()?, second()?, overrides)
                .map(Value::Time)
                .map_err(err),
            ("localdatetime", "truncate") => LocalDateTime::truncate(unit()?, second()?, overrides)
                .map(Value::LocalDateTime)
                .map_err(err),
            ("datetime", "truncate") => DateTime::truncate(unit()?, second()?, overrides)
                .map(Value::DateTime)
                .map_err(err),
            ("datetime", "fromepoch") => {
                let (s, n) = (
                    args[0].as_int().ok_or("int")?,
                    args.get(1).and_then(Value::as_int).unwrap_or(0),
                );
                DateTime::from_epoch(s, n, None)
                    .map(Value::DateTime)
                    .map_err(err)
            }
            ("datetime", "fromepochmillis") => {
                DateTime::from_epoch_millis(args[0].as_int().ok_or("int")?)
                    .map(Value::DateTime)
                    .map_err(err)
            }
            ("duration", "between") => Duration::between(&args[0], second()?)
                .map(Value::Duration)
                .map_err(err),
            ("duration", "inmonths") => Duration::in_months(&args[0], second()?)
                .map(Value::Duration)
                .map_err(err),
            ("duration", "indays") => Duration::in_days(&args[0], second()?)
                .map(Value::Duration)
                .map_err(err),
            ("duration", "inseconds") => Duration::in_seconds(&args[0], second()?)
                .map(Value::Duration)
                .map_err(err),
            (_, "transaction" | "statement" | "realtime") | (_, "")
                if args.is_empty() || !variant.is_empty() =>
            {
                match base {
                    "date" => Date::current(&now, zone).map(Value::Date),
                    "localtime" => LocalTime::current(&now, zone).map(Value::LocalTime),
                    "time" => Time::current(&now, zone).map(Value::Time),
                    "localdatetime" => LocalDateTime::current(&now, zone).map(Value::LocalDateTime),
                    "datetime" => DateTime::current(&now, zone).map(Value::DateTime),
                    _ => return Err(format!("unknown function {name}")),
                }
                .map_err(err)
            }
            (_, "") => {
                let arg = &args[0];
                match base {
                    "date" => Date::from_value(arg).map(Value::Date),
                    "localtime" => LocalTime::from_value(arg).map(Value::LocalTime),
                    "time" => Time::from_value(arg).map(Value::Time),
                    "localdatetime" => LocalDateTime::from_value(arg).map(Value::LocalDateTime),
                    "datetime" => DateTime::from_value(arg).map(Value::DateTime),
                    "duration" => Duration::from_value(arg).map(Value::Duration),
                    _ => return Err(format!("unknown function {name}")),
                }
                .map_err(err)
            }
            _ => Err(format!("unknown function {name}")),
        }
    }

    /// A node of the scenario graph: labels and properties.
    pub type Graph = Vec<(Vec<String>, Map)>;

    /// Runs one statement: `CREATE (...)...`, or `[MATCH (v[:L])] [WITH e AS x, ...] RETURN
    /// e [AS a], ...`. Returns the one result row as (column, value) pairs.
    pub fn run(
        query: &str,
        graph: &mut Graph,
    ) -> Result<Result<Vec<(String, Value)>, String>, String> {
        let text = query.split_whitespace().collect::<Vec<_>>().join(" ");
        if let Some(rest) = text.strip_prefix("CREATE ") {
            for pattern in rest.split("CREATE ") {
                let env = Env::new();
                let mut p = Parser::new(pattern.trim(), &env)?;
                p.expect("(")?;
                let mut labels = Vec::new();
                while p.eat(":") {
                    labels.push(p.ident()?);
                }
                let props = match p.primary()? {
                    Ok(Value::Map(m)) => m,
                    Ok(other) => return Err(format!("expected properties, found {other}")),
                    Err(e) => return Ok(Err(e)),
                };
                p.expect(")")?;
                graph.push((labels, props.into_map()));
            }
            return Ok(Ok(Vec::new()));
        }
        let mut rows: Vec<Env> = vec![Env::new()];
        let mut rest = text.as_str();
        if let Some(after) = rest.strip_prefix("MATCH ") {
            let env = Env::new();
            let mut p = Parser::new(after, &env)?;
            p.expect("(")?;
            let var = p.ident()?;
            let label = if p.eat(":") { Some(p.ident()?) } else { None };
            p.expect(")")?;
            rows = graph
                .iter()
                .filter(|(labels, _)| label.as_ref().is_none_or(|l| labels.contains(l)))
                .map(|(_, props)| Env::from([(var.clone(), Value::Map(props.clone().into()))]))
                .collect();
            // Re-tokenize the rest of the query after the pattern.
            let consumed = after.find(')').ok_or("pattern")? + 1;
            rest = after[consumed..].trim();
        }
        let mut results = Vec::new();
        for env in rows {
            match run_projection(rest, env)? {
                Ok(row) => results.push(row),
                Err(e) => return Ok(Err(e)),
            }
        }
        match results.len() {
            1 => Ok(Ok(results.remove(0))),
            n => Err(format!("expected one row, got {n}")),
        }
    }

    fn run_projection(
        text: &str,
        mut env: Env,
    ) -> Result<Result<Vec<(String, Value)>, String>, String> {
        let (with, ret) = match text.split_once("RETURN ") {
            Some((with, ret)) => (with.trim(), ret),
            None => return Err("no RETURN".into()),
        };
        if let Some(items) = with.strip_prefix("WITH ") {
            let snapshot = env.clone();
            let mut p = Parser::new(items, &snapshot)?;
            loop {
                let value = p.expr()?;
                if !p.eat_keyword("AS") {
                    return Err("WITH item without AS".into());
                }
                let name = p.ident()?;
                match value {
                    Ok(v) => {
                        env.insert(name, v);
                    }
                    Err(e) => return Ok(Err(e)),
                }
                if !p.eat(",") {
                    break;
                }
            }
        }
        let mut row = Vec::new();
        for item in split_items(ret) {
            let (expr, alias) = match item.rsplit_once(" AS ") {
                Some((expr, alias)) => (expr.trim().to_owned(), alias.trim().to_owned()),
                None => (item.trim().to_owned(), item.trim().to_owned()),
            };
            let mut p = Parser::new(&expr, &env)?;
            let value = p.expr()?;
            if !p.at_end() {
                return Err(format!("trailing tokens in {expr}"));
            }
            match value {
                Ok(v) => row.push((alias, v)),
                Err(e) => return Ok(Err(e)),
            }
        }
        Ok(Ok(row))
    }

    /// Splits a RETURN list at top-level commas.
    fn split_items(text: &str) -> Vec<String> {
        let mut items = Vec::new();
        let mut depth = 0_i32;
        let mut quoted = false;
        let mut current = String::new();
        for c in text.chars() {
            match c {
                '\'' => quoted = !quoted,
                '(' | '[' | '{' if !quoted => depth += 1,
                ')' | ']' | '}' if !quoted => depth -= 1,
                ',' if depth == 0 && !quoted => {
                    items.push(std::mem::take(&mut current));
                    continue;
                }
                _ => {}
            }
            current.push(c);
        }
        if !current.trim().is_empty() {
            items.push(current);
        }
        items
    }
}

mod gherkin {
    //! A reader for the subset of Gherkin the TCK uses.

    #[derive(Debug, Clone, Default)]
    pub struct Scenario {
        pub name: String,
        pub line: usize,
        pub steps: Vec<Step>,
        pub examples: Vec<Vec<String>>,
    }

    #[derive(Debug, Clone)]
    pub enum Step {
        Setup(String),
        Query(String),
        Result {
            ordered: bool,
            table: Vec<Vec<String>>,
        },
        Empty,
        Error(String),
        Other,
    }

    pub fn cells(line: &str) -> Vec<String> {
        let inner = line.trim().trim_start_matches('|').trim_end_matches('|');
        inner.split('|').map(|c| c.trim().to_owned()).collect()
    }

    pub fn parse(text: &str) -> Vec<Scenario> {
        let lines: Vec<&str> = text.lines().collect();
        let mut scenarios = Vec::new();
        let mut current: Option<Scenario> = None;
        let mut i = 0;
        while i < lines.len() {
            let line = lines[i].trim();
            i += 1;
            if line.starts_with('#') || line.is_empty() {
                continue;
            }
            if line.starts_with("Scenario") {
                scenarios.extend(current.take());
                let name = line
                    .split_once(':')
                    .map_or(line, |(_, n)| n)
                    .trim()
                    .to_owned();
                current = Some(Scenario {
                    name,
                    line: i,
                    ..Scenario::default()
                });
                continue;
            }
            let Some(scenario) = current.as_mut() else {
                continue;
            };
            let block = |i: &mut usize| -> String {
                let mut out = Vec::new();
                if lines.get(*i).is_some_and(|l| l.trim() == "\"\"\"") {
                    *i += 1;
                    while *i < lines.len() && lines[*i].trim() != "\"\"\"" {
                        out.push(lines[*i].trim());
                        *i += 1;
                    }
                    *i += 1;
                }
                out.join("\n")
            };
            let table = |i: &mut usize| -> Vec<Vec<String>> {
                let mut rows = Vec::new();
                while *i < lines.len()
                    && (lines[*i].trim().starts_with('|') || lines[*i].trim().starts_with('#'))
                {
                    if lines[*i].trim().starts_with('|') {
                        rows.push(cells(lines[*i]));
                    }
                    *i += 1;
                }
                rows
            };
            if line.contains("having executed:") {
                scenario.steps.push(Step::Setup(block(&mut i)));
            } else if line.contains("executing") && line.ends_with("query:") {
                scenario.steps.push(Step::Query(block(&mut i)));
            } else if line.starts_with("Then the result should be empty") {
                scenario.steps.push(Step::Empty);
            } else if line.starts_with("Then the result should be") {
                let ordered = !line.contains("any order");
                scenario.steps.push(Step::Result {
                    ordered,
                    table: table(&mut i),
                });
            } else if line.starts_with("Then a") && line.contains("should be raised") {
                scenario.steps.push(Step::Error(line.to_owned()));
            } else if line.starts_with("Examples") {
                scenario.examples = table(&mut i);
            } else {
                scenario.steps.push(Step::Other);
            }
        }
        scenarios.extend(current);
        scenarios
    }
}

/// TCK scenarios this value layer cannot pass, each with its reason. Matched against
/// `"<file> <scenario name> #<example row>"` prefixes.
const TCK_EXPECTED_FAILURES: &[(&str, &str)] = &[
    (
        "Temporal10.feature [9] Should handle large durations",
        "years beyond chrono's ±262,143 range are not supported (they error cleanly)",
    ),
    (
        "Temporal10.feature [10] Should handle large durations in seconds",
        "years beyond chrono's ±262,143 range are not supported (they error cleanly)",
    ),
];

struct Outcome {
    passed: usize,
    failures: Vec<String>,
    skipped: Vec<String>,
}

fn substitute(text: &str, header: &[String], row: &[String]) -> String {
    let mut out = text.to_owned();
    for (name, value) in header.iter().zip(row) {
        out = out.replace(&format!("<{name}>"), value);
    }
    out
}

/// Runs one expanded scenario; `Err` describes a failure.
fn run_scenario(steps: &[gherkin::Step]) -> Result<(), String> {
    let mut graph = mini::Graph::new();
    let mut last: Option<Result<Vec<(String, Value)>, String>> = None;
    for step in steps {
        match step {
            gherkin::Step::Setup(query) => match mini::run(query, &mut graph)? {
                Ok(_) => {}
                Err(e) => return Err(format!("setup failed: {e}")),
            },
            gherkin::Step::Query(query) => last = Some(mini::run(query, &mut graph)?),
            gherkin::Step::Empty => match last.take() {
                Some(Ok(_)) => {}
                Some(Err(e)) => return Err(format!("unexpected error {e}")),
                None => return Err("no query".into()),
            },
            gherkin::Step::Error(expected) => match last.take() {
                // Errors of the value module carry their kind (`ArgumentError: ...`); it must
                // be the one the scenario names.
                Some(Err(message)) => {
                    let kind = message.split(':').next().unwrap_or_default();
                    let named = ["ArgumentError", "TypeError", "ArithmeticError"].contains(&kind);
                    if named && !expected.contains(&format!(" {kind} ")) {
                        return Err(format!("expected {expected}, got {message}"));
                    }
                }
                other => return Err(format!("expected an error ({expected}), got {other:?}")),
            },
            gherkin::Step::Result { table, .. } => {
                let row = match last.take() {
                    Some(Ok(row)) => row,
                    Some(Err(e)) => return Err(format!("unexpected error: {e}")),
                    None => return Err("no query".into()),
                };
                let [header, expected] = table.as_slice() else {
                    return Err(format!(
                        "only one-row results are supported, got {} rows",
                        table.len().saturating_sub(1)
                    ));
                };
                for (column, cell) in header.iter().zip(expected) {
                    let actual = row
                        .iter()
                        .find(|(name, _)| name == column)
                        .map(|(_, v)| v)
                        .ok_or_else(|| format!("no column {column}"))?;
                    if actual.to_string() != *cell {
                        // Accept a different spelling of the same literal (`1` vs `1.0`).
                        let env = mini::Env::new();
                        let same = mini::Parser::new(cell, &env)
                            .ok()
                            .and_then(|mut p| p.expr().ok())
                            .and_then(Result::ok)
                            .is_some_and(|v| !actual.is_temporal() && v == *actual);
                        if !same {
                            return Err(format!("column {column}: expected {cell}, got {actual}"));
                        }
                    }
                }
            }
            gherkin::Step::Other => {}
        }
    }
    Ok(())
}

fn run_feature(path: &FsPath, expected_failures: &[(&str, &str)], outcome: &mut Outcome) {
    let text =
        std::fs::read_to_string(path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    let file = path
        .file_name()
        .map(|f| f.to_string_lossy().into_owned())
        .unwrap_or_default();
    for scenario in gherkin::parse(&text) {
        let runs: Vec<(String, Vec<gherkin::Step>)> = if scenario.examples.is_empty() {
            vec![(String::new(), scenario.steps.clone())]
        } else {
            let header = &scenario.examples[0];
            scenario.examples[1..]
                .iter()
                .enumerate()
                .map(|(i, row)| {
                    let steps = scenario
                        .steps
                        .iter()
                        .map(|step| match step {
                            gherkin::Step::Setup(q) => {
                                gherkin::Step::Setup(substitute(q, header, row))
                            }
                            gherkin::Step::Query(q) => {
                                gherkin::Step::Query(substitute(q, header, row))
                            }
                            gherkin::Step::Result { ordered, table } => gherkin::Step::Result {
                                ordered: *ordered,
                                table: table
                                    .iter()
                                    .map(|r| r.iter().map(|c| substitute(c, header, row)).collect())
                                    .collect(),
                            },
                            other => other.clone(),
                        })
                        .collect();
                    (format!(" #{}", i + 1), steps)
                })
                .collect()
        };
        for (suffix, steps) in runs {
            let id = format!("{file} {}{suffix}", scenario.name);
            let expected_failure = expected_failures
                .iter()
                .find(|(prefix, _)| id.starts_with(prefix));
            match (run_scenario(&steps), expected_failure) {
                (Ok(()), None) => outcome.passed += 1,
                (Ok(()), Some(_)) => outcome.failures.push(format!(
                    "{id} (line {}): passes but is listed as an expected failure",
                    scenario.line
                )),
                (Err(e), None) => outcome
                    .failures
                    .push(format!("{id} (line {}): {e}", scenario.line)),
                (Err(_), Some((_, reason))) => outcome.skipped.push(format!("{id}: {reason}")),
            }
        }
    }
}

fn feature_files(dir: &FsPath) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "feature"))
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
}

fn report(outcome: &Outcome, what: &str) {
    eprintln!(
        "{what}: {} passed, {} expected failures, {} failures",
        outcome.passed,
        outcome.skipped.len(),
        outcome.failures.len()
    );
    for failure in &outcome.failures {
        eprintln!("  FAIL {failure}");
    }
    assert!(
        outcome.failures.is_empty(),
        "{} {what} scenarios failed",
        outcome.failures.len()
    );
}

#[test]
fn temporal_cases_in_tests_data() {
    let dir = FsPath::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/value");
    let mut outcome = Outcome {
        passed: 0,
        failures: Vec::new(),
        skipped: Vec::new(),
    };
    let files = feature_files(&dir);
    assert!(!files.is_empty(), "no feature files in {}", dir.display());
    for file in files {
        run_feature(&file, &[], &mut outcome);
    }
    report(&outcome, "tests/data/value");
}

#[test]
fn tck_temporal_features() {
    let root = FsPath::new(env!("CARGO_MANIFEST_DIR"));
    let candidates = [
        std::env::var_os("CORDIAL_TCK").map(PathBuf::from),
        Some(root.join("tck")),
        Some(root.join("tests/tck")),
        Some(root.join("../shared/tck")),
    ];
    let Some(dir) = candidates
        .into_iter()
        .flatten()
        .map(|tck| tck.join("features/expressions/temporal"))
        .find(|dir| dir.is_dir())
    else {
        eprintln!(
            "openCypher TCK not found; set CORDIAL_TCK to its directory to run the temporal features"
        );
        return;
    };
    let mut outcome = Outcome {
        passed: 0,
        failures: Vec::new(),
        skipped: Vec::new(),
    };
    for file in feature_files(&dir) {
        run_feature(&file, TCK_EXPECTED_FAILURES, &mut outcome);
    }
    for skipped in &outcome.skipped {
        eprintln!("  expected failure: {skipped}");
    }
    assert!(outcome.passed > 0);
    report(&outcome, "TCK temporal");
}

// ---------------------------------------------------------------------------------------------
// No input makes the value layer panic.

mod no_panics {
    use proptest::prelude::*;

    use super::*;

    fn field_value() -> impl Strategy<Value = Value> {
        prop_oneof![
            any::<i64>().prop_map(Value::Int),
            (-100_i64..400).prop_map(Value::Int),
            any::<f64>().prop_map(Value::Float),
            (-10.0_f64..10.0).prop_map(Value::Float),
            "[A-Za-z/+:0-9]{0,12}".prop_map(Value::from),
            Just(Value::Null),
            Just(Value::Date(Date::parse("2020-02-29").unwrap())),
            Just(Value::DateTime(
                DateTime::parse("2021-03-28T02:30[Europe/Stockholm]").unwrap()
            )),
            Just(Value::Time(
                Time::parse("23:59:59.999999999-18:00").unwrap()
            )),
            Just(Value::LocalDateTime(
                LocalDateTime::parse("+262142-12-31T23:59:59").unwrap()
            )),
        ]
    }

    const KEYS: &[&str] = &[
        "year",
        "month",
        "day",
        "week",
        "dayOfWeek",
        "ordinalDay",
        "quarter",
        "dayOfQuarter",
        "hour",
        "minute",
        "second",
        "millisecond",
        "microsecond",
        "nanosecond",
        "timezone",
        "date",
        "time",
        "datetime",
        "epochSeconds",
        "epochMillis",
        "years",
        "months",
        "weeks",
        "days",
        "hours",
        "minutes",
        "seconds",
        "nanoseconds",
    ];

    fn field_map() -> impl Strategy<Value = Map> {
        proptest::collection::btree_map(
            proptest::sample::select(KEYS).prop_map(str::to_owned),
            field_value(),
            0..6,
        )
    }

    fn temporal_value() -> impl Strategy<Value = Value> {
        prop_oneof![
            "[0-9]{4}-[01][0-9]-[0-3][0-9]"
                .prop_filter_map("date", |s| Date::parse(&s).ok().map(Value::Date)),
            Just(Value::Date(Date::parse("+262142-12-31").unwrap())),
            Just(Value::Date(Date::parse("-262143-01-01").unwrap())),
            Just(Value::LocalTime(LocalTime::parse("00:00").unwrap())),
            Just(Value::Time(Time::parse("12:00+18:00").unwrap())),
            Just(Value::LocalDateTime(
                LocalDateTime::parse("-262143-01-01T00:00").unwrap()
            )),
            Just(Value::DateTime(
                DateTime::parse("+262142-12-31T05:59:59.999999999-18:00").unwrap()
            )),
            Just(Value::DateTime(
                DateTime::parse("2021-10-31T02:30[Europe/Stockholm]").unwrap()
            )),
        ]
    }

    fn duration() -> impl Strategy<Value = Duration> {
        prop_oneof![
            (
                any::<i64>(),
                any::<i64>(),
                any::<i64>(),
                0_i64..1_000_000_000
            )
                .prop_filter_map("duration", |(m, d, s, n)| Duration::new(m, d, s, n).ok()),
            (
                -30_i64..30,
                -400_i64..400,
                -100_000_i64..100_000,
                0_i64..1_000_000_000
            )
                .prop_filter_map("duration", |(m, d, s, n)| Duration::new(m, d, s, n).ok()),
        ]
    }

    proptest! {
        #[test]
        fn parsers_never_panic(s in "[0-9WQTPYMDHSZ:+\\-.,\\[\\]/a-zä]{0,24}") {
            let _ = Date::parse(&s);
            let _ = LocalTime::parse(&s);
            let _ = Time::parse(&s);
            let _ = LocalDateTime::parse(&s);
            let _ = DateTime::parse(&s);
            let _ = Duration::parse(&s);
        }

        #[test]
        fn constructors_never_panic(map in field_map()) {
            let _ = Date::from_map(&map);
            let _ = LocalTime::from_map(&map);
            let _ = Time::from_map(&map);
            let _ = LocalDateTime::from_map(&map);
            let _ = DateTime::from_map(&map);
            let _ = Duration::from_map(&map);
            for unit in ["millennium", "weekYear", "quarter", "week", "day", "hour", "nanosecond"] {
                let unit = TemporalUnit::parse(unit).unwrap();
                let base = Value::DateTime(DateTime::parse("2020-06-30T12:34:56.789[Europe/Stockholm]").unwrap());
                let _ = Date::truncate(unit, &base, Some(&map));
                let _ = Time::truncate(unit, &base, Some(&map));
                let _ = LocalTime::truncate(unit, &base, Some(&map));
                let _ = LocalDateTime::truncate(unit, &base, Some(&map));
                let _ = DateTime::truncate(unit, &base, Some(&map));
            }
        }

        #[test]
        fn arithmetic_never_panics(a in temporal_value(), b in temporal_value(), d in duration(), f in any::<f64>(), i in any::<i64>()) {
            let _ = temporal::add_duration(&a, &d);
            let _ = temporal::subtract_duration(&a, &d);
            let _ = Duration::between(&a, &b);
            let _ = Duration::in_months(&a, &b);
            let _ = Duration::in_days(&a, &b);
            let _ = Duration::in_seconds(&a, &b);
            let _ = d.checked_mul_float(f);
            let _ = d.checked_mul_int(i);
            let _ = d.checked_div(f);
            let _ = d.checked_add(&d);
            let _ = d.to_string();
            for name in ["years", "milliseconds", "nanoseconds", "epochMillis", "dayOfQuarter", "offset"] {
                let _ = temporal::property(&a, name);
                let _ = temporal::property(&Value::Duration(d), name);
            }
        }

        #[test]
        fn floats_print_and_parse_back(x in any::<f64>()) {
            let printed = cordial::value::format_float(x);
            let parsed: f64 = printed.parse().unwrap();
            prop_assert!(parsed.to_bits() == x.to_bits() || (x.is_nan() && parsed.is_nan()), "{}", printed);
        }

        #[test]
        fn durations_print_and_parse_back(d in duration()) {
            let printed = d.to_string();
            prop_assert_eq!(Duration::parse(&printed), Ok(d), "{}", printed);
        }

        #[test]
        fn order_is_consistent_with_grouping_equality(a in field_value(), b in field_value()) {
            let equal = a == b;
            prop_assert_eq!(a.order(&b) == std::cmp::Ordering::Equal, equal);
            prop_assert_eq!(a.order(&b), b.order(&a).reverse());
            if equal {
                use std::hash::{BuildHasher, RandomState};
                let state = RandomState::new();
                prop_assert_eq!(state.hash_one(&a), state.hash_one(&b));
            }
        }
    }
}

#[test]
fn typed_reads_borrow() {
    use cordial::value::FromValueRef;
    let row = map(&[
        ("name", Value::from("Acme")),
        ("n", Value::Int(3)),
        ("x", Value::Null),
        ("l", Value::from(vec![1_i64, 2])),
    ]);
    let row = row.as_map().unwrap();
    let name: &str = row["name"].get_as().unwrap();
    assert_eq!(name, "Acme");
    assert_eq!(row["n"].get_as::<i64>().unwrap(), 3);
    assert_eq!(row["n"].get_as::<f64>().unwrap(), 3.0);
    assert_eq!(row["x"].get_as::<Option<i64>>().unwrap(), None);
    assert_eq!(row["l"].get_as::<Vec<i64>>().unwrap(), vec![1, 2]);
    let err = <&str>::from_value_ref(&row["n"]).unwrap_err();
    assert_eq!(
        err,
        ValueError::TypeMismatch {
            expected: "a string",
            found: "INTEGER"
        }
    );
    assert_eq!(err.to_string(), "expected a string, found INTEGER");
    assert!(row["x"].get_as::<i64>().is_err());
    assert!(Value::Int(-1).get_as::<u64>().is_err());
}

//! The planner's compile-time errors (`tests/data/plan/errors.txt`) and plan shapes.

use crate::plan::{Catalog, FunctionInfo, PlanOptions, ProcedureInfo, plan_query_with};
use crate::syntax::{Statement, parse};

/// A catalog with a few functions and aggregates, and an index on `:Customer(id)`.
struct TestCatalog;

impl Catalog for TestCatalog {
    fn function(&self, name: &str) -> Option<FunctionInfo> {
        let (min, max) = match name.to_ascii_lowercase().as_str() {
            "toupper" | "size" | "labels" | "duration" => (1, 1),
            "date" | "datetime" => (0, 1),
            "coalesce" => (1, usize::MAX),
            _ => return None,
        };
        Some(FunctionInfo {
            name: name.to_ascii_lowercase(),
            min_args: min,
            max_args: Some(max),
        })
    }
    fn aggregate(&self, name: &str) -> Option<FunctionInfo> {
        let name = name.to_ascii_lowercase();
        ["count", "sum", "collect", "min", "max", "avg"]
            .contains(&name.as_str())
            .then_some(FunctionInfo {
                name,
                min_args: 1,
                max_args: Some(1),
            })
    }
    fn procedure(&self, _: &str) -> Option<ProcedureInfo> {
        None
    }
    fn label_count(&self, label: &str) -> Option<u64> {
        match label {
            "Customer" => Some(1000),
            "Staff" => Some(20),
            _ => None,
        }
    }
    fn type_count(&self, rel_type: &str) -> Option<u64> {
        match rel_type {
            "SERVES" => Some(1500),
            "MANAGES" => Some(30),
            _ => None,
        }
    }
    fn has_index(&self, label: &str, key: &str) -> bool {
        label == "Customer" && key == "id"
    }
}

fn plan_of(text: &str) -> Result<crate::plan::QueryPlan, crate::plan::PlanError> {
    let Statement::Query(query) = parse(text).unwrap_or_else(|e| panic!("{text}: {e}")) else {
        panic!("not a query: {text}")
    };
    plan_query_with(&query, text, &TestCatalog, PlanOptions::default())
}

#[test]
fn compile_time_errors_have_the_right_kind() {
    let cases = include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/plan/errors.txt"
    ));
    let mut failures = Vec::new();
    for (n, line) in cases.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let (kind, query) = line.split_once('|').expect("KIND | query");
        match plan_of(query.trim()) {
            Ok(_) => failures.push(format!(
                "errors.txt:{}: planned without error: {query}",
                n + 1
            )),
            Err(e) if format!("{:?}", e.kind) != kind.trim() => {
                failures.push(format!(
                    "errors.txt:{}: {:?} ({}) instead of {kind}: {query}",
                    n + 1,
                    e.kind,
                    e.message
                ));
            }
            Err(_) => {}
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn patterns_start_at_the_cheapest_node() {
    let plan = plan_of("MATCH (s:Staff)-[:SERVES]->(c:Customer {id: $id}) RETURN s.name").unwrap();
    let text = plan.to_sexpr();
    assert!(text.contains("(index-seek @1 :Customer.id)"), "{text}");
    let plan = plan_of("MATCH (s:Staff)-[:SERVES]->(c:Customer) RETURN s.name").unwrap();
    assert!(
        plan.to_sexpr().contains("(label-scan @0 :Staff)"),
        "{}",
        plan.to_sexpr()
    );
    let plan = plan_of("MATCH (c:Customer) WHERE c.id = 'x' RETURN c").unwrap();
    assert!(
        plan.to_sexpr().contains("(index-seek @0 :Customer.id)"),
        "{}",
        plan.to_sexpr()
    );
}

#[test]
fn a_match_grouped_by_a_node_starts_at_that_node_when_it_walks_as_much() {
    // Grouped by the customer: 1,000 customers to scan, 1,500 SERVES walked either way.
    let plan = plan_of(
        "MATCH (s:Staff)-[:SERVES]->(c:Customer) WHERE s.active WITH c, count(s) AS n RETURN c, n",
    )
    .unwrap();
    let text = plan.to_sexpr();
    assert!(text.contains("(label-scan @1 :Customer)"), "{text}");
    // Grouped by the staff member, the start already: unchanged.
    let plan = plan_of("MATCH (s:Staff)-[:SERVES]->(c:Customer) RETURN s, count(c)").unwrap();
    let text = plan.to_sexpr();
    assert!(text.contains("(label-scan @0 :Staff)"), "{text}");
    // Fewer relationships than customers: scanning every customer would cost more.
    let plan = plan_of("MATCH (s:Staff)-[:MANAGES]->(c:Customer) RETURN c, count(s)").unwrap();
    let text = plan.to_sexpr();
    assert!(text.contains("(label-scan @0 :Staff)"), "{text}");
    // Not grouped: the smaller label.
    let plan = plan_of("MATCH (s:Staff)-[:SERVES]->(c:Customer) RETURN c, s").unwrap();
    let text = plan.to_sexpr();
    assert!(text.contains("(label-scan @0 :Staff)"), "{text}");
}

#[test]
fn columns_are_named_by_alias_or_text() {
    let plan = plan_of("MATCH (n) RETURN n, n.name AS name, count(*), toUpper( n.x )").unwrap();
    assert_eq!(
        plan.column_names(),
        vec!["n", "name", "count(*)", "toUpper( n.x )"]
    );
    assert_eq!(
        plan_of("RETURN 1 AS a UNION RETURN 2 AS a")
            .unwrap()
            .branches
            .len(),
        2
    );
    assert!(!plan_of("MATCH (n) RETURN n").unwrap().writes);
    assert!(plan_of("CREATE (n) RETURN n").unwrap().writes);
}

#[test]
fn temporal_constructors_of_literal_strings_are_parsed_once() {
    let plan = plan_of(
        "MATCH (i:Interaction) WHERE i.at >= datetime('2024-01-01T00:00:00Z') \
         AND i.on < date('not a date') RETURN duration('P30D') AS d, datetime() AS now",
    )
    .unwrap();
    let text = format!("{:?}", plan.branches[0].operators);
    assert!(text.contains("Literal(DateTime("), "{text}");
    assert!(text.contains("Literal(Duration("), "{text}");
    // A string that does not parse fails when a row evaluates it; the clock is read at run time.
    assert!(text.contains(r#"Function { name: "date""#), "{text}");
    assert!(
        text.contains(r#"Function { name: "datetime", args: [] }"#),
        "{text}"
    );
}

#[test]
fn what_a_grouping_computed_is_grouped_by_its_entities_later() {
    // `xs` is a function of `c`, so the second aggregation finds groups by c's id alone.
    let plan = plan_of(
        "MATCH (c:Customer)-[:R]->(x) WITH c, collect(x) AS xs \
         MATCH (c)<-[:SERVES]-(s:Staff) WITH c, xs, count(s) AS n RETURN c, xs, n",
    )
    .unwrap();
    let text = plan.to_sexpr();
    assert_eq!(text.matches("(by-ids @").count(), 2, "{text}");
    // Not once the entity is gone: `xs` alone is grouped by value.
    let plan = plan_of(
        "MATCH (c:Customer)-[:R]->(x) WITH c, collect(x) AS xs WITH xs \
         WITH xs, count(*) AS n RETURN xs, n",
    )
    .unwrap();
    let text = plan.to_sexpr();
    assert_eq!(text.matches("(by-ids @").count(), 1, "{text}");
}

#[test]
fn literal_lists_and_maps_are_built_once() {
    use crate::plan::logical::{Expr, Operator};
    let plan = plan_of(
        "MATCH (c:Customer {tier: {a: 1}}) WHERE c.status IN ['won', 'lost'] \
         RETURN [1, [2, 3]] AS l, [c.x, 1] AS mixed",
    )
    .unwrap();
    let ops = &plan.branches[0].operators;
    let text = format!("{ops:?}");
    assert!(
        !text.contains("List([Literal"),
        "no list of literals is left to build: {text}"
    );
    let project = ops
        .iter()
        .find_map(|op| match op {
            Operator::Project { items, .. } => Some(items),
            _ => None,
        })
        .expect("a projection");
    assert!(matches!(project[0].1, Expr::Literal(_)), "{project:?}");
    assert!(matches!(project[1].1, Expr::List(_)), "{project:?}");
}

//! The openCypher TCK, read from `../shared/tck/features` (or `CORDIAL_TCK_DIR`); the feature
//! files are never copied into this repository.
//!
//! Today this checks that the runner reads every scenario and every expected value; running the
//! scenarios against the engine arrives with the query language.

#[path = "tck/gherkin.rs"]
mod gherkin;
#[path = "tck/values.rs"]
mod values;

use std::path::PathBuf;

fn features_dir() -> PathBuf {
    std::env::var_os("CORDIAL_TCK_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/tck/features"))
}

#[test]
fn every_scenario_and_expected_value_is_readable() {
    let dir = features_dir();
    let scenarios = gherkin::load_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read the TCK at {}: {e}", dir.display()));
    assert!(
        scenarios.len() > 1000,
        "only {} scenarios under {}",
        scenarios.len(),
        dir.display()
    );
    let mut cells = 0;
    for scenario in &scenarios {
        assert!(
            scenario
                .steps
                .iter()
                .any(|s| s.text.starts_with("executing query")),
            "{} has no query",
            scenario.key()
        );
        for step in &scenario.steps {
            let is_result = step.text.starts_with("the result should be");
            let is_params = step.text.starts_with("parameters are");
            if !(is_result || is_params) {
                continue;
            }
            let rows = if is_result {
                step.table.get(1..).unwrap_or(&[])
            } else {
                &step.table[..]
            };
            for row in rows {
                let values = if is_params { &row[1..] } else { &row[..] };
                for cell in values {
                    values::parse(cell).unwrap_or_else(|e| {
                        panic!("{}:{}: {e}", scenario.file.display(), step.line)
                    });
                    cells += 1;
                }
            }
        }
    }
    println!(
        "tck: {} scenarios, {cells} expected values read",
        scenarios.len()
    );
}

#[test]
fn values_compare_as_the_tck_says() {
    let node = values::parse("(:A:B {name: 'x', n: [1, 2.5, null]})").unwrap();
    let same = values::parse("(:B:A {n: [1, 2.5, null], name: 'x'})").unwrap();
    assert!(values::equal(&node, &same, false));
    let path = values::parse("<(:A)-[:T {k: 1}]->(:B)<-[:U]-({n: -1e-3})>").unwrap();
    assert!(
        matches!(&path, values::TckValue::Path { steps, .. } if steps.len() == 2 && steps[0].1 && !steps[1].1)
    );
    assert!(values::equal(
        &values::parse("[1, 2]").unwrap(),
        &values::parse("[2, 1]").unwrap(),
        true
    ));
    assert!(!values::equal(
        &values::parse("[1, 2]").unwrap(),
        &values::parse("[2, 1]").unwrap(),
        false
    ));
    assert!(values::equal(
        &values::parse("NaN").unwrap(),
        &values::parse("NaN").unwrap(),
        false
    ));
    assert_eq!(values::parse("'it''s'").ok(), None);
    assert_eq!(
        values::parse("'a\\'b'").unwrap(),
        values::TckValue::String("a'b".into())
    );
}

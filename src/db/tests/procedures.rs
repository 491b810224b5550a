//! The procedure tables (moved from `tests/algo.rs`, which needs only the public API): every
//! `algo.*` and `crm.*` procedure's description starts with its call and describes each of
//! its output columns.

#[test]
fn every_procedure_documents_its_call_and_columns() {
    let sets: [&[crate::procedure::ProcedureDef]; 2] =
        [crate::algo::PROCEDURES, crate::domain::PROCEDURES];
    for def in sets.iter().flat_map(|s| s.iter()) {
        assert!(
            def.description.starts_with(&format!("{}(", def.name)),
            "{}: the description should start with the call",
            def.name
        );
        for column in def.outputs {
            assert!(
                def.description.contains(column),
                "{}: column {column} is not described",
                def.name
            );
        }
    }
}

//! The parser's tests: `parser.rs` (data-driven, over `tests/data/parser/` of the crate, the
//! grammar's examples and the openCypher TCK) and the example of `parse`'s documentation.

mod parser;

use super::{Statement, parse};

#[test]
fn a_statement_parses_and_prints_back_without_its_semicolon() {
    let statement = parse("MATCH (c:Customer {id: $id}) RETURN c.name AS name;").unwrap();
    assert!(matches!(statement, Statement::Query(_)));
    assert_eq!(
        statement.to_string(),
        "MATCH (c:Customer {id: $id}) RETURN c.name AS name"
    );
}

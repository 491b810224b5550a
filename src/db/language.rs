//! The query language as a shell presents it: its keywords and functions, whether typed text is
//! a complete statement, and a script split into statements. The CLI asks these of `db`, not of
//! the parser or the executor.

pub use crate::syntax::split_statements;

/// The language's keywords, upper case.
#[must_use]
pub fn keywords() -> &'static [&'static str] {
    crate::syntax::KEYWORDS
}

/// A function or aggregate the language knows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FunctionEntry {
    pub name: &'static str,
    /// Its arguments in words (`"1 argument"`, `"1 to 2 arguments"`), or `"..."` for an
    /// aggregate.
    pub arguments: String,
    pub aggregate: bool,
}

/// Every function, then every aggregate, in the order the library registers them.
#[must_use]
pub fn functions() -> Vec<FunctionEntry> {
    crate::exec::functions::all()
        .map(|f| FunctionEntry {
            name: f.name,
            arguments: f.arity_text(),
            aggregate: false,
        })
        .chain(crate::exec::aggregate::all().map(|a| FunctionEntry {
            name: a.name,
            arguments: "...".to_owned(),
            aggregate: true,
        }))
        .collect()
}

/// Whether `text` (one or more `;`-separated statements) fails to parse only because it stops
/// too early: a shell keeps reading then.
#[must_use]
pub fn needs_more_input(text: &str) -> bool {
    match crate::syntax::parse_script(text) {
        Ok(_) => false,
        Err(e) => crate::syntax::is_incomplete(&e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_language_as_a_shell_sees_it() {
        assert!(keywords().contains(&"MATCH"));
        let functions = functions();
        assert!(
            functions
                .iter()
                .any(|f| f.name == "toUpper" && !f.aggregate)
        );
        assert!(functions.iter().any(|f| f.name == "count" && f.aggregate));
        assert!(needs_more_input("MATCH (n"));
        assert!(!needs_more_input("MATCH (n) RETURN n"));
        assert!(!needs_more_input("RETURN 1 +* 2"));
        assert_eq!(split_statements("RETURN 1; RETURN 2").len(), 2);
    }
}

//! A statement parsed once (`Database::prepare`): what the shell, scripts and export hand to the
//! database. It is planned when it runs, against the graph it runs on, so the plan sees the
//! labels, indexes and counts of that moment; running it again parses nothing.

use crate::error::Result;

/// A statement parsed from its text.
///
/// ```
/// let db = cordial::Database::in_memory()?;
/// let statement = db.prepare("UNWIND [1, 2, 3] AS x RETURN sum(x) AS total")?;
/// let rows = db.run(&statement, cordial::Map::new())?.into_result()?;
/// assert_eq!(rows.rows[0].get::<i64>("total")?, 6);
/// # Ok::<(), cordial::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Statement {
    text: String,
    parsed: crate::syntax::Statement,
}

/// A statement that opens or ends an explicit transaction, which a session handles itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TransactionControl {
    Begin,
    Commit,
    Rollback,
}

impl Statement {
    /// Parses one statement (a trailing `;` is allowed).
    ///
    /// # Errors
    /// A syntax error, with its position in `text`.
    pub fn parse(text: &str) -> Result<Statement> {
        Ok(Statement {
            text: text.to_owned(),
            parsed: crate::syntax::parse(text)?,
        })
    }

    /// The text it was parsed from: error positions and unaliased column names refer to it.
    #[must_use]
    pub fn text(&self) -> &str {
        &self.text
    }

    /// `EXPLAIN ...`: it returns the plan, not rows.
    #[must_use]
    pub fn is_explain(&self) -> bool {
        matches!(self.parsed, crate::syntax::Statement::Explain(_))
    }

    /// `BEGIN`, `COMMIT` or `ROLLBACK`.
    #[must_use]
    pub fn transaction_control(&self) -> Option<TransactionControl> {
        match self.parsed {
            crate::syntax::Statement::Begin => Some(TransactionControl::Begin),
            crate::syntax::Statement::Commit => Some(TransactionControl::Commit),
            crate::syntax::Statement::Rollback => Some(TransactionControl::Rollback),
            _ => None,
        }
    }

    /// The syntax tree.
    pub(crate) fn parsed(&self) -> &crate::syntax::Statement {
        &self.parsed
    }
}

//! The one public error type. Each layer has its own typed error; `Error` wraps them with their
//! sources kept, and `Error::kind` gives the structured kind that tests match on.

use crate::storage::StorageError;

/// The result of every fallible public operation.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Every error Cordial returns.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    #[error(transparent)]
    Storage(#[from] StorageError),
    #[error(transparent)]
    Import(#[from] crate::import::ImportError),
    #[error(transparent)]
    Export(#[from] crate::export::ExportError),
    #[error(transparent)]
    Value(#[from] crate::value::ValueError),
    #[error(transparent)]
    Syntax(#[from] crate::syntax::SyntaxError),
    #[error(transparent)]
    Plan(#[from] crate::plan::PlanError),
    #[error(transparent)]
    Exec(#[from] crate::exec::ExecError),
    #[error("the result has no column `{0}`")]
    NoSuchColumn(String),
    #[error(
        "BEGIN, COMMIT and ROLLBACK are shell commands; in Rust use Database::begin_write and WriteTxn::commit"
    )]
    TransactionControl,
    #[error("{0} are not supported yet")]
    Unsupported(String),
    #[error("cannot start a thread for the query: {0}")]
    Thread(#[source] std::io::Error),
    #[error("the query stopped unexpectedly: its thread ended without a result")]
    QueryThreadLost,
}

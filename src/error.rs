//! The engine's public error type. Each layer below `db` has its own typed error; `Error`
//! wraps them with their sources kept, and `Error::kind` gives the structured kind that tests
//! match on. The features over `db` (`import`, `export`) return errors of their own, which wrap
//! this one where a statement or the store failed under them; `Error` does not wrap theirs, so
//! the dependency points one way.

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
    #[error("this statement writes, and statements run on a snapshot may only read")]
    WriteOnSnapshot,
}

/// When an error was raised: while the statement was parsed and planned (nothing ran), or while
/// it ran.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Phase {
    CompileTime,
    Runtime,
}

impl std::fmt::Display for Phase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Phase::CompileTime => "compile time",
            Phase::Runtime => "runtime",
        })
    }
}

/// What kind of error an `Error` is, in the openCypher vocabulary (the TCK's error types, which
/// Neo4j's status codes follow): its type, when it was raised, and for compile-time errors the
/// detail. The shell, the scripts and the TCK runner all name errors by this.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ErrorKind {
    /// `SyntaxError`, `SemanticError`, `TypeError`, `ArgumentError`, `ArithmeticError`,
    /// `EntityNotFound`, `ConstraintValidationFailed`, `ParameterMissing`, `ProcedureError`,
    /// `LoadExternalResource`, `MemoryLimitExceeded`, `Interrupted` or `DatabaseError`
    /// (damage, i/o, anything not the statement's fault).
    pub type_name: &'static str,
    pub phase: Phase,
    /// The TCK's detail (`UndefinedVariable`, `InvalidArgumentType`, ...), when there is one.
    pub detail: Option<String>,
}

impl ErrorKind {
    fn new(type_name: &'static str, phase: Phase) -> Self {
        ErrorKind {
            type_name,
            phase,
            detail: None,
        }
    }
}

/// `SyntaxError.UndefinedVariable`, or the type alone when there is no detail.
impl std::fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.detail {
            Some(detail) => write!(f, "{}.{detail}", self.type_name),
            None => f.write_str(self.type_name),
        }
    }
}

impl Error {
    /// The error's type, phase and detail.
    #[must_use]
    pub fn kind(&self) -> ErrorKind {
        use Phase::{CompileTime, Runtime};
        match self {
            Error::Syntax(e) => ErrorKind {
                detail: Some(e.kind.tck_name().to_owned()),
                ..ErrorKind::new("SyntaxError", CompileTime)
            },
            Error::Plan(e) => ErrorKind {
                detail: Some(format!("{:?}", e.kind)),
                ..ErrorKind::new("SyntaxError", CompileTime)
            },
            Error::Exec(e) => exec_kind(e.kind()),
            Error::Storage(e) => exec_kind(crate::exec::storage_error_kind(e)),
            Error::Value(e) => exec_kind(crate::exec::value_error_kind(e)),
            Error::NoSuchColumn(_) => ErrorKind::new("ArgumentError", Runtime),
            Error::TransactionControl | Error::Unsupported(_) | Error::WriteOnSnapshot => {
                ErrorKind::new("SemanticError", CompileTime)
            }
            Error::Thread(_) | Error::QueryThreadLost => ErrorKind::new("DatabaseError", Runtime),
        }
    }
}

/// The kind of an error a running statement raised.
fn exec_kind(kind: crate::exec::ExecErrorKind) -> ErrorKind {
    use crate::exec::ExecErrorKind as E;
    use Phase::{CompileTime, Runtime};
    let type_name = match kind {
        E::TypeError => "TypeError",
        E::ArgumentError => "ArgumentError",
        E::ArithmeticError => "ArithmeticError",
        E::EntityNotFound => "EntityNotFound",
        E::ConstraintVerificationFailed => "ConstraintValidationFailed",
        // Parameters are checked before anything runs.
        E::ParameterMissing => return ErrorKind::new("ParameterMissing", CompileTime),
        E::ProcedureError => "ProcedureError",
        E::SemanticError => "SemanticError",
        E::Interrupted => "Interrupted",
        E::LoadExternalResource => "LoadExternalResource",
        E::MemoryLimitExceeded => "MemoryLimitExceeded",
        E::Storage => "DatabaseError",
    };
    ErrorKind::new(type_name, Runtime)
}

//! `ExecError`: why running a statement failed, classified as the openCypher TCK classifies
//! run-time errors (`TypeError`, `ArgumentError`, ...), with the storage or value error kept as
//! the source where there is one.

use crate::storage::StorageError;
use crate::value::{ValueError, ValueErrorKind};

/// The openCypher error class of a run-time error, as the TCK names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ExecErrorKind {
    TypeError,
    ArgumentError,
    ArithmeticError,
    EntityNotFound,
    ConstraintVerificationFailed,
    ParameterMissing,
    ProcedureError,
    /// A statement that is well-formed but meaningless for the data it meets (MERGE on null).
    SemanticError,
    /// Damage or i/o failure below the query: not the user's fault.
    Storage,
    /// Stopped on request (Ctrl-C) before it finished; it changed nothing.
    Interrupted,
    /// `LOAD CSV` could not read its file: refused, missing, or a bad row.
    LoadExternalResource,
    /// The statement needed more memory than its budget; it changed nothing.
    MemoryLimitExceeded,
}

/// What went wrong in a `LOAD CSV`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum LoadCsvProblem {
    /// The URL is malformed.
    BadUrl,
    /// The URL names something outside the import directory, or a remote resource.
    Refused,
    /// No such file.
    NotFound,
    /// The file could not be read.
    Io,
    /// A record is malformed (its file and line are given).
    BadRow,
}

/// Why a statement failed while running. Messages are lowercase, with no final period.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ExecError {
    /// An operand or argument had a type the operation does not accept.
    #[error("type error: {0}")]
    Type(String),
    /// An argument had the right type but an invalid value.
    #[error("invalid argument: {0}")]
    Argument(String),
    /// Integer overflow, division by zero and the like.
    #[error("arithmetic error: {0}")]
    Arithmetic(String),
    /// A deleted node or relationship was read or written.
    #[error("{0}")]
    EntityNotFound(String),
    /// Well-formed but meaningless for the data met, such as MERGE on a null property.
    #[error("{0}")]
    Semantic(String),
    /// A query parameter was used but not given.
    #[error("missing parameter ${0}")]
    ParameterMissing(String),
    /// A procedure failed.
    #[error("procedure {name} failed: {message}")]
    Procedure { name: String, message: String },
    /// The statement's interrupt flag was raised while it ran.
    #[error("the statement was interrupted")]
    Interrupted,
    /// An operator needed more memory than the statement's budget allows.
    #[error(
        "memory limit of {limit} bytes exceeded in {operator} (raise it with --memory-limit, or narrow the query)"
    )]
    MemoryLimit { operator: &'static str, limit: u64 },
    /// `LOAD CSV` failed: `location` is the URL (or, for a bad row, the file) and `line` the
    /// record's first line.
    #[error("LOAD CSV {location}{}: {message}", line.map(|l| format!(":{l}")).unwrap_or_default())]
    LoadCsv {
        kind: LoadCsvProblem,
        location: String,
        line: Option<u64>,
        message: String,
    },
    /// A statement failed while handling the row `LOAD CSV` read from `location` at `line`;
    /// the kind is the inner error's.
    #[error("{location}:{line}: {source}")]
    AtCsvRow {
        location: String,
        line: u64,
        source: Box<ExecError>,
    },
    #[error(transparent)]
    Value(#[from] ValueError),
    #[error(transparent)]
    Storage(#[from] StorageError),
}

impl ExecError {
    /// The openCypher error class.
    #[must_use]
    pub fn kind(&self) -> ExecErrorKind {
        match self {
            ExecError::Type(_) => ExecErrorKind::TypeError,
            ExecError::Argument(_) => ExecErrorKind::ArgumentError,
            ExecError::Arithmetic(_) => ExecErrorKind::ArithmeticError,
            ExecError::EntityNotFound(_) => ExecErrorKind::EntityNotFound,
            ExecError::ParameterMissing(_) => ExecErrorKind::ParameterMissing,
            ExecError::Semantic(_) => ExecErrorKind::SemanticError,
            ExecError::Procedure { .. } => ExecErrorKind::ProcedureError,
            ExecError::Interrupted => ExecErrorKind::Interrupted,
            ExecError::MemoryLimit { .. } => ExecErrorKind::MemoryLimitExceeded,
            ExecError::LoadCsv { .. } => ExecErrorKind::LoadExternalResource,
            ExecError::AtCsvRow { source, .. } => source.kind(),
            ExecError::Value(e) => value_error_kind(e),
            ExecError::Storage(e) => storage_error_kind(e),
        }
    }
}

/// The openCypher error class of a value error met by a statement.
pub(crate) fn value_error_kind(error: &ValueError) -> ExecErrorKind {
    match error.kind() {
        ValueErrorKind::TypeError => ExecErrorKind::TypeError,
        ValueErrorKind::ArithmeticError => ExecErrorKind::ArithmeticError,
        _ => ExecErrorKind::ArgumentError,
    }
}

/// The openCypher error class of a storage error met by a statement: constraint violations and
/// missing entities are the statement's; anything else is the database's.
pub(crate) fn storage_error_kind(error: &StorageError) -> ExecErrorKind {
    match error {
        StorageError::NotNullViolation { .. }
        | StorageError::UniqueViolation { .. }
        | StorageError::NodeHasRelationships(_) => ExecErrorKind::ConstraintVerificationFailed,
        StorageError::NodeNotFound(_) | StorageError::RelationshipNotFound(_) => {
            ExecErrorKind::EntityNotFound
        }
        StorageError::UnsupportedValue { .. } => ExecErrorKind::TypeError,
        _ => ExecErrorKind::Storage,
    }
}

//! Why an import failed: one variant per kind of problem, each naming the file, the 1-based line
//! of the CSV record and the column where one applies. Tests match on the variants, never on the
//! message text.

use std::path::PathBuf;

use crate::storage::StorageError;

/// Why an import failed. Nothing was written to the database when this is returned.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ImportError {
    /// A file or directory the bundle must have is absent.
    #[error("missing {what} {}", path.display())]
    Missing { what: &'static str, path: PathBuf },
    /// A header column that cannot be understood.
    #[error("{}:{line}: bad header column `{column}`: {detail}", file.display())]
    BadHeader {
        file: PathBuf,
        line: u64,
        column: String,
        detail: String,
    },
    /// A record with more or fewer fields than the header.
    #[error("{}:{line}: expected {expected} fields as in the header, found {found}", file.display())]
    ColumnCount {
        file: PathBuf,
        line: u64,
        expected: usize,
        found: usize,
    },
    /// A field that does not parse as its column's type.
    #[error("{}:{line}: column `{column}`: `{value}` is not a valid {type_name}", file.display())]
    BadValue {
        file: PathBuf,
        line: u64,
        column: String,
        value: String,
        type_name: String,
    },
    /// A relationship end that names no node of its id space.
    #[error("{}:{line}: column `{column}`: no node with id `{id}` in id space `{space}`", file.display())]
    UnknownId {
        file: PathBuf,
        line: u64,
        column: String,
        id: String,
        space: String,
    },
    /// A node id that an earlier node of the same id space already has.
    #[error("{}:{line}: column `{column}`: duplicate id `{id}` in id space `{space}`", file.display())]
    DuplicateId {
        file: PathBuf,
        line: u64,
        column: String,
        id: String,
        space: String,
    },
    /// Bulk import builds a database from nothing; it never merges into existing data.
    #[error("the database is not empty: import needs an empty database")]
    NotEmpty,
    /// Reading a file failed.
    #[error("cannot read {}: {source}", file.display())]
    Io {
        file: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The CSV reader failed at a record.
    #[error("{}:{line}: {detail}", file.display())]
    Csv {
        file: PathBuf,
        line: u64,
        detail: String,
    },
    /// The bundle's `manifest.json` is not valid JSON.
    #[error("{}:{line}: the bundle manifest is not valid json: {detail}", file.display())]
    BadManifest {
        file: PathBuf,
        line: u64,
        detail: String,
    },
    /// The bundle is bigger than the store can address (ids, rows in one file).
    #[error("{}: too many {what}", file.display())]
    Capacity { file: PathBuf, what: &'static str },
    /// An import through a mapping file failed as a whole (see `MappingError`).
    #[error(transparent)]
    Mapping(#[from] super::mapping::MappingError),
    /// Writing the graph failed; the database is left empty.
    #[error(transparent)]
    Storage(#[from] StorageError),
}

impl ImportError {
    /// The file and 1-based line the error points at, when it points at one.
    #[must_use]
    pub fn location(&self) -> Option<(&std::path::Path, u64)> {
        match self {
            ImportError::BadHeader { file, line, .. }
            | ImportError::ColumnCount { file, line, .. }
            | ImportError::BadValue { file, line, .. }
            | ImportError::UnknownId { file, line, .. }
            | ImportError::DuplicateId { file, line, .. }
            | ImportError::Csv { file, line, .. }
            | ImportError::BadManifest { file, line, .. } => Some((file.as_path(), *line)),
            _ => None,
        }
    }
}

//! Import of arbitrary CRM exports through a mapping file (TOML): per CSV file, the target
//! label, the external-id column, columns to typed properties (parsed leniently by
//! `lenient.rs`), constants, references to other records (relationships, polymorphic by id
//! prefix or by lookup), and picklists mapped onto shared, normalised nodes; and join tables
//! (`[[link]]`) whose rows are relationships.
//!
//! Unlike the bundle import, this *upserts* into a new or existing database in one write
//! transaction: a record is found by its label and `id` (which the engine indexes for every
//! label), created when absent, and updated only where a property differs, so re-running an
//! import changes nothing. Files are read whole first (a file, header or mapping problem stops
//! everything before a write); then every record's node is upserted, then every reference and
//! picklist is linked, then every join-table row, so references need not follow the order of
//! the files. A bad field or an
//! unknown reference is a per-row error (file:line, column) that skips that row (or that link)
//! and lets the others go on, unless `strict`, where any error aborts with nothing written.
//!
//! It knows the graph only through `WriteTxn` and the storage traits; the format is documented
//! in README.md ("Import mappings") and shown by `examples/import/`.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::lenient::{self, DateOrder, Kind};
use super::{ImportPhase, ImportProgress};
use crate::db::Database;
use crate::storage::{Direction, GraphRead, GraphWrite, StorageError, WriteTxn};
use crate::value::{NodeId, Value};

mod upsert;

pub use upsert::import_mapped;

// ---- the mapping file --------------------------------------------------------------------------

/// A mapping file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mapping {
    /// Written to the `source` property of every record node (`salesforce`).
    #[serde(default)]
    pub source: Option<String>,
    /// Put before every external id (`sf:`), so ids of different systems never collide.
    #[serde(default)]
    pub id_prefix: String,
    /// `salesforce`: 15-character Salesforce ids are widened to their 18-character form, so
    /// references written either way meet.
    #[serde(default)]
    pub id_format: Option<IdFormat>,
    /// How `03/01/2024` is read: `mdy` (default) or `dmy`.
    #[serde(default)]
    pub date_order: DateOrder,
    /// The field delimiter of the CSV files (default `,`).
    #[serde(default)]
    pub delimiter: Option<char>,
    #[serde(rename = "file", default)]
    pub files: Vec<FileMapping>,
    #[serde(rename = "link", default)]
    pub links: Vec<LinkMapping>,
}

/// A file whose rows are relationships between records (a join table such as Salesforce's
/// OpportunityContactRole): each row links the record named in `from` to the one in `to`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LinkMapping {
    pub path: String,
    #[serde(rename = "type")]
    pub rel_type: String,
    pub from: LinkEnd,
    pub to: LinkEnd,
    /// Column → relationship property, as for `[[file]]`.
    #[serde(default)]
    pub columns: BTreeMap<String, ColumnSpec>,
}

/// One end of a link: the column holding the record's id and the record's label.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LinkEnd {
    pub column: String,
    pub label: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum IdFormat {
    Salesforce,
}

/// How one CSV file maps onto nodes of one label.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileMapping {
    /// The file, relative to the export directory.
    pub path: String,
    pub label: String,
    #[serde(default)]
    pub extra_labels: Vec<String>,
    /// The column holding the record's external id.
    pub id: String,
    /// Column → property (a name, or a table with `property`, `type`, `values`, `date_order`).
    #[serde(default)]
    pub columns: BTreeMap<String, ColumnSpec>,
    /// Property → columns joined with a space (`name = ["FirstName", "LastName"]`).
    #[serde(default)]
    pub join: BTreeMap<String, Vec<String>>,
    /// Property → value set on every node of the file.
    #[serde(default)]
    pub constants: BTreeMap<String, toml::Value>,
    #[serde(default, rename = "reference")]
    pub references: Vec<Reference>,
    #[serde(default, rename = "picklist")]
    pub picklists: Vec<Picklist>,
}

/// A column's property: a bare name (a string property), a table, or a list of tables (one
/// column feeding several properties).
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum ColumnSpec {
    Name(String),
    Full(ColumnTable),
    Many(Vec<ColumnTable>),
}

impl ColumnSpec {
    /// The column's properties as tables.
    fn tables(&self) -> Vec<ColumnTable> {
        match self {
            ColumnSpec::Name(p) => vec![ColumnTable {
                property: p.clone(),
                kind: Kind::String,
                values: BTreeMap::new(),
                otherwise: None,
                date_order: None,
            }],
            ColumnSpec::Full(t) => vec![t.clone()],
            ColumnSpec::Many(ts) => ts.clone(),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ColumnTable {
    pub property: String,
    #[serde(default, rename = "type")]
    pub kind: Kind,
    /// Raw value → value, applied before parsing (`"Closed Won" = "won"`); others pass through.
    #[serde(default)]
    pub values: BTreeMap<String, String>,
    /// With `values`: what a non-empty value missing from `values` becomes (by default it
    /// passes through as written).
    #[serde(default)]
    pub otherwise: Option<String>,
    #[serde(default)]
    pub date_order: Option<DateOrder>,
}

/// Which way a relationship points, seen from the row's node.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Way {
    /// `(row)-[:TYPE]->(other)`.
    #[default]
    Out,
    /// `(other)-[:TYPE]->(row)`.
    In,
}

/// A column holding ids of other records.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Reference {
    pub column: String,
    /// The relationship type (targets may override it).
    #[serde(default, rename = "type")]
    pub rel_type: Option<String>,
    /// The label of the referenced records (or give `targets`).
    #[serde(default)]
    pub target: Option<String>,
    #[serde(default)]
    pub direction: Way,
    /// Several ids in one field, separated by this (`;` in HubSpot association columns).
    #[serde(default)]
    pub split: Option<String>,
    /// Polymorphic references: tried by id prefix, then by lookup in order.
    #[serde(default)]
    pub targets: Vec<Target>,
    /// Properties of each relationship created.
    #[serde(default)]
    pub properties: BTreeMap<String, toml::Value>,
}

/// One possible kind of record a polymorphic reference points at.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Target {
    pub label: String,
    /// The raw id starts with this (Salesforce key prefixes: `001` Account, `003` Contact).
    #[serde(default)]
    pub prefix: Option<String>,
    #[serde(default, rename = "type")]
    pub rel_type: Option<String>,
    #[serde(default)]
    pub direction: Option<Way>,
}

/// A column of free-text or picklist values mapped onto shared nodes.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Picklist {
    pub column: String,
    pub label: String,
    #[serde(rename = "type")]
    pub rel_type: String,
    #[serde(default)]
    pub direction: Way,
    #[serde(default)]
    pub split: Option<String>,
    /// Normalised value → normalised id it stands for (`acme = "acme-corp"`).
    #[serde(default)]
    pub aliases: BTreeMap<String, String>,
}

// ---- errors and results ------------------------------------------------------------------------

/// A problem with one row; the row (or the one link) is skipped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    pub file: PathBuf,
    /// The record's first line in the file (1-based; the header is line 1).
    pub line: u64,
    pub column: String,
    pub message: String,
}

impl std::fmt::Display for RowError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}:{}: column `{}`: {}",
            self.file.display(),
            self.line,
            self.column,
            self.message
        )
    }
}

/// Why a mapping import failed as a whole. Nothing was written when this is returned.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MappingError {
    /// The mapping file is not valid TOML or does not have the mapping's shape.
    #[error("{}:{line}:{column}: {message}", file.display())]
    Parse {
        file: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },
    /// The mapping is well-formed but says something impossible.
    #[error("{}: [[file]] {index} ({path}): {message}", file.display())]
    Invalid {
        file: PathBuf,
        /// 1-based position of the `[[file]]` table.
        index: usize,
        path: String,
        message: String,
    },
    /// A file the mapping names cannot be read.
    #[error("cannot read {}: {source}", file.display())]
    Io {
        file: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A column the mapping names is not in the file's header.
    #[error("{}:1: the mapping names column `{column}`, which the header lacks", file.display())]
    MissingColumn { file: PathBuf, column: String },
    /// The CSV is malformed (unreadable record).
    #[error("{}:{line}: {detail}", file.display())]
    Csv {
        file: PathBuf,
        line: u64,
        detail: String,
    },
    /// `strict` and some rows had errors.
    #[error("{} row error(s), nothing written; first: {}", errors.len(), errors.first().map(ToString::to_string).unwrap_or_default())]
    Strict { errors: Vec<RowError> },
    #[error(transparent)]
    Storage(#[from] StorageError),
}

/// What happened to the nodes of one label or the relationships of one type.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub created: u64,
    pub updated: u64,
    pub unchanged: u64,
}

/// What a mapping import did.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MappingSummary {
    /// Records read (all files).
    pub rows: u64,
    /// Per label (record and picklist nodes).
    pub nodes: BTreeMap<String, Counts>,
    /// Per relationship type.
    pub relationships: BTreeMap<String, Counts>,
    /// Rows or links skipped, in file order.
    pub errors: Vec<RowError>,
    pub seconds: f64,
}

/// Options of a mapping import.
#[derive(Debug, Clone, Copy, Default)]
pub struct MappingOptions {
    /// Any row error aborts the import with nothing written.
    pub strict: bool,
}

// ---- reading -----------------------------------------------------------------------------------

/// 1-based line and column of a byte offset.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// Reads and checks a mapping file.
pub fn read_mapping(path: &Path) -> Result<Mapping, MappingError> {
    let text = std::fs::read_to_string(path).map_err(|source| MappingError::Io {
        file: path.to_path_buf(),
        source,
    })?;
    parse_mapping(&text, path)
}

/// Parses and checks mapping text; `path` is for messages.
pub fn parse_mapping(text: &str, path: &Path) -> Result<Mapping, MappingError> {
    let mapping: Mapping = toml::from_str(text).map_err(|e| {
        let (line, column) = e.span().map_or((1, 1), |s| line_col(text, s.start));
        MappingError::Parse {
            file: path.to_path_buf(),
            line,
            column,
            message: e.message().trim().to_owned(),
        }
    })?;
    validate(&mapping, path)?;
    Ok(mapping)
}

fn validate(mapping: &Mapping, path: &Path) -> Result<(), MappingError> {
    let invalid = |i: usize, f: &FileMapping, message: String| MappingError::Invalid {
        file: path.to_path_buf(),
        index: i + 1,
        path: f.path.clone(),
        message,
    };
    if mapping.files.is_empty() && mapping.links.is_empty() {
        return Err(MappingError::Parse {
            file: path.to_path_buf(),
            line: 1,
            column: 1,
            message: "the mapping has no [[file]] or [[link]] tables".into(),
        });
    }
    if mapping.delimiter.is_some_and(|c| !c.is_ascii()) {
        return Err(MappingError::Parse {
            file: path.to_path_buf(),
            line: 1,
            column: 1,
            message: "the delimiter must be one ASCII character".into(),
        });
    }
    for (i, f) in mapping.files.iter().enumerate() {
        if f.label.trim().is_empty() {
            return Err(invalid(i, f, "`label` is empty".into()));
        }
        for r in &f.references {
            if r.target.is_some() != r.targets.is_empty() {
                return Err(invalid(
                    i,
                    f,
                    format!(
                        "reference `{}` needs exactly one of `target` or `targets`",
                        r.column
                    ),
                ));
            }
            let typed = r.rel_type.is_some()
                || (!r.targets.is_empty() && r.targets.iter().all(|t| t.rel_type.is_some()));
            if !typed {
                return Err(invalid(
                    i,
                    f,
                    format!(
                        "reference `{}` needs a relationship `type` (on it or on every target)",
                        r.column
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// One record of a file: its first line and its fields.
struct Record {
    line: u64,
    fields: Vec<String>,
}

/// A file read whole, with the positions of the columns the mapping names.
struct Table {
    path: PathBuf,
    header: HashMap<String, usize>,
    records: Vec<Record>,
}

impl Table {
    fn column(&self, name: &str) -> Result<usize, MappingError> {
        self.header
            .get(name)
            .copied()
            .ok_or_else(|| MappingError::MissingColumn {
                file: self.path.clone(),
                column: name.to_owned(),
            })
    }
}

fn read_table(path: &Path, delimiter: u8) -> Result<Table, MappingError> {
    let file = std::fs::File::open(path).map_err(|source| MappingError::Io {
        file: path.to_path_buf(),
        source,
    })?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(std::io::BufReader::new(file));
    let mut header = HashMap::new();
    let mut records = Vec::new();
    let mut record = csv::ByteRecord::new();
    let mut first = true;
    loop {
        let more = reader
            .read_byte_record(&mut record)
            .map_err(|e| MappingError::Csv {
                file: path.to_path_buf(),
                line: e.position().map_or(0, csv::Position::line),
                detail: e.to_string(),
            })?;
        if !more {
            break;
        }
        let line = record.position().map_or(0, csv::Position::line);
        // Exports from Windows tools carry other encodings now and then: read lossily rather
        // than refuse the file, and keep a byte order mark out of the first header name.
        let fields: Vec<String> = record
            .iter()
            .map(|f| String::from_utf8_lossy(f).into_owned())
            .collect();
        if first {
            for (i, name) in fields.iter().enumerate() {
                let name = name.trim_start_matches('\u{feff}').trim();
                header.entry(name.to_owned()).or_insert(i);
            }
            first = false;
            continue;
        }
        if fields.iter().all(String::is_empty) {
            continue;
        }
        records.push(Record { line, fields });
    }
    Ok(Table {
        path: path.to_path_buf(),
        header,
        records,
    })
}

// ---- ids and normalisation ---------------------------------------------------------------------

/// The 18-character form of a 15-character Salesforce id: three check characters, one per
/// five characters, each encoding which of them are upper case.
#[must_use]
pub fn salesforce_18(id: &str) -> String {
    if id.len() != 15 || !id.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return id.to_owned();
    }
    const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ012345";
    let mut out = id.to_owned();
    for chunk in id.as_bytes().chunks(5) {
        let mut bits = 0usize;
        for (i, b) in chunk.iter().enumerate() {
            if b.is_ascii_uppercase() {
                bits |= 1 << i;
            }
        }
        out.push(char::from(ALPHABET[bits]));
    }
    out
}

/// A picklist value's normalised id: lower case, runs of anything but letters and digits as
/// one `-`, trimmed (`"Acme Corp."` and `"ACME corp"` are both `acme-corp`).
#[must_use]
pub fn normalise(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    out
}

fn toml_to_value(value: &toml::Value) -> Value {
    match value {
        toml::Value::String(s) => Value::String(s.clone().into()),
        toml::Value::Integer(i) => Value::Int(*i),
        toml::Value::Float(f) => Value::Float(*f),
        toml::Value::Boolean(b) => Value::Bool(*b),
        toml::Value::Datetime(d) => {
            let text = d.to_string();
            lenient::parse(&text, Kind::Datetime, DateOrder::Mdy)
                .or_else(|_| lenient::parse(&text, Kind::Date, DateOrder::Mdy))
                .unwrap_or(Value::String(text.into()))
        }
        toml::Value::Array(items) => Value::List(items.iter().map(toml_to_value).collect()),
        toml::Value::Table(t) => Value::Map(
            t.iter()
                .map(|(k, v)| (k.clone(), toml_to_value(v)))
                .collect(),
        ),
    }
}

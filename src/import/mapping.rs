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

// ---- the import --------------------------------------------------------------------------------

/// The upserting writer: the transaction, a cache of (label, id) → node, and the counts.
struct Writer<'t> {
    txn: &'t mut WriteTxn,
    ids: HashMap<(String, String), NodeId>,
    summary: MappingSummary,
}

impl Writer<'_> {
    fn find(&mut self, label: &str, id: &str) -> Result<Option<NodeId>, StorageError> {
        if let Some(node) = self.ids.get(&(label.to_owned(), id.to_owned())) {
            return Ok(Some(*node));
        }
        let (Some(l), Some(k)) = (self.txn.label_id(label), self.txn.key_id("id")) else {
            return Ok(None);
        };
        let found = self
            .txn
            .nodes_by_property(l, k, &Value::String(id.into()))?
            .into_iter()
            .next();
        if let Some(node) = found {
            self.ids.insert((label.to_owned(), id.to_owned()), node);
        }
        Ok(found)
    }

    /// Creates or updates the node `label`/`id` with `props` (a null removes the property);
    /// `keep` properties are set only when the node is created.
    fn upsert(
        &mut self,
        labels: &[String],
        id: &str,
        props: &[(String, Value)],
        keep: &[(String, Value)],
    ) -> Result<NodeId, StorageError> {
        let label = &labels[0];
        if let Some(node) = self.find(label, id)? {
            let mut changed = false;
            for extra in &labels[1..] {
                let l = self.txn.intern_label(extra)?;
                changed |= self.txn.add_label(node, l)?;
            }
            for (key, value) in props {
                let k = self.txn.intern_key(key)?;
                let current = self.txn.node_property(node, k)?;
                if current != *value {
                    self.txn.set_node_property(node, k, value.clone())?;
                    changed = true;
                }
            }
            let counts = self.summary.nodes.entry(label.clone()).or_default();
            if changed {
                counts.updated += 1;
            } else {
                counts.unchanged += 1;
            }
            return Ok(node);
        }
        let label_ids = labels
            .iter()
            .map(|l| self.txn.intern_label(l))
            .collect::<Result<Vec<_>, _>>()?;
        let mut all = vec![(self.txn.intern_key("id")?, Value::String(id.into()))];
        for (key, value) in props.iter().chain(keep) {
            if !value.is_null() {
                all.push((self.txn.intern_key(key)?, value.clone()));
            }
        }
        let node = self.txn.create_node(&label_ids, all)?;
        self.ids.insert((label.clone(), id.to_owned()), node);
        self.summary.nodes.entry(label.clone()).or_default().created += 1;
        Ok(node)
    }

    /// Makes sure `(from)-[:rel_type]->(to)` exists with `props` (a null removes one).
    fn link(
        &mut self,
        from: NodeId,
        rel_type: &str,
        to: NodeId,
        props: &[(String, Value)],
    ) -> Result<(), StorageError> {
        let t = self.txn.intern_type(rel_type)?;
        let mut edges = Vec::new();
        self.txn
            .expand(from, Direction::Outgoing, &[t], &mut edges)?;
        if let Some(edge) = edges.iter().find(|e| e.other == to) {
            let mut changed = false;
            for (key, value) in props {
                let k = self.txn.intern_key(key)?;
                if self.txn.rel_property(edge.rel, k)? != *value {
                    self.txn.set_rel_property(edge.rel, k, value.clone())?;
                    changed = true;
                }
            }
            let counts = self
                .summary
                .relationships
                .entry(rel_type.to_owned())
                .or_default();
            if changed {
                counts.updated += 1;
            } else {
                counts.unchanged += 1;
            }
            return Ok(());
        }
        let mut stored = Vec::with_capacity(props.len());
        for (key, value) in props {
            if !value.is_null() {
                stored.push((self.txn.intern_key(key)?, value.clone()));
            }
        }
        self.txn.create_relationship(t, from, to, stored)?;
        self.summary
            .relationships
            .entry(rel_type.to_owned())
            .or_default()
            .created += 1;
        Ok(())
    }
}

/// Ids as the mapping writes them: prefixed, Salesforce ids widened.
fn external_id(mapping: &Mapping, raw: &str) -> String {
    let raw = raw.trim();
    let id = match mapping.id_format {
        Some(IdFormat::Salesforce) => salesforce_18(raw),
        None => raw.to_owned(),
    };
    format!("{}{id}", mapping.id_prefix)
}

/// The mapped properties of one record, or the row's errors.
fn record_properties(
    mapping: &Mapping,
    file: &FileMapping,
    table: &Table,
    record: &Record,
) -> Result<Vec<(String, Value)>, Vec<RowError>> {
    let mut props = Vec::new();
    let mut errors = Vec::new();
    let field = |i: usize| record.fields.get(i).map_or("", |f| f.trim());
    parse_columns(
        mapping,
        &file.columns,
        table,
        record,
        &mut props,
        &mut errors,
    );
    for (property, columns) in &file.join {
        let parts: Vec<&str> = columns
            .iter()
            .filter_map(|c| table.header.get(c.as_str()))
            .map(|&i| field(i))
            .filter(|s| !s.is_empty())
            .collect();
        let value = if parts.is_empty() {
            Value::Null
        } else {
            Value::String(parts.join(" ").into())
        };
        props.push((property.clone(), value));
    }
    for (property, value) in &file.constants {
        props.push((property.clone(), toml_to_value(value)));
    }
    if let Some(source) = &mapping.source {
        props.push(("source".to_owned(), Value::String(source.clone().into())));
    }
    if errors.is_empty() {
        Ok(props)
    } else {
        Err(errors)
    }
}

/// Parses the mapped columns of a record into `props`, or their errors into `errors`.
fn parse_columns(
    mapping: &Mapping,
    columns: &BTreeMap<String, ColumnSpec>,
    table: &Table,
    record: &Record,
    props: &mut Vec<(String, Value)>,
    errors: &mut Vec<RowError>,
) {
    for (column, spec) in columns {
        // Checked before any row is read.
        let Some(&i) = table.header.get(column.as_str()) else {
            continue;
        };
        let raw = record.fields.get(i).map_or("", |f| f.trim());
        for table_spec in spec.tables() {
            let text = match table_spec.values.get(raw) {
                Some(mapped) => mapped.as_str(),
                None if raw.is_empty() => raw,
                None => table_spec.otherwise.as_deref().unwrap_or(raw),
            };
            if text.is_empty() {
                props.push((table_spec.property.clone(), Value::Null));
                continue;
            }
            let order = table_spec.date_order.unwrap_or(mapping.date_order);
            match lenient::parse(text, table_spec.kind, order) {
                Ok(v) => props.push((table_spec.property.clone(), v)),
                Err(message) => errors.push(RowError {
                    file: table.path.clone(),
                    line: record.line,
                    column: column.clone(),
                    message,
                }),
            }
        }
    }
}

/// Imports the CSV files of `dir` as `mapping` says, upserting into `db`. Progress is reported
/// as `Reading` (files read, of all) and then `Writing` (records handled, of twice the total:
/// nodes, then links).
pub fn import_mapped(
    db: &Database,
    mapping: &Mapping,
    dir: &Path,
    options: MappingOptions,
    progress: &mut dyn FnMut(ImportProgress),
) -> Result<MappingSummary, MappingError> {
    let started = std::time::Instant::now();
    let delimiter = mapping
        .delimiter
        .map_or(b',', |c| u8::try_from(c).unwrap_or(b','));
    let mut tables = Vec::with_capacity(mapping.files.len());
    let files = mapping.files.len() as u64;
    for (i, file) in mapping.files.iter().enumerate() {
        progress(ImportProgress {
            phase: ImportPhase::Reading,
            done: i as u64,
            total: files,
        });
        let table = read_table(&dir.join(&file.path), delimiter)?;
        table.column(&file.id)?;
        for column in file.columns.keys() {
            table.column(column)?;
        }
        for column in file.join.values().flatten() {
            table.column(column)?;
        }
        for r in &file.references {
            table.column(&r.column)?;
        }
        for p in &file.picklists {
            table.column(&p.column)?;
        }
        tables.push(table);
    }
    let mut link_tables = Vec::with_capacity(mapping.links.len());
    for (i, link) in mapping.links.iter().enumerate() {
        progress(ImportProgress {
            phase: ImportPhase::Reading,
            done: files + i as u64,
            total: files + mapping.links.len() as u64,
        });
        let table = read_table(&dir.join(&link.path), delimiter)?;
        table.column(&link.from.column)?;
        table.column(&link.to.column)?;
        for column in link.columns.keys() {
            table.column(column)?;
        }
        link_tables.push(table);
    }
    let total: u64 = tables.iter().map(|t| t.records.len() as u64).sum::<u64>() * 2
        + link_tables
            .iter()
            .map(|t| t.records.len() as u64)
            .sum::<u64>();
    let mut txn = db.store().begin_write()?;
    let mut writer = Writer {
        txn: &mut txn,
        ids: HashMap::new(),
        summary: MappingSummary::default(),
    };
    let mut done = 0u64;
    let mut tick = |done: u64| {
        if done.is_multiple_of(1024) || done == total {
            progress(ImportProgress {
                phase: ImportPhase::Writing,
                done,
                total,
            });
        }
    };
    // Pass 1: the record nodes. `skipped[f][r]` marks rows not written.
    let mut skipped: Vec<Vec<bool>> = Vec::with_capacity(tables.len());
    let mut row_nodes: Vec<Vec<Option<NodeId>>> = Vec::with_capacity(tables.len());
    for (file, table) in mapping.files.iter().zip(&tables) {
        let id_col = table.column(&file.id)?;
        let labels: Vec<String> = std::iter::once(file.label.clone())
            .chain(file.extra_labels.iter().cloned())
            .collect();
        let mut skips = vec![false; table.records.len()];
        let mut nodes = vec![None; table.records.len()];
        for (r, record) in table.records.iter().enumerate() {
            done += 1;
            tick(done);
            writer.summary.rows += 1;
            let raw = record.fields.get(id_col).map_or("", |f| f.trim());
            if raw.is_empty() {
                writer.summary.errors.push(RowError {
                    file: table.path.clone(),
                    line: record.line,
                    column: file.id.clone(),
                    message: "the external id is empty".into(),
                });
                skips[r] = true;
                continue;
            }
            match record_properties(mapping, file, table, record) {
                Ok(props) => {
                    let id = external_id(mapping, raw);
                    nodes[r] = Some(writer.upsert(&labels, &id, &props, &[])?);
                }
                Err(errors) => {
                    writer.summary.errors.extend(errors);
                    skips[r] = true;
                }
            }
        }
        skipped.push(skips);
        row_nodes.push(nodes);
    }
    // Pass 2: references and picklists.
    for (f, (file, table)) in mapping.files.iter().zip(&tables).enumerate() {
        let reference_columns: Vec<usize> = file
            .references
            .iter()
            .map(|r| table.column(&r.column))
            .collect::<Result<_, _>>()?;
        let picklist_columns: Vec<usize> = file
            .picklists
            .iter()
            .map(|p| table.column(&p.column))
            .collect::<Result<_, _>>()?;
        for (r, record) in table.records.iter().enumerate() {
            done += 1;
            tick(done);
            let (false, Some(node)) = (skipped[f][r], row_nodes[f][r]) else {
                continue;
            };
            for (reference, &col) in file.references.iter().zip(&reference_columns) {
                let field = record.fields.get(col).map_or("", |s| s.trim());
                for raw in split(field, reference.split.as_deref()) {
                    link_reference(mapping, &mut writer, reference, table, record, node, raw)?;
                }
            }
            for (picklist, &col) in file.picklists.iter().zip(&picklist_columns) {
                let field = record.fields.get(col).map_or("", |s| s.trim());
                for raw in split(field, picklist.split.as_deref()) {
                    let mut id = normalise(raw);
                    if let Some(alias) = picklist.aliases.get(&id) {
                        id = normalise(alias);
                    }
                    if id.is_empty() {
                        continue;
                    }
                    let target = writer.upsert(
                        std::slice::from_ref(&picklist.label),
                        &id,
                        &[],
                        &[("name".to_owned(), Value::String(raw.into()))],
                    )?;
                    let (from, to) = match picklist.direction {
                        Way::Out => (node, target),
                        Way::In => (target, node),
                    };
                    writer.link(from, &picklist.rel_type, to, &[])?;
                }
            }
        }
    }
    // Pass 3: join tables.
    for (link, table) in mapping.links.iter().zip(&link_tables) {
        let ends = [
            (&link.from, table.column(&link.from.column)?),
            (&link.to, table.column(&link.to.column)?),
        ];
        for record in &table.records {
            done += 1;
            tick(done);
            writer.summary.rows += 1;
            let mut nodes = [None, None];
            let mut errors = Vec::new();
            for (slot, (end, col)) in nodes.iter_mut().zip(&ends) {
                let raw = record.fields.get(*col).map_or("", |f| f.trim());
                let id = external_id(mapping, raw);
                *slot = if raw.is_empty() {
                    None
                } else {
                    writer.find(&end.label, &id)?
                };
                if slot.is_none() {
                    errors.push(RowError {
                        file: table.path.clone(),
                        line: record.line,
                        column: end.column.clone(),
                        message: if raw.is_empty() {
                            "the id is empty".into()
                        } else {
                            format!("no {} with id `{id}`", end.label)
                        },
                    });
                }
            }
            let mut props = Vec::new();
            parse_columns(
                mapping,
                &link.columns,
                table,
                record,
                &mut props,
                &mut errors,
            );
            match nodes {
                [Some(from), Some(to)] if errors.is_empty() => {
                    writer.link(from, &link.rel_type, to, &props)?;
                }
                _ => writer.summary.errors.extend(errors),
            }
        }
    }
    let mut summary = std::mem::take(&mut writer.summary);
    drop(writer);
    if options.strict && !summary.errors.is_empty() {
        // Dropping the transaction unapplied writes nothing.
        return Err(MappingError::Strict {
            errors: summary.errors,
        });
    }
    txn.commit()?;
    summary.seconds = started.elapsed().as_secs_f64();
    Ok(summary)
}

/// The non-empty, trimmed parts of a field.
fn split<'a>(field: &'a str, by: Option<&str>) -> Vec<&'a str> {
    match by {
        Some(sep) if !sep.is_empty() => field
            .split(sep)
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .collect(),
        _ if field.is_empty() => Vec::new(),
        _ => vec![field],
    }
}

/// Resolves one referenced id and links it, or records why not.
fn link_reference(
    mapping: &Mapping,
    writer: &mut Writer<'_>,
    reference: &Reference,
    table: &Table,
    record: &Record,
    node: NodeId,
    raw: &str,
) -> Result<(), MappingError> {
    let id = external_id(mapping, raw);
    let single;
    let targets: &[Target] = if let Some(label) = &reference.target {
        single = [Target {
            label: label.clone(),
            prefix: None,
            rel_type: None,
            direction: None,
        }];
        &single
    } else {
        &reference.targets
    };
    // By prefix first; when no prefix matches, every target without one is looked up in order.
    let by_prefix: Vec<&Target> = targets
        .iter()
        .filter(|t| t.prefix.as_deref().is_some_and(|p| raw.starts_with(p)))
        .collect();
    let candidates: Vec<&Target> = if by_prefix.is_empty() {
        targets.iter().filter(|t| t.prefix.is_none()).collect()
    } else {
        by_prefix
    };
    let mut found = None;
    for t in &candidates {
        if let Some(other) = writer.find(&t.label, &id)? {
            found = Some((*t, other));
            break;
        }
    }
    let Some((target, other)) = found else {
        let labels: Vec<&str> = candidates.iter().map(|t| t.label.as_str()).collect();
        writer.summary.errors.push(RowError {
            file: table.path.clone(),
            line: record.line,
            column: reference.column.clone(),
            message: if labels.is_empty() {
                format!("`{raw}` matches no target's id prefix")
            } else {
                format!("no {} with id `{id}`", labels.join(" or "))
            },
        });
        return Ok(());
    };
    let rel_type = target
        .rel_type
        .as_deref()
        .or(reference.rel_type.as_deref())
        .unwrap_or_default();
    let way = target.direction.unwrap_or(reference.direction);
    let props: Vec<(String, Value)> = reference
        .properties
        .iter()
        .map(|(k, v)| (k.clone(), toml_to_value(v)))
        .collect();
    let (from, to) = match way {
        Way::Out => (node, other),
        Way::In => (other, node),
    };
    writer.link(from, rel_type, to, &props)?;
    Ok(())
}

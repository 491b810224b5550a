//! The neo4j-admin CSV bundle that `cordial import` reads back to the same graph: one file per
//! label and property signature (`nodes/Customer.csv`, `nodes/Customer.2.csv` when some
//! customers have properties of other types), with the node's internal id in an `:ID(node)`
//! column, extra labels in `:LABEL`, typed columns (`since:date`, `tags:string[]`), and one
//! file per relationship type and signature with `:START_ID(node)` / `:END_ID(node)`.
//!
//! CSV cannot tell an empty string from an absent property, nor hold an empty list, a list of
//! mixed types, a map, or an array item holding the `;` delimiter: such values are refused
//! with `Unrepresentable`, never written lossily.

use std::collections::HashMap;
use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};

use super::{ExportError, NodeData, RelData, Selection, Ticker, io_error, read_node, read_rel};
use crate::db::ReadTxn;
use crate::value::{ScalarType as Scalar, Value};

const FORMAT: &str = "neo4j-csv";
const ID_SPACE: &str = "node";
const ARRAY_DELIMITER: char = ';';

/// The column type of a property value: a scalar, or an array of one scalar type.
type ColumnType = (Scalar, bool);

fn unrepresentable(element: &str, detail: impl Into<String>) -> ExportError {
    ExportError::Unrepresentable {
        format: FORMAT,
        element: element.to_owned(),
        detail: detail.into(),
    }
}

fn scalar_text(value: &Value) -> String {
    match value {
        Value::Int(i) => i.to_string(),
        // Debug prints the shortest text that parses back to the same float (`1e300`,
        // `-0.0`, `NaN`, `inf`), and the importer parses floats with Rust's parser.
        Value::Float(f) => format!("{f:?}"),
        Value::Bool(b) => b.to_string(),
        other => super::plain_text(other),
    }
}

/// The column type and field text of a property value.
fn field(element: &str, key: &str, value: &Value) -> Result<(ColumnType, String), ExportError> {
    if let Some(scalar) = Scalar::of(value) {
        let text = scalar_text(value);
        if text.is_empty() {
            return Err(unrepresentable(
                element,
                format!("property `{key}` is an empty string, which CSV reads as absent"),
            ));
        }
        return Ok(((scalar, false), text));
    }
    let Value::List(items) = value else {
        return Err(unrepresentable(
            element,
            format!("property `{key}` is not a scalar or a list"),
        ));
    };
    let Some(scalar) = items.first().and_then(Scalar::of) else {
        return Err(unrepresentable(
            element,
            format!("property `{key}` is an empty list or a list of lists"),
        ));
    };
    let mut texts = Vec::with_capacity(items.len());
    for item in items {
        if Scalar::of(item) != Some(scalar) {
            return Err(unrepresentable(
                element,
                format!("property `{key}` is a list of mixed types"),
            ));
        }
        let text = scalar_text(item);
        if text.contains(ARRAY_DELIMITER) || (scalar == Scalar::String && text.is_empty()) {
            return Err(unrepresentable(
                element,
                format!("an item of list property `{key}` is empty or holds `{ARRAY_DELIMITER}`"),
            ));
        }
        texts.push(text);
    }
    Ok(((scalar, true), texts.join(&ARRAY_DELIMITER.to_string())))
}

/// The column type of a property value, with the checks `field` makes, without the text: only
/// strings can be empty or hold the delimiter (numbers and temporals print neither).
fn column_type(element: &str, key: &str, value: &Value) -> Result<ColumnType, ExportError> {
    let bad_string =
        |s: &str, in_list: bool| s.is_empty() || (in_list && s.contains(ARRAY_DELIMITER));
    match value {
        Value::String(s) if bad_string(s, false) => field(element, key, value).map(|(c, _)| c),
        Value::List(items)
            if items
                .first()
                .is_none_or(|first| Scalar::of(first).is_none())
                || items.iter().any(|item| {
                    Scalar::of(item) != Scalar::of(&items[0])
                        || matches!(item, Value::String(s) if bad_string(s, true))
                }) =>
        {
            field(element, key, value).map(|(c, _)| c)
        }
        Value::List(items) => Ok((Scalar::of(&items[0]).unwrap_or(Scalar::String), true)),
        other => match Scalar::of(other) {
            Some(scalar) => Ok((scalar, false)),
            None => field(element, key, value).map(|(c, _)| c),
        },
    }
}

/// A name can be a file name, and so the label or type a file gives.
fn file_safe(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 200
        && !name.starts_with('-')
        && name
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '-')
}

fn header_key(element: &str, key: &str) -> Result<(), ExportError> {
    if key.is_empty() || key.trim() != key {
        return Err(unrepresentable(
            element,
            format!("property key `{key}` is empty or has surrounding spaces"),
        ));
    }
    Ok(())
}

/// One open output file and the header it was created with.
struct Out {
    writer: csv::Writer<BufWriter<File>>,
    path: PathBuf,
}

impl Out {
    fn create(dir: &Path, relative: &Path, header: &[String]) -> Result<Out, ExportError> {
        let path = dir.join(relative);
        let file = File::create(&path).map_err(io_error(&path))?;
        let mut writer =
            csv::WriterBuilder::new().from_writer(BufWriter::with_capacity(1 << 20, file));
        writer
            .write_record(header)
            .map_err(|e| csv_error(&path, e))?;
        Ok(Out { writer, path })
    }

    fn row(&mut self, fields: &[String]) -> Result<(), ExportError> {
        let path = &self.path;
        self.writer
            .write_record(fields)
            .map_err(|e| csv_error(path, e))
    }

    fn finish(self) -> Result<(), ExportError> {
        let path = self.path;
        let inner = self
            .writer
            .into_inner()
            .map_err(|e| io_error(&path)(std::io::Error::other(e.to_string())))?;
        inner
            .into_inner()
            .map_err(|e| io_error(&path)(std::io::Error::other(e.to_string())))?
            .sync_all()
            .map_err(io_error(&path))
    }
}

fn csv_error(path: &Path, error: csv::Error) -> ExportError {
    io_error(path)(std::io::Error::other(error.to_string()))
}

/// The file a row goes to: the label or type the file name gives, whether rows carry more
/// labels (`:LABEL`) or their own type (`:TYPE`), and the variant of the property columns.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct Group {
    name: String,
    extra: bool,
}

/// The typed columns of one file. A property key has one type per file; an element whose
/// value for a key has another type goes to another variant (another file) of its group.
#[derive(Debug, Default)]
struct Variant {
    columns: Vec<(String, ColumnType)>,
    position: HashMap<String, usize>,
}

impl Variant {
    fn fits(&self, columns: &[(String, ColumnType)]) -> bool {
        columns.iter().all(|(key, column)| {
            self.position
                .get(key)
                .is_none_or(|&i| self.columns[i].1 == *column)
        })
    }

    fn add(&mut self, columns: Vec<(String, ColumnType)>) {
        for (key, column) in columns {
            if !self.position.contains_key(&key) {
                self.position.insert(key.clone(), self.columns.len());
                self.columns.push((key, column));
            }
        }
    }
}

/// The groups and variants of one kind of element, and each element's place among them.
#[derive(Default)]
struct Layout {
    groups: Vec<(Group, Vec<Variant>)>,
    index: HashMap<Group, usize>,
    /// Per element, in selection order: (group, variant).
    placed: Vec<(u32, u32)>,
}

impl Layout {
    fn place(&mut self, group: Group, columns: Vec<(String, ColumnType)>) {
        let g = *self.index.entry(group.clone()).or_insert_with(|| {
            self.groups.push((group, Vec::new()));
            self.groups.len() - 1
        });
        let variants = &mut self.groups[g].1;
        let v = match variants.iter().position(|v| v.fits(&columns)) {
            Some(v) => v,
            None => {
                variants.push(Variant::default());
                variants.len() - 1
            }
        };
        variants[v].add(columns);
        self.placed.push((g as u32, v as u32));
    }

    /// Opens one file per variant; `head` gives the leading header columns of a group.
    fn open(
        &self,
        dir: &Path,
        sub: &str,
        head: impl Fn(&Group) -> Vec<String>,
    ) -> Result<(Vec<Vec<Out>>, Vec<PathBuf>), ExportError> {
        let mut outs = Vec::new();
        let mut files = Vec::new();
        let mut per_name: HashMap<&str, usize> = HashMap::new();
        for (group, variants) in &self.groups {
            let mut group_outs = Vec::new();
            for variant in variants {
                let n = per_name.entry(&group.name).or_insert(0);
                *n += 1;
                // The label or type is the file name up to its first dot.
                let file = if *n == 1 {
                    format!("{}.csv", group.name)
                } else {
                    format!("{}.{n}.csv", group.name)
                };
                let relative = Path::new(sub).join(file);
                let mut header = head(group);
                header.extend(column_headers(&variant.columns));
                group_outs.push(Out::create(dir, &relative, &header)?);
                files.push(relative);
            }
            outs.push(group_outs);
        }
        Ok((outs, files))
    }

    /// The row's property fields in the variant's column order (empty when absent).
    fn fields(&self, element: usize, texts: Vec<(String, String)>) -> Vec<String> {
        let (g, v) = self.placed[element];
        let variant = &self.groups[g as usize].1[v as usize];
        let mut fields = vec![String::new(); variant.columns.len()];
        for (key, text) in texts {
            if let Some(&i) = variant.position.get(&key) {
                fields[i] = text;
            }
        }
        fields
    }
}

/// The typed columns of the properties and, when `with_text`, their field texts.
fn typed_columns(
    element: &str,
    props: &[(&str, Value)],
    with_text: bool,
) -> Result<(Vec<(String, ColumnType)>, Vec<(String, String)>), ExportError> {
    let mut columns = Vec::with_capacity(props.len());
    let mut texts = Vec::with_capacity(props.len());
    for (key, value) in props {
        header_key(element, key)?;
        if with_text {
            let (column, text) = field(element, key, value)?;
            columns.push(((*key).to_owned(), column));
            texts.push(((*key).to_owned(), text));
        } else {
            columns.push(((*key).to_owned(), column_type(element, key, value)?));
        }
    }
    Ok((columns, texts))
}

fn column_headers(columns: &[(String, ColumnType)]) -> impl Iterator<Item = String> + '_ {
    columns.iter().map(|(key, (scalar, array))| {
        format!("{key}:{}{}", scalar.name(), if *array { "[]" } else { "" })
    })
}

/// The node's file label, its other labels, and its typed property columns and texts.
fn node_parts(
    node: &NodeData<'_>,
    with_text: bool,
) -> Result<
    (
        Group,
        Vec<String>,
        Vec<(String, ColumnType)>,
        Vec<(String, String)>,
    ),
    ExportError,
> {
    let element = format!("node {}", node.id);
    let Some(primary) = node.labels.iter().position(|l| file_safe(l)) else {
        return Err(unrepresentable(
            &element,
            "the node has no label made only of letters, digits, `_` and `-`, so no file can name it",
        ));
    };
    let mut extra = Vec::new();
    for (i, label) in node.labels.iter().enumerate() {
        if i == primary {
            continue;
        }
        if label.is_empty() || label.trim() != *label || label.contains(ARRAY_DELIMITER) {
            return Err(unrepresentable(
                &element,
                format!("label `{label}` is empty, has surrounding spaces or holds `;`"),
            ));
        }
        extra.push((*label).to_owned());
    }
    let (columns, texts) = typed_columns(&element, &node.props, with_text)?;
    let group = Group {
        name: node.labels[primary].to_owned(),
        extra: !extra.is_empty(),
    };
    Ok((group, extra, columns, texts))
}

/// The relationship's file group, and its typed property columns and texts. A type that
/// cannot be a file name goes in a `:TYPE` column of a file of its own.
fn rel_parts(
    rel: &RelData<'_>,
    with_text: bool,
) -> Result<(Group, Vec<(String, ColumnType)>, Vec<(String, String)>), ExportError> {
    let element = format!("relationship {}", rel.id);
    let own_file = file_safe(rel.rel_type);
    if !own_file && (rel.rel_type.is_empty() || rel.rel_type.trim() != rel.rel_type) {
        return Err(unrepresentable(
            &element,
            format!("type `{}` is empty or has surrounding spaces", rel.rel_type),
        ));
    }
    let (columns, texts) = typed_columns(&element, &rel.props, with_text)?;
    let group = Group {
        name: if own_file {
            rel.rel_type.to_owned()
        } else {
            "RELATIONSHIP".to_owned()
        },
        extra: !own_file,
    };
    Ok((group, columns, texts))
}

fn finish(outs: Vec<Vec<Out>>) -> Result<(), ExportError> {
    for out in outs.into_iter().flatten() {
        out.finish()?;
    }
    Ok(())
}

/// Two passes: the first checks every value and settles the files and their columns (so a
/// value CSV cannot hold fails before anything is written), the second writes the rows.
pub(super) fn write(
    snapshot: &ReadTxn,
    selection: &Selection,
    dir: &Path,
    ticker: &mut Ticker<'_>,
) -> Result<Vec<PathBuf>, ExportError> {
    if selection.nodes.is_empty() {
        return Err(unrepresentable(
            "the selection",
            "it holds no nodes, and a bundle needs at least one node file",
        ));
    }
    let mut node_layout = Layout::default();
    for &id in &selection.nodes {
        let (group, _, columns, _) = node_parts(&read_node(snapshot, id)?, false)?;
        node_layout.place(group, columns);
    }
    let mut rel_layout = Layout::default();
    for &id in &selection.rels {
        let (group, columns, _) = rel_parts(&read_rel(snapshot, id)?, false)?;
        rel_layout.place(group, columns);
    }

    for sub in ["nodes", "relationships"] {
        let path = dir.join(sub);
        std::fs::create_dir_all(&path).map_err(io_error(&path))?;
    }
    // Ids of one width (`0042`) let the importer keep them in a plain vector, not a hash map.
    let width = selection
        .nodes
        .last()
        .map_or(1, |last| last.0.to_string().len());
    let (mut outs, mut files) = node_layout.open(dir, "nodes", |group| {
        let mut head = vec![format!(":ID({ID_SPACE})")];
        if group.extra {
            head.push(":LABEL".to_owned());
        }
        head
    })?;
    for (i, &id) in selection.nodes.iter().enumerate() {
        let (_, extra, _, texts) = node_parts(&read_node(snapshot, id)?, true)?;
        let (g, v) = node_layout.placed[i];
        let mut row = vec![format!("{:0width$}", id.0)];
        if !extra.is_empty() {
            row.push(extra.join(&ARRAY_DELIMITER.to_string()));
        }
        row.extend(node_layout.fields(i, texts));
        outs[g as usize][v as usize].row(&row)?;
        ticker.tick();
    }
    finish(outs)?;
    let (mut outs, rel_files) = rel_layout.open(dir, "relationships", |group| {
        let mut head = vec![
            format!(":START_ID({ID_SPACE})"),
            format!(":END_ID({ID_SPACE})"),
        ];
        if group.extra {
            head.push(":TYPE".to_owned());
        }
        head
    })?;
    for (i, &id) in selection.rels.iter().enumerate() {
        let rel = read_rel(snapshot, id)?;
        let (group, _, texts) = rel_parts(&rel, true)?;
        let (g, v) = rel_layout.placed[i];
        let mut row = vec![
            format!("{:0width$}", rel.start.0),
            format!("{:0width$}", rel.end.0),
        ];
        if group.extra {
            row.push(rel.rel_type.to_owned());
        }
        row.extend(rel_layout.fields(i, texts));
        outs[g as usize][v as usize].row(&row)?;
        ticker.tick();
    }
    finish(outs)?;
    files.extend(rel_files);
    let manifest = Path::new("manifest.json");
    let path = dir.join(manifest);
    std::fs::write(
        &path,
        format!(
            "{{\n  \"format\": \"neo4j-admin csv\",\n  \"writtenBy\": \"cordial {}\",\n  \"arrayDelimiter\": \"{ARRAY_DELIMITER}\"\n}}\n",
            env!("CARGO_PKG_VERSION")
        ),
    )
    .map_err(io_error(&path))?;
    files.push(manifest.to_path_buf());
    Ok(files)
}

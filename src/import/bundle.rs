//! Finding the files of a bundle and reading their headers: `nodes/*.csv` (the label is the file
//! name up to its first dot), `relationships/*.csv` (the type likewise), and the optional
//! `manifest.json` for the array delimiter. Nothing here reads data rows.

use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};

use super::ImportError;
use super::header::{Column, FileKind, parse_header};

/// One CSV file of the bundle with its parsed header.
#[derive(Debug)]
pub struct BundleFile {
    pub path: PathBuf,
    pub kind: FileKind,
    /// The label (node files) or relationship type (relationship files) the file name gives.
    pub name: String,
    pub columns: Vec<Column>,
    pub bytes: u64,
}

/// Every file of a bundle, node files first, each group sorted by file name.
#[derive(Debug)]
pub struct Bundle {
    pub files: Vec<BundleFile>,
    /// From `manifest.json`'s `arrayDelimiter`, when the bundle has one.
    pub array_delimiter: Option<u8>,
}

fn io(file: &Path, source: std::io::Error) -> ImportError {
    ImportError::Io {
        file: file.to_path_buf(),
        source,
    }
}

/// The `.csv` files of a directory, sorted by name.
fn csv_files(dir: &Path) -> Result<Vec<PathBuf>, ImportError> {
    let mut paths = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(|e| io(dir, e))? {
        let path = entry.map_err(|e| io(dir, e))?.path();
        let visible = path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| !n.starts_with('.'));
        let csv = path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("csv"));
        if visible && csv && path.is_file() {
            paths.push(path);
        }
    }
    paths.sort();
    Ok(paths)
}

/// A CSV reader with the bundle's dialect.
pub fn csv_reader(path: &Path, delimiter: u8) -> Result<csv::Reader<BufReader<File>>, ImportError> {
    let file = File::open(path).map_err(|e| io(path, e))?;
    Ok(csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .buffer_capacity(1 << 20)
        .from_reader(BufReader::with_capacity(1 << 20, file)))
}

pub fn csv_error(path: &Path, error: &csv::Error) -> ImportError {
    let line = error.position().map_or(0, csv::Position::line);
    match error.kind() {
        csv::ErrorKind::Io(e) => ImportError::Io {
            file: path.to_path_buf(),
            source: std::io::Error::new(e.kind(), e.to_string()),
        },
        _ => ImportError::Csv {
            file: path.to_path_buf(),
            line,
            detail: error.to_string(),
        },
    }
}

fn read_header(path: &Path, kind: FileKind, delimiter: u8) -> Result<Vec<Column>, ImportError> {
    let mut reader = csv_reader(path, delimiter)?;
    let mut record = csv::ByteRecord::new();
    let found = reader
        .read_byte_record(&mut record)
        .map_err(|e| csv_error(path, &e))?;
    let bad = |column: &str, detail: &str| ImportError::BadHeader {
        file: path.to_path_buf(),
        line: 1,
        column: column.to_owned(),
        detail: detail.to_owned(),
    };
    if !found {
        return Err(bad("", "the file is empty: it needs a header line"));
    }
    let fields = record
        .iter()
        .map(std::str::from_utf8)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|_| bad("", "the header is not valid utf-8"))?;
    parse_header(&fields, kind).map_err(|p| ImportError::BadHeader {
        file: path.to_path_buf(),
        line: record.position().map_or(1, csv::Position::line),
        column: p.column,
        detail: p.detail,
    })
}

/// The name a file gives: its file name up to the first dot.
fn name_of(path: &Path) -> String {
    let file_name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    file_name.split('.').next().unwrap_or_default().to_owned()
}

fn array_delimiter(dir: &Path) -> Result<Option<u8>, ImportError> {
    let path = dir.join("manifest.json");
    if !path.is_file() {
        return Ok(None);
    }
    let text = std::fs::read_to_string(&path).map_err(|e| io(&path, e))?;
    let manifest: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| ImportError::BadManifest {
            file: path.clone(),
            line: u64::try_from(e.line()).unwrap_or(0),
            detail: e.to_string(),
        })?;
    Ok(manifest
        .get("arrayDelimiter")
        .and_then(serde_json::Value::as_str)
        .and_then(|s| match s.as_bytes() {
            [b] => Some(*b),
            _ => None,
        }))
}

/// Lists a bundle's files and parses every header, so a bad header fails before any row is read.
pub fn open_bundle(dir: &Path, delimiter: u8) -> Result<Bundle, ImportError> {
    if !dir.is_dir() {
        return Err(ImportError::Missing {
            what: "bundle directory",
            path: dir.to_path_buf(),
        });
    }
    let nodes_dir = dir.join("nodes");
    if !nodes_dir.is_dir() {
        return Err(ImportError::Missing {
            what: "nodes directory",
            path: nodes_dir,
        });
    }
    let rels_dir = dir.join("relationships");
    let mut files = Vec::new();
    let node_paths = csv_files(&nodes_dir)?;
    if node_paths.is_empty() {
        return Err(ImportError::Missing {
            what: "node files (*.csv) in",
            path: nodes_dir,
        });
    }
    let rel_paths = if rels_dir.is_dir() {
        csv_files(&rels_dir)?
    } else {
        Vec::new()
    };
    for (paths, kind) in [
        (node_paths, FileKind::Nodes),
        (rel_paths, FileKind::Relationships),
    ] {
        for path in paths {
            let columns = read_header(&path, kind, delimiter)?;
            let bytes = std::fs::metadata(&path).map_err(|e| io(&path, e))?.len();
            let name = name_of(&path);
            if name.is_empty() {
                return Err(ImportError::BadHeader {
                    file: path,
                    line: 1,
                    column: String::new(),
                    detail: "the file name gives no label or type".into(),
                });
            }
            files.push(BundleFile {
                path,
                kind,
                name,
                columns,
                bytes,
            });
        }
    }
    Ok(Bundle {
        files,
        array_delimiter: array_delimiter(dir)?,
    })
}

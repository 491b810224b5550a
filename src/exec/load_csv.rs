//! `LOAD CSV`: resolving a `file:///` URL below the import directory, and streaming the file's
//! records as lists of strings (or maps keyed by the header with `WITH HEADERS`). It does not
//! know what the rows are used for: the operator in `run.rs` pushes each one on.
//!
//! Semantics (as Neo4j's): every value is a string, an empty field is null; `WITH HEADERS` takes
//! the first record as the keys, a short record leaves the missing keys null and a record with
//! more fields than the header is a bad row. Lines are counted from 1 as in the file, so a
//! record spanning lines (a quoted newline) is reported at the line it starts on.

use std::fs::File;
use std::io::BufReader;
use std::path::{Component, Path, PathBuf};

use crate::value::{Map, Value};

use super::ExecError;
use super::error::LoadCsvProblem;

/// Where a `LOAD CSV` reads from, resolved and checked.
#[derive(Debug, Clone)]
pub struct CsvSource {
    /// The URL as the query gave it, for messages.
    pub url: String,
    /// The canonical path of the file, below the canonical import directory.
    pub path: PathBuf,
}

fn problem(url: &str, kind: LoadCsvProblem, message: impl Into<String>) -> ExecError {
    ExecError::LoadCsv {
        kind,
        location: url.to_owned(),
        line: None,
        message: message.into(),
    }
}

/// Decodes `%XX` escapes of a URL path; a malformed escape is kept as written.
fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let Some(b) = std::str::from_utf8(&bytes[i + 1..i + 3])
                .ok()
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8(out).ok()
}

/// Resolves `url` below `import_dir`. `file:///a/b.csv` (and `file:/a/b.csv`) names
/// `import_dir/a/b.csv`, as in Neo4j; a URL without a scheme is a path, relative to the import
/// directory unless absolute. Whatever the spelling, the canonical file (symbolic links
/// followed) must lie below the canonical import directory.
pub fn resolve(url: &str, import_dir: &Path) -> Result<CsvSource, ExecError> {
    let lower = url.to_ascii_lowercase();
    let relative: PathBuf = if let Some(rest) = lower.strip_prefix("file:").map(|_| &url[5..]) {
        let rest = rest.trim_start_matches('/');
        let decoded = percent_decode(rest).ok_or_else(|| {
            problem(
                url,
                LoadCsvProblem::BadUrl,
                "the URL's path is not valid UTF-8",
            )
        })?;
        PathBuf::from(decoded)
    } else if let Some((scheme, _)) = lower.split_once("://") {
        return Err(problem(
            url,
            LoadCsvProblem::Refused,
            format!(
                "{scheme} URLs are not supported: only files below the import directory \
                 ({}) can be read; copy the file there and use file:///NAME",
                import_dir.display()
            ),
        ));
    } else {
        PathBuf::from(url)
    };
    if relative.as_os_str().is_empty() {
        return Err(problem(
            url,
            LoadCsvProblem::BadUrl,
            "the URL names no file",
        ));
    }
    let base = import_dir.canonicalize().map_err(|e| {
        problem(
            url,
            LoadCsvProblem::NotFound,
            format!(
                "the import directory {} is not usable: {e}",
                import_dir.display()
            ),
        )
    })?;
    let outside = || {
        problem(
            url,
            LoadCsvProblem::Refused,
            format!(
                "{} lies outside the import directory {}",
                relative.display(),
                base.display()
            ),
        )
    };
    // A lexical check first, so that a path climbing out is refused whether or not the file
    // exists (no probing of the file system outside the import directory).
    let mut lexical = if relative.is_absolute() {
        PathBuf::new()
    } else {
        base.clone()
    };
    for part in relative.components() {
        match part {
            Component::ParentDir => {
                if !lexical.pop() || !lexical.starts_with(&base) {
                    return Err(outside());
                }
            }
            Component::CurDir => {}
            other => lexical.push(other),
        }
    }
    if !lexical.starts_with(&base) {
        return Err(outside());
    }
    let path = lexical.canonicalize().map_err(|e| {
        let kind = if e.kind() == std::io::ErrorKind::NotFound {
            LoadCsvProblem::NotFound
        } else {
            LoadCsvProblem::Io
        };
        problem(url, kind, format!("cannot open {}: {e}", lexical.display()))
    })?;
    // Symbolic links are followed by `canonicalize`: the target must be inside too.
    if !path.starts_with(&base) {
        return Err(outside());
    }
    if !path.is_file() {
        return Err(problem(
            url,
            LoadCsvProblem::NotFound,
            format!("{} is not a file", path.display()),
        ));
    }
    Ok(CsvSource {
        url: url.to_owned(),
        path,
    })
}

/// The records of a CSV file, one `Value` per record, read as they are asked for.
pub struct CsvRows {
    source: CsvSource,
    reader: csv::Reader<BufReader<File>>,
    record: csv::ByteRecord,
    headers: Option<Vec<String>>,
    /// The line the last record started on.
    line: u64,
}

impl CsvRows {
    /// Opens the file; with `headers`, reads the header record.
    pub fn open(source: CsvSource, headers: bool, terminator: u8) -> Result<CsvRows, ExecError> {
        let file = File::open(&source.path).map_err(|e| {
            problem(
                &source.url,
                LoadCsvProblem::Io,
                format!("cannot open {}: {e}", source.path.display()),
            )
        })?;
        let reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(terminator)
            .from_reader(BufReader::with_capacity(1 << 16, file));
        let mut rows = CsvRows {
            source,
            reader,
            record: csv::ByteRecord::new(),
            headers: None,
            line: 0,
        };
        if headers {
            let names = match rows.next_record()? {
                Some(fields) => fields
                    .into_iter()
                    .map(|f| match f {
                        Value::String(s) => s.to_string(),
                        _ => String::new(),
                    })
                    .collect(),
                None => Vec::new(),
            };
            rows.headers = Some(names);
        }
        Ok(rows)
    }

    /// The canonical path of the file.
    #[must_use]
    pub fn path(&self) -> &Path {
        &self.source.path
    }

    /// The line the last record returned started on (1-based).
    #[must_use]
    pub fn line(&self) -> u64 {
        self.line
    }

    fn bad_row(&self, message: impl Into<String>) -> ExecError {
        ExecError::LoadCsv {
            kind: LoadCsvProblem::BadRow,
            location: self.source.path.display().to_string(),
            line: Some(self.line),
            message: message.into(),
        }
    }

    fn next_record(&mut self) -> Result<Option<Vec<Value>>, ExecError> {
        let more = self
            .reader
            .read_byte_record(&mut self.record)
            .map_err(|e| {
                let line = e.position().map_or(self.line + 1, csv::Position::line);
                ExecError::LoadCsv {
                    kind: LoadCsvProblem::BadRow,
                    location: self.source.path.display().to_string(),
                    line: Some(line),
                    message: e.to_string(),
                }
            })?;
        if !more {
            return Ok(None);
        }
        self.line = self
            .record
            .position()
            .map_or(self.line + 1, csv::Position::line);
        let mut fields = Vec::with_capacity(self.record.len());
        for (i, field) in self.record.iter().enumerate() {
            if field.is_empty() {
                fields.push(Value::Null);
                continue;
            }
            match std::str::from_utf8(field) {
                Ok(text) => fields.push(Value::String(text.into())),
                Err(_) => {
                    return Err(self.bad_row(format!("field {} is not valid UTF-8", i + 1)));
                }
            }
        }
        Ok(Some(fields))
    }

    /// The next row: a list of strings, or a map keyed by the header.
    pub fn next_row(&mut self) -> Result<Option<Value>, ExecError> {
        let Some(fields) = self.next_record()? else {
            return Ok(None);
        };
        let Some(headers) = &self.headers else {
            return Ok(Some(Value::List(fields.into())));
        };
        if fields.len() > headers.len() {
            return Err(self.bad_row(format!(
                "{} fields, but the header names {}",
                fields.len(),
                headers.len()
            )));
        }
        let mut map = Map::new();
        let mut values = fields.into_iter();
        for name in headers {
            map.insert(name.clone(), values.next().unwrap_or(Value::Null));
        }
        Ok(Some(Value::Map(map.into())))
    }
}

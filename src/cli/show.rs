//! `cordial show`: runs one query and writes the picture of its nodes and relationships
//! (drawn by `crate::picture`) to a file or standard output.

use std::io::Write;
use std::path::Path;

use anyhow::{Context, bail};

use super::args::ShowArgs;
use crate::db::Database;
use crate::picture::{self, Format};
use crate::value::{Map, Value};

/// `NAME=VALUE` pairs as parameters: JSON values where they parse, strings otherwise.
fn params(pairs: &[String]) -> anyhow::Result<Map> {
    let mut out = Map::new();
    for pair in pairs {
        let Some((name, text)) = pair.split_once('=') else {
            bail!("a parameter is NAME=VALUE, not `{pair}`");
        };
        let value =
            serde_json::from_str::<Value>(text).unwrap_or_else(|_| Value::String(text.to_owned()));
        out.insert(name.trim().trim_start_matches('$').to_owned(), value);
    }
    Ok(out)
}

pub fn run(db_path: &Path, import_dir: Option<&Path>, args: &ShowArgs) -> anyhow::Result<()> {
    let format = Format::parse(&args.format)
        .with_context(|| format!("unknown picture format `{}`", args.format))?;
    // Read only: a picture never changes the graph (a writing query fails with ReadOnly).
    let db = Database::open_read_only(db_path)
        .with_context(|| format!("cannot open database {}", db_path.display()))?
        .with_import_dir(import_dir.map(Path::to_path_buf));
    let result = db
        .query(&args.query, params(&args.params)?)?
        .into_result()?;
    let picture = picture::render(&result, &db.begin_read(), format)?;
    match &args.out {
        Some(path) => std::fs::write(path, picture)
            .with_context(|| format!("cannot write {}", path.display()))?,
        None => std::io::stdout().lock().write_all(picture.as_bytes())?,
    }
    Ok(())
}

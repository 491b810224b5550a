//! `cordial show`: runs one query and writes the picture of its nodes and relationships
//! (drawn by `crate::picture`) to a file or standard output.

use std::io::Write;
use std::path::Path;

use anyhow::{Context, bail};

use super::args::{ScriptOptions, ShowArgs};
use super::script;
use crate::picture::{self, PictureFormat};
use crate::value::{Map, Value};

/// `NAME=VALUE` pairs as parameters: JSON values where they parse, strings otherwise.
fn params(pairs: &[String]) -> anyhow::Result<Map> {
    let mut out = Map::new();
    for pair in pairs {
        let Some((name, text)) = pair.split_once('=') else {
            bail!("a parameter is NAME=VALUE, not `{pair}`");
        };
        let value =
            serde_json::from_str::<Value>(text).unwrap_or_else(|_| Value::String(text.into()));
        out.insert(name.trim().trim_start_matches('$').to_owned(), value);
    }
    Ok(out)
}

/// `cordial show`, with the options given before it: `--now` pins the clock, `--import-dir` is
/// where `LOAD CSV` reads, and `--params-file` and `--param` give parameters (the show's own
/// `--param` wins).
pub fn run(db_path: &Path, args: &ShowArgs, options: &ScriptOptions) -> anyhow::Result<()> {
    let format = PictureFormat::parse(&args.format)
        .with_context(|| format!("unknown picture format `{}`", args.format))?;
    let mut parameters = script::params(options)?;
    parameters.extend(params(&args.params)?);
    // Read only: a picture never changes the graph (a writing query fails with ReadOnly).
    let db = script::open_database(db_path, options, true)?;
    let result = db.query(&args.query, parameters)?.into_result()?;
    let picture = picture::render(&result, &db.begin_read(), format)?;
    match &args.out {
        Some(path) => std::fs::write(path, picture)
            .with_context(|| format!("cannot write {}", path.display()))?,
        None => std::io::stdout().lock().write_all(picture.as_bytes())?,
    }
    Ok(())
}

//! Running statements without the shell: `cordial run FILE...`, `cordial -c QUERY` and queries
//! piped on stdin. Opens the session the options describe (shared with the shell), runs the
//! statements in order and reports failure through the exit code. Output in csv, json and jsonl
//! carries only data: no banners, no colours when not a terminal.

use std::io::{IsTerminal, Read};
use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};

use super::args::ScriptOptions;
use super::commands::{self, OnError, Origin, Session};
use super::render::ResultFormat;
use crate::Database;
use crate::db::Params;

/// At least one statement failed; its error has been printed. Exits with a failure code.
#[derive(Debug, thiserror::Error)]
#[error("statements failed")]
pub struct StatementsFailed;

/// The options given before `run` combined with those after it (which win; parameters add up),
/// so `cordial --format csv run FILE` and `cordial run FILE --format csv` mean the same.
#[must_use]
pub fn merge(before: &ScriptOptions, after: &ScriptOptions) -> ScriptOptions {
    ScriptOptions {
        params: before.params.iter().chain(&after.params).cloned().collect(),
        params_file: after
            .params_file
            .clone()
            .or_else(|| before.params_file.clone()),
        format: after.format.clone().or_else(|| before.format.clone()),
        now: after.now.clone().or_else(|| before.now.clone()),
        read_only: before.read_only || after.read_only,
        fail_fast: before.fail_fast || after.fail_fast,
        continue_on_error: (before.continue_on_error || after.continue_on_error)
            && !after.fail_fast,
        import_dir: after
            .import_dir
            .clone()
            .or_else(|| before.import_dir.clone()),
        memory_limit: after.memory_limit.or(before.memory_limit),
    }
}

/// Opens the database the options describe and a session on it.
pub fn open_session(
    db_path: &Path,
    options: &ScriptOptions,
    interactive: bool,
) -> anyhow::Result<Session> {
    let db = if options.read_only {
        Database::open_read_only(db_path)
    } else {
        Database::open(db_path)
    }
    .with_context(|| format!("cannot open database {}", db_path.display()))?;
    session_on(db, options, interactive)
}

/// Opens the database for the subcommands that run queries outside a session (`bench`,
/// `show`, `export`), read-only when asked, with the options' clock and import directory.
pub fn open_database(
    db_path: &Path,
    options: &ScriptOptions,
    read_only: bool,
) -> anyhow::Result<Database> {
    let db = if read_only {
        Database::open_read_only(db_path)
    } else {
        Database::open(db_path)
    }
    .with_context(|| format!("cannot open database {}", db_path.display()))?;
    with_options(db, options)
}

/// The database with the options' pinned clock and import directory.
fn with_options(db: Database, options: &ScriptOptions) -> anyhow::Result<Database> {
    let db = match &options.now {
        Some(text) => db.with_now(Some(commands::parse_now(text)?)),
        None => db,
    };
    let db = match options.memory_limit {
        Some(bytes) => db.with_memory_limit(Some(bytes)),
        None => db,
    };
    Ok(db.with_import_dir(options.import_dir.clone()))
}

/// The parameters the options give: `--params-file`, then each `--param` (which wins).
pub fn params(options: &ScriptOptions) -> anyhow::Result<Params> {
    let mut params = match &options.params_file {
        Some(path) => super::bench::load_params(path)?,
        None => Params::new(),
    };
    for param in &options.params {
        let (key, value) = commands::parse_param(param)?;
        params.insert(key, value);
    }
    Ok(params)
}

/// A session on an open database, with the options' clock, parameters and format.
pub fn session_on(
    db: Database,
    options: &ScriptOptions,
    interactive: bool,
) -> anyhow::Result<Session> {
    let db = with_options(db, options)?;
    let format = match &options.format {
        Some(name) => {
            ResultFormat::parse(name).with_context(|| format!("unknown format {name}"))?
        }
        None => ResultFormat::Table,
    };
    let mut session = Session::new(db, format, interactive);
    session.params = params(options)?;
    session.on_error = if options.continue_on_error {
        OnError::Continue
    } else {
        OnError::Stop
    };
    Ok(session)
}

/// Runs `-c QUERY`, then each file, or the queries on stdin when there is neither.
pub fn run(
    db_path: &Path,
    files: &[PathBuf],
    query: Option<&str>,
    options: &ScriptOptions,
) -> anyhow::Result<()> {
    let from_stdin = files.is_empty() && query.is_none();
    if from_stdin && std::io::stdin().is_terminal() {
        bail!("nothing to run: give FILE..., -c QUERY, or pipe queries on stdin");
    }
    let mut session = open_session(db_path, options, std::io::stdout().is_terminal())?;
    // Scripts print the time only when asked for; their output should repeat.
    session.timing = false;
    let mut ok = true;
    // After a failure with --fail-fast, or once stdout's reader has gone (`| head`), nothing
    // more runs; the database is still closed properly.
    let stop = |ok: bool, session: &Session| {
        session.stdout_closed() || (!ok && session.on_error == OnError::Stop)
    };
    if let Some(query) = query {
        ok &= session.run_text(query, &Origin::file("-c")).is_ok();
    }
    for file in files {
        if stop(ok, &session) {
            break;
        }
        let text = std::fs::read_to_string(file)
            .with_context(|| format!("cannot read {}", file.display()))?;
        ok &= session
            .run_text(&text, &Origin::file(file.display().to_string()))
            .is_ok();
    }
    if from_stdin && !session.stdout_closed() {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .context("cannot read stdin")?;
        ok &= session.run_text(&text, &Origin::file("<stdin>")).is_ok();
    }
    session.finish();
    session.db.close()?;
    if ok {
        Ok(())
    } else {
        Err(StatementsFailed.into())
    }
}

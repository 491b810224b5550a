//! The `export`, `dump`, `restore` and `compact` subcommands: argument checks, progress bars
//! (hidden when stderr is not a terminal) and the one-line summaries. The work is done by
//! `cordial::export` and `cordial::storage::compact`.

use std::io::Write;
use std::path::Path;

use anyhow::{Context, bail};
use indicatif::ProgressBar;

use super::args::{ExportArgs, ScriptOptions};
use super::{megabytes, progress_bar, thousands};
use crate::db::Database;
use crate::export::{self, ExportFormat, Progress};

fn show(bar: &ProgressBar, message: &'static str, progress: Progress) {
    if bar.message() != message {
        bar.set_message(message);
    }
    bar.set_length(progress.total.max(1));
    bar.set_position(progress.done);
}

#[allow(clippy::cast_precision_loss)]
fn rate(count: u64, seconds: f64) -> String {
    format!("{:.0}/s", count as f64 / seconds.max(1e-9))
}

/// `cordial export`; `--now` and `--import-dir` given before it apply to its `--query`.
pub fn run_export(
    db_path: &Path,
    args: &ExportArgs,
    options: &ScriptOptions,
) -> anyhow::Result<()> {
    let format: ExportFormat = match args.format.parse() {
        Ok(format) => format,
        Err(message) => bail!(message),
    };
    let db = super::script::open_database(db_path, options, true)?;
    let bar = progress_bar();
    let result = export::export(&db, &args.dir, format, args.query.as_deref(), &mut |p| {
        show(&bar, "export", p);
    });
    bar.finish_and_clear();
    let summary = result.with_context(|| format!("export to {} failed", args.dir.display()))?;
    let elements = summary.nodes + summary.relationships;
    writeln!(
        std::io::stdout(),
        "exported {} nodes and {} relationships as {format} in {:.2} s ({} elements, {:.1} MB/s); {} in {} file(s)",
        thousands(summary.nodes),
        thousands(summary.relationships),
        summary.seconds,
        rate(elements, summary.seconds),
        summary.bytes as f64 / 1e6 / summary.seconds.max(1e-9),
        megabytes(summary.bytes),
        summary.files.len()
    )?;
    Ok(())
}

pub fn run_dump(db_path: &Path, file: &Path) -> anyhow::Result<()> {
    let db = Database::open_read_only(db_path)
        .with_context(|| format!("cannot open database {}", db_path.display()))?;
    let bar = progress_bar();
    let result = export::dump(&db, file, &mut |p| show(&bar, "dump", p));
    bar.finish_and_clear();
    let summary = result.with_context(|| format!("dump to {} failed", file.display()))?;
    writeln!(
        std::io::stdout(),
        "dumped {} nodes, {} relationships, {} indexes and {} constraints in {:.2} s: {}",
        thousands(summary.nodes),
        thousands(summary.relationships),
        summary.indexes,
        summary.constraints,
        summary.seconds,
        megabytes(summary.bytes)
    )?;
    Ok(())
}

pub fn run_restore(db_path: &Path, file: &Path) -> anyhow::Result<()> {
    let bar = progress_bar();
    let result = export::restore(file, db_path, &mut |p| show(&bar, "restore", p));
    bar.finish_and_clear();
    let summary = result.with_context(|| {
        format!(
            "restore of {} into {} failed; the database was not changed",
            file.display(),
            db_path.display()
        )
    })?;
    writeln!(
        std::io::stdout(),
        "restored {} nodes, {} relationships, {} indexes and {} constraints from {} in {:.2} s",
        thousands(summary.nodes),
        thousands(summary.relationships),
        summary.indexes,
        summary.constraints,
        megabytes(summary.bytes),
        summary.seconds
    )?;
    Ok(())
}

pub fn run_compact(db_path: &Path) -> anyhow::Result<()> {
    let bar = progress_bar();
    let result = crate::db::compact(db_path, &mut |done, total| {
        show(&bar, "compact", Progress { done, total });
    });
    bar.finish_and_clear();
    let stats = result.with_context(|| format!("compaction of {} failed", db_path.display()))?;
    writeln!(
        std::io::stdout(),
        "compacted {} in {:.2} s: {} before, {} after ({} keys)",
        db_path.display(),
        stats.seconds,
        megabytes(stats.bytes_before),
        megabytes(stats.bytes_after),
        thousands(stats.keys)
    )?;
    if let Some(old) = stats.leftover {
        eprintln!(
            "warning: the old store in {} could not be deleted; remove it by hand",
            old.display()
        );
    }
    Ok(())
}

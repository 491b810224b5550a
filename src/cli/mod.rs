//! The command line: argument parsing, the subcommands and output rendering. The only module
//! that uses clap, indicatif and anyhow; it reaches the database through the public API.

mod args;
mod bench;
mod commands;
mod data;
mod helper;
mod render;
mod repl;
mod script;
mod show;

use std::io::{IsTerminal, Write};
use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, bail};
use clap::Parser;
use indicatif::{ProgressBar, ProgressStyle};

use crate::db::Database;
use crate::db::GraphRead;
use crate::import::{
    ImportOptions, ImportPhase, ImportProgress, ImportSummary, MappingOptions, import_bundle,
    import_mapped, read_mapping,
};
pub use args::{
    Args, BenchArgs, Command, DumpArgs, ExportArgs, ImportArgs, InitArgs, RunArgs, ScriptOptions,
    ShowArgs,
};
pub use commands::{Captured, Console, Failed, Next, OnError, Origin, Session};
pub use render::ResultFormat;

/// Runs the command line and maps an error to a non-zero exit code.
#[must_use]
pub fn main() -> ExitCode {
    match run(Args::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        // Output piped into `head` and the like: the reader has what it wanted.
        Err(error) if is_broken_pipe(&error) => ExitCode::SUCCESS,
        // The failing statements have printed their errors already.
        Err(error) if error.downcast_ref::<script::StatementsFailed>().is_some() => {
            ExitCode::FAILURE
        }
        Err(error) => {
            // Not `eprintln!`, which panics when stderr is closed too.
            let _ = writeln!(std::io::stderr(), "error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

/// True when writing failed because the reader of our output went away (`cordial ... | head`).
pub(crate) fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|e| {
        e.downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// The options given before the subcommand, and the global ones, by their flag.
fn given_options(args: &Args) -> Vec<&'static str> {
    let script = &args.script;
    [
        ("--db", args.db.is_some()),
        ("-c", args.query.is_some()),
        ("--import-dir", args.import_dir.is_some()),
        ("--memory-limit", args.memory_limit.is_some()),
        ("--param", !script.params.is_empty()),
        ("--params-file", script.params_file.is_some()),
        ("--format", script.format.is_some()),
        ("--now", script.now.is_some()),
        ("--read-only", script.read_only),
        ("--fail-fast", script.fail_fast),
        ("--continue-on-error", script.continue_on_error),
    ]
    .into_iter()
    .filter_map(|(flag, given)| given.then_some(flag))
    .collect()
}

/// The subcommand's name and the top-level options it honours. Every other one is refused, so
/// that no option is silently ignored.
fn honoured_options(command: &Command) -> (&'static str, &'static [&'static [&'static str]]) {
    const DB: &[&str] = &["--db"];
    const QUERY: &[&str] = &["-c"];
    /// What every statement runs with.
    const STATEMENT: &[&str] = &["--now", "--read-only", "--import-dir", "--memory-limit"];
    const PARAMS: &[&str] = &["--param", "--params-file"];
    const FORMAT: &[&str] = &["--format"];
    const SCRIPT: &[&str] = &["--format", "--fail-fast", "--continue-on-error"];
    const READ_ONLY: &[&str] = &["--read-only"];
    match command {
        // The demo's database is a temporary copy of the sample; its statements come from the
        // shell.
        Command::Demo => ("demo", &[PARAMS, STATEMENT, SCRIPT]),
        Command::Run(_) => ("run", &[DB, QUERY, PARAMS, STATEMENT, SCRIPT]),
        Command::Bench(_) => ("bench", &[DB, PARAMS, FORMAT, STATEMENT]),
        Command::Show(_) => ("show", &[DB, PARAMS, STATEMENT]),
        Command::Export(_) => ("export", &[DB, STATEMENT]),
        Command::Stats => ("stats", &[DB, READ_ONLY]),
        Command::Dump(_) => ("dump", &[DB, READ_ONLY]),
        Command::Import(_) => ("import", &[DB]),
        Command::Init(_) => ("init", &[DB]),
        Command::Restore(_) => ("restore", &[DB]),
        Command::Compact => ("compact", &[DB]),
    }
}

/// Refuses the options the subcommand would otherwise ignore.
fn check_options(args: &Args) -> anyhow::Result<()> {
    let Some(command) = &args.command else {
        return Ok(());
    };
    let (name, honoured) = honoured_options(command);
    let refused: Vec<&str> = given_options(args)
        .into_iter()
        .filter(|flag| !honoured.iter().any(|group| group.contains(flag)))
        .collect();
    match refused.as_slice() {
        [] => Ok(()),
        [flag] => bail!("{flag} does not apply to `cordial {name}`"),
        flags => bail!("{} do not apply to `cordial {name}`", flags.join(", ")),
    }
}

/// Runs one invocation.
pub fn run(mut args: Args) -> anyhow::Result<()> {
    check_options(&args)?;
    args.script.import_dir.clone_from(&args.import_dir);
    args.script.memory_limit = args.memory_limit;
    let db_path = args.db_path();
    let db_path = db_path.as_path();
    match args.command {
        None if args.query.is_some() || !std::io::stdin().is_terminal() => {
            script::run(db_path, &[], args.query.as_deref(), &args.script)
        }
        None => repl::open(db_path, &args.script),
        Some(Command::Demo) => repl::demo(&args.script),
        Some(Command::Run(run)) => {
            let options = script::merge(&args.script, &run.script);
            let query = run.query.as_deref().or(args.query.as_deref());
            script::run(db_path, &run.files, query, &options)
        }
        Some(Command::Import(import)) => run_import(db_path, &import),
        Some(Command::Stats) => run_stats(db_path),
        Some(Command::Init(init)) => run_init(db_path, init.schema.as_deref()),
        Some(Command::Export(export)) => data::run_export(db_path, &export, &args.script),
        Some(Command::Dump(dump)) => data::run_dump(db_path, &dump.file),
        Some(Command::Restore(dump)) => data::run_restore(db_path, &dump.file),
        Some(Command::Compact) => data::run_compact(db_path),
        Some(Command::Show(show)) => show::run(db_path, &show, &args.script),
        Some(Command::Bench(bench)) => bench::run_command(db_path, &bench, &args.script),
    }
}

/// `cordial init [--schema crm]`: opens (creating) the database and installs the schema.
fn run_init(db_path: &Path, schema: Option<&str>) -> anyhow::Result<()> {
    let db = Database::open(db_path)
        .with_context(|| format!("cannot open database {}", db_path.display()))?;
    if schema == Some("crm") {
        let result = db
            .query("CALL crm.installSchema()", crate::db::Params::new())
            .and_then(crate::db::Rows::into_result)
            .context("cannot install the crm schema")?;
        let created = result
            .rows
            .iter()
            .filter(|r| matches!(r.value("created"), Some(crate::Value::Bool(true))))
            .count();
        writeln!(
            std::io::stdout(),
            "crm schema: {created} of {} constraints and indexes created in {}",
            result.rows.len(),
            db_path.display()
        )?;
    } else {
        writeln!(std::io::stdout(), "database ready in {}", db_path.display())?;
    }
    db.close()?;
    Ok(())
}

fn ascii_byte(c: char, what: &str) -> anyhow::Result<u8> {
    match u8::try_from(c) {
        Ok(b) if b.is_ascii() => Ok(b),
        _ => bail!("the {what} must be one ASCII character, not `{c}`"),
    }
}

fn run_import(db_path: &Path, args: &ImportArgs) -> anyhow::Result<()> {
    if let Some(mapping) = &args.mapping {
        return run_mapped_import(db_path, mapping, args);
    }
    let options = ImportOptions {
        delimiter: ascii_byte(args.delimiter, "delimiter")?,
        array_delimiter: args
            .array_delimiter
            .map(|c| ascii_byte(c, "array delimiter"))
            .transpose()?,
        threads: args.threads,
        write_after: None,
    };
    let existed = db_path.exists();
    let db = Database::open(db_path)
        .with_context(|| format!("cannot open database {}", db_path.display()))?;
    let bar = progress_bar();
    let result = import_bundle(&db, &args.dir, &options, &mut |p| show(&bar, p));
    bar.finish_and_clear();
    match result {
        Ok(summary) => {
            db.close()?;
            print_summary(&summary, args.verbose)?;
            Ok(())
        }
        Err(error) => {
            drop(db);
            if !existed {
                // The database was created for this import and holds nothing: leave no trace.
                let _ = std::fs::remove_dir_all(db_path);
            }
            Err(error).with_context(|| format!("import of {} failed", args.dir.display()))
        }
    }
}

fn run_mapped_import(db_path: &Path, mapping: &Path, args: &ImportArgs) -> anyhow::Result<()> {
    let mapping = read_mapping(mapping)?;
    let existed = db_path.exists();
    let db = Database::open(db_path)
        .with_context(|| format!("cannot open database {}", db_path.display()))?;
    let bar = progress_bar();
    let result = import_mapped(
        &db,
        &mapping,
        &args.dir,
        MappingOptions {
            strict: args.strict,
        },
        &mut |p| show(&bar, p),
    );
    bar.finish_and_clear();
    let summary = match result {
        Ok(summary) => summary,
        Err(error) => {
            drop(db);
            if !existed {
                // Created for this import, which wrote nothing: leave no trace.
                let _ = std::fs::remove_dir_all(db_path);
            }
            return Err(error).with_context(|| format!("import of {} failed", args.dir.display()));
        }
    };
    db.close()?;
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "read {} rows in {:.2} s; {} error(s)",
        thousands(summary.rows),
        summary.seconds,
        summary.errors.len()
    )?;
    writeln!(
        out,
        "  {:<24} {:>10} {:>10} {:>10}",
        "nodes", "created", "updated", "unchanged"
    )?;
    for (label, c) in &summary.nodes {
        writeln!(
            out,
            "  {label:<24} {:>10} {:>10} {:>10}",
            thousands(c.created),
            thousands(c.updated),
            thousands(c.unchanged)
        )?;
    }
    writeln!(out, "  relationships")?;
    for (rel_type, c) in &summary.relationships {
        writeln!(
            out,
            "  {rel_type:<24} {:>10} {:>10} {:>10}",
            thousands(c.created),
            thousands(c.updated),
            thousands(c.unchanged)
        )?;
    }
    drop(out);
    let mut err = std::io::stderr().lock();
    for e in &summary.errors {
        writeln!(err, "{e}")?;
    }
    Ok(())
}

pub(crate) fn progress_bar() -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template("{msg:8} [{bar:40}] {percent:>3}% {elapsed}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.enable_steady_tick(Duration::from_millis(200));
    bar
}

fn show(bar: &ProgressBar, progress: ImportProgress) {
    let message = match progress.phase {
        ImportPhase::Reading => "reading",
        ImportPhase::Writing => "writing",
    };
    if bar.message() != message {
        bar.set_message(message);
        bar.set_position(0);
    }
    bar.set_length(progress.total.max(1));
    bar.set_position(progress.done);
}

/// `1234567` as `1,234,567`.
pub(crate) fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[allow(clippy::cast_precision_loss)]
pub(crate) fn megabytes(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / 1e6)
}

fn print_summary(summary: &ImportSummary, verbose: bool) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "imported {} nodes and {} relationships in {:.2} s",
        thousands(summary.nodes),
        thousands(summary.relationships),
        summary.seconds
    )?;
    writeln!(
        out,
        "read {} of CSV; database {} on disk",
        megabytes(summary.input_bytes),
        megabytes(summary.bytes_on_disk)
    )?;
    if verbose {
        writeln!(
            out,
            "phases: parse {:.2} s, assemble {:.2} s, build and write {:.2} s",
            summary.parse_seconds, summary.assemble_seconds, summary.write_seconds
        )?;
        writeln!(
            out,
            "chunks: {} holding {}",
            thousands(summary.chunks),
            megabytes(summary.chunk_bytes)
        )?;
        writeln!(out, "nodes per label:")?;
        for (label, count) in &summary.labels {
            writeln!(out, "  {label:<24} {:>12}", thousands(*count))?;
        }
        writeln!(out, "relationships per type:")?;
        for (rel_type, count) in &summary.types {
            writeln!(out, "  {rel_type:<24} {:>12}", thousands(*count))?;
        }
    }
    Ok(())
}

fn run_stats(db_path: &Path) -> anyhow::Result<()> {
    let db = Database::open_read_only(db_path)
        .with_context(|| format!("cannot open database {}", db_path.display()))?;
    let snapshot = db.begin_read();
    let mut out = std::io::stdout().lock();
    let stats = db.stats()?;
    let reclaimable = if stats.reclaimable_bytes > 0 {
        format!(
            " ({} reclaimable by `cordial compact`)",
            megabytes(stats.reclaimable_bytes)
        )
    } else {
        String::new()
    };
    writeln!(
        out,
        "{} nodes, {} relationships, {} on disk{reclaimable}",
        thousands(snapshot.count_nodes(None)?),
        thousands(snapshot.count_relationships(None)?),
        megabytes(stats.size_on_disk)
    )?;
    writeln!(out, "nodes per label:")?;
    for (id, label) in (0u32..).zip(snapshot.label_names()) {
        writeln!(
            out,
            "  {label:<24} {:>12}",
            thousands(snapshot.count_nodes(Some(id))?)
        )?;
    }
    writeln!(out, "relationships per type:")?;
    for (id, rel_type) in (0u32..).zip(snapshot.type_names()) {
        writeln!(
            out,
            "  {rel_type:<24} {:>12}",
            thousands(snapshot.count_relationships(Some(id))?)
        )?;
    }
    Ok(())
}

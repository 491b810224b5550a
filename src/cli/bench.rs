//! `cordial bench`: runs a folder of query files against a database, each once cold and then
//! `runs` times warm, in one process, and prints rows and min / median / max milliseconds per
//! query (a table, or one JSON object per query), then the database's size on disk.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context as _, bail};

use super::args::{BenchArgs, ScriptOptions};
use super::script;
use crate::{Database, Map, Value};

/// What `cordial bench` was asked to do.
pub struct BenchOptions {
    pub queries: PathBuf,
    pub params: Map,
    pub runs: usize,
    pub json: bool,
}

/// `cordial bench`, with the options given before it: `--now` pins the clock, `--read-only`
/// opens the database for reading only, `--import-dir` is where `LOAD CSV` reads, `--format`
/// (table or json) is taken when the bench's own is absent, and the parameters come from the
/// bench's `--params` file (else `--params-file`), then each `--param`.
pub fn run_command(
    db_path: &Path,
    args: &BenchArgs,
    options: &ScriptOptions,
) -> anyhow::Result<()> {
    let json = match args
        .format
        .as_deref()
        .or(options.format.as_deref())
        .unwrap_or("table")
    {
        "table" => false,
        "json" => true,
        other => bail!("cordial bench prints a table or json, not {other}"),
    };
    let mut params = match args.params.as_ref().or(options.params_file.as_ref()) {
        Some(path) => load_params(path)?,
        None => Map::new(),
    };
    params.extend(script::params(&ScriptOptions {
        params_file: None,
        ..options.clone()
    })?);
    let db = script::open_database(db_path, options, options.read_only)?;
    run(
        &db,
        &BenchOptions {
            queries: args.queries.clone(),
            params,
            runs: args.runs,
            json,
        },
    )
}

/// One query's figures.
struct Timing {
    name: String,
    rows: usize,
    cold_ms: f64,
    min_ms: f64,
    median_ms: f64,
    max_ms: f64,
}

/// Parameters from a JSON object, or from the `parameters` object of a bundle manifest.
pub(crate) fn load_params(path: &Path) -> anyhow::Result<Map> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let json: serde_json::Value =
        serde_json::from_str(&text).with_context(|| format!("{} is not JSON", path.display()))?;
    let object = json
        .get("parameters")
        .and_then(serde_json::Value::as_object)
        .or_else(|| json.as_object())
        .with_context(|| format!("{} holds no JSON object of parameters", path.display()))?;
    let mut params = Map::new();
    for (key, value) in object {
        let value: Value =
            serde_json::from_value(value.clone()).with_context(|| format!("parameter `{key}`"))?;
        params.insert(key.clone(), value);
    }
    Ok(params)
}

fn query_files(dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("cannot read {}", dir.display()))?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "cypher"))
        .collect();
    files.sort();
    if files.is_empty() {
        bail!("no .cypher files in {}", dir.display());
    }
    Ok(files)
}

fn millis(started: Instant) -> f64 {
    started.elapsed().as_secs_f64() * 1000.0
}

/// Runs the benchmark and prints its figures.
pub fn run(db: &Database, options: &BenchOptions) -> anyhow::Result<()> {
    let params = &options.params;
    let mut out = std::io::stdout().lock();
    let mut timings = Vec::new();
    for file in query_files(&options.queries)? {
        let name = file
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let text = std::fs::read_to_string(&file)
            .with_context(|| format!("cannot read {}", file.display()))?;
        let started = Instant::now();
        let rows = db
            .query(&text, params.clone())
            .and_then(|rows| rows.collect::<crate::Result<Vec<_>>>())
            .with_context(|| format!("{name} failed"))?
            .len();
        let cold_ms = millis(started);
        let mut warm = Vec::with_capacity(options.runs);
        for _ in 0..options.runs {
            let started = Instant::now();
            db.query(&text, params.clone())
                .and_then(|rows| rows.collect::<crate::Result<Vec<_>>>())
                .with_context(|| format!("{name} failed"))?;
            warm.push(millis(started));
        }
        warm.sort_by(f64::total_cmp);
        let pick = |i: usize| warm.get(i).copied().unwrap_or(cold_ms);
        let timing = Timing {
            name,
            rows,
            cold_ms,
            min_ms: pick(0),
            median_ms: pick(warm.len() / 2),
            max_ms: pick(warm.len().saturating_sub(1)),
        };
        if options.json {
            writeln!(
                out,
                "{}",
                serde_json::json!({
                    "query": timing.name, "rows": timing.rows, "coldMs": timing.cold_ms,
                    "minMs": timing.min_ms, "medianMs": timing.median_ms, "maxMs": timing.max_ms,
                })
            )?;
            out.flush()?;
        }
        timings.push(timing);
    }
    let size = db.stats()?.size_on_disk;
    if options.json {
        writeln!(out, "{}", serde_json::json!({ "databaseBytes": size }))?;
        return Ok(());
    }
    writeln!(
        out,
        "{:<40} {:>7} {:>10} {:>10} {:>10} {:>10}",
        "query", "rows", "cold ms", "min ms", "median ms", "max ms"
    )?;
    for t in &timings {
        writeln!(
            out,
            "{:<40} {:>7} {:>10.2} {:>10.2} {:>10.2} {:>10.2}",
            t.name, t.rows, t.cold_ms, t.min_ms, t.median_ms, t.max_ms
        )?;
    }
    writeln!(
        out,
        "database: {:.1} MB on disk; {} warm runs per query",
        size as f64 / 1e6,
        options.runs
    )?;
    Ok(())
}

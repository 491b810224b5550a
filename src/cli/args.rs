//! The command line's arguments (clap derive); the doc comments are the help text.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// Cordial: an embedded customer knowledge graph database with an openCypher-family query
/// language.
#[derive(Debug, Parser)]
#[command(name = "cordial", version)]
pub struct Args {
    /// The database directory [default: ./cordial.db].
    #[arg(long, global = true, value_name = "DIR")]
    pub db: Option<PathBuf>,

    /// Run QUERY (one statement, or several separated by `;`) and exit instead of opening the
    /// shell. Without a subcommand, queries piped on stdin run the same way.
    #[arg(short = 'c', value_name = "QUERY")]
    pub query: Option<String>,

    #[command(flatten)]
    pub script: ScriptOptions,

    /// The directory `LOAD CSV` reads below (`file:///a.csv` is DIR/a.csv); files outside it
    /// are refused. Default: the current directory.
    #[arg(long, global = true, value_name = "DIR")]
    pub import_dir: Option<PathBuf>,

    /// The memory one statement's sorts, aggregations and other row-holding operators may
    /// take, as 512MB, 4GB or 2GiB. Past it the statement stops with an error naming the
    /// operator and changes nothing. Default: half of this machine's memory.
    #[arg(long, global = true, value_name = "SIZE", value_parser = parse_memory_limit)]
    pub memory_limit: Option<u64>,

    #[command(subcommand)]
    pub command: Option<Command>,
}

/// How statements run and print, for the shell, `-c`, stdin and `cordial run`.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct ScriptOptions {
    /// A query parameter: `--param id=c-42`, `--param limit=10`; the value is JSON when it
    /// parses as JSON (numbers, booleans, lists, "strings"), else a string. Repeatable.
    #[arg(long = "param", value_name = "NAME=VALUE")]
    pub params: Vec<String>,
    /// Parameters from a JSON object (or a bundle manifest's `parameters`); `--param` wins.
    #[arg(long, value_name = "FILE")]
    pub params_file: Option<PathBuf>,
    /// How results are printed: table, csv, json (an array per statement), jsonl (an object
    /// per row) or markdown.
    #[arg(long, value_name = "FORMAT", value_parser = ["table", "csv", "json", "jsonl", "markdown"])]
    pub format: Option<String>,
    /// Pin the clock of date(), datetime() and friends, so reports repeat: `--now 2025-01-01`
    /// or `--now 2025-01-01T09:00:00Z`.
    #[arg(long, value_name = "DATETIME")]
    pub now: Option<String>,
    /// Open the database for reading only: writing statements fail.
    #[arg(long)]
    pub read_only: bool,
    /// Stop at the first failing statement (the default).
    #[arg(long, conflicts_with = "continue_on_error")]
    pub fail_fast: bool,
    /// Run every statement even after one fails; the exit code still reports the failure.
    #[arg(long)]
    pub continue_on_error: bool,
    /// The global `--import-dir`, copied here for the session.
    #[arg(skip)]
    pub import_dir: Option<PathBuf>,
    /// The global `--memory-limit`, copied here for the session.
    #[arg(skip)]
    pub memory_limit: Option<u64>,
}

impl Args {
    /// The database directory: `--db`, else `./cordial.db`.
    #[must_use]
    pub fn db_path(&self) -> PathBuf {
        self.db
            .clone()
            .unwrap_or_else(|| PathBuf::from("./cordial.db"))
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Open the shell on a fresh temporary copy of the bundled sample company, and print a few
    /// questions to try. The copy is removed on exit.
    Demo,
    /// Run the statements of each FILE in order (`;` between statements); exit non-zero when
    /// any statement fails. With no FILE, run -c QUERY or the queries on stdin.
    Run(RunArgs),
    /// Build a new database from a CSV bundle in the neo4j-admin header convention
    /// (nodes/<Label>.csv, relationships/<TYPE>.csv). The database must be new or empty; a bad
    /// row stops the import with file:line and leaves the database empty. With --mapping, map
    /// the CSV files of a CRM export onto the graph instead, upserting by external id into a
    /// new or existing database (re-running it changes nothing).
    Import(ImportArgs),
    /// Print the number of nodes per label and relationships per type, and the size on disk.
    Stats,
    /// Run a folder of query files against the database, each once cold and then --runs times
    /// warm, and print rows and min / median / max milliseconds per query.
    Bench(BenchArgs),
    /// Create the database if needed and install a schema: `--schema crm` adds the standard
    /// customer schema's unique ids and indexes (the same as `CALL crm.installSchema()`).
    Init(InitArgs),
    /// Write the whole graph, or the nodes, relationships and paths a query returns, into a
    /// new or empty directory: a neo4j-admin CSV bundle (which `cordial import` reloads), JSON
    /// lines, GraphML, or a Cypher script that recreates it.
    Export(ExportArgs),
    /// Write a versioned, checksummed backup of the database to FILE (independent of the
    /// store's on-disk format; indexes and constraints included).
    Dump(DumpArgs),
    /// Rebuild the database from a dump FILE. The database must be new or empty; a damaged,
    /// truncated or foreign file is refused and the database left as it was.
    Restore(DumpArgs),
    /// Rewrite the database into a fresh directory and swap it in, reclaiming the space of
    /// replaced and deleted data (and removing erased values from disk). Needs the database
    /// to be closed by every other process.
    Compact,
    /// Draw the nodes and relationships a query returns as SVG, Graphviz DOT or Mermaid.
    Show(ShowArgs),
}

#[derive(Debug, clap::Args)]
pub struct ShowArgs {
    /// The query whose nodes, relationships and paths are drawn.
    #[arg(long, short)]
    pub query: String,
    /// A query parameter `NAME=VALUE`; the value is read as JSON when it parses, else as a
    /// string (repeatable).
    #[arg(long = "param", short, value_name = "NAME=VALUE")]
    pub params: Vec<String>,
    /// The picture's format.
    #[arg(long, short, default_value = "svg", value_parser = ["svg", "dot", "mermaid"])]
    pub format: String,
    /// Where to write the picture; standard output when absent.
    #[arg(long, short, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    /// The output directory (created; it must not hold files).
    pub dir: PathBuf,
    /// `neo4j-csv`, `jsonl`, `graphml` or `cypher`.
    #[arg(long, short, default_value = "neo4j-csv")]
    pub format: String,
    /// Export only what this query returns (nodes, relationships with their ends, paths).
    #[arg(long, short, value_name = "QUERY")]
    pub query: Option<String>,
}

#[derive(Debug, clap::Args)]
pub struct DumpArgs {
    /// The dump file.
    pub file: PathBuf,
}

#[derive(Debug, clap::Args)]
pub struct InitArgs {
    /// The schema to install.
    #[arg(long, value_parser = ["crm"])]
    pub schema: Option<String>,
}

#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// Files of statements.
    #[arg(value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Run QUERY before the files.
    #[arg(short = 'c', value_name = "QUERY")]
    pub query: Option<String>,
    #[command(flatten)]
    pub script: ScriptOptions,
}

#[derive(Debug, clap::Args)]
pub struct BenchArgs {
    /// The folder of `.cypher` files, run in name order.
    #[arg(long, value_name = "DIR")]
    pub queries: PathBuf,
    /// Parameters: a JSON object, or a bundle manifest whose `parameters` object is used.
    #[arg(long, value_name = "FILE")]
    pub params: Option<PathBuf>,
    /// Warm runs per query, after one cold run.
    #[arg(long, default_value_t = 5)]
    pub runs: usize,
    /// `table` (the default) or `json` (one object per query).
    #[arg(long, value_parser = ["table", "json"])]
    pub format: Option<String>,
}

#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// The bundle directory, holding nodes/ and relationships/ (with --mapping: the directory
    /// of the export's CSV files).
    pub dir: PathBuf,
    /// A mapping file (TOML) saying how the export's files and columns map onto the graph.
    #[arg(long, value_name = "FILE")]
    pub mapping: Option<PathBuf>,
    /// With --mapping: any row error aborts the import with nothing written (by default bad
    /// rows are reported and skipped).
    #[arg(long, requires = "mapping")]
    pub strict: bool,
    /// Also print nodes per label, relationships per type and the time of each phase.
    #[arg(long, short)]
    pub verbose: bool,
    /// Parsing threads (0: one per core).
    #[arg(long, default_value_t = 0)]
    pub threads: usize,
    /// The field delimiter.
    #[arg(long, default_value_t = ',')]
    pub delimiter: char,
    /// The array delimiter (default: the bundle manifest's arrayDelimiter, else ';').
    #[arg(long)]
    pub array_delimiter: Option<char>,
}

/// `--memory-limit`: a size with a unit.
fn parse_memory_limit(text: &str) -> Result<u64, String> {
    crate::db::parse_size(text)
}

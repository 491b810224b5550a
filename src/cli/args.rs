//! The command line's arguments (clap derive); the doc comments are the help text.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

/// Cordial: an embedded customer knowledge graph database with an openCypher-family query
/// language.
#[derive(Debug, Parser)]
#[command(name = "cordial", version)]
pub struct Args {
    /// The database directory.
    #[arg(
        long,
        global = true,
        value_name = "DIR",
        default_value = "./cordial.db"
    )]
    pub db: PathBuf,

    /// The directory `LOAD CSV` reads below (`file:///a.csv` is DIR/a.csv); files outside it
    /// are refused. Default: the current directory.
    #[arg(long, global = true, value_name = "DIR")]
    pub import_dir: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
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
    /// `table` or `json` (one object per query).
    #[arg(long, default_value = "table", value_parser = ["table", "json"])]
    pub format: String,
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

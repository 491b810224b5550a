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

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Build a new database from a CSV bundle in the neo4j-admin header convention
    /// (nodes/<Label>.csv, relationships/<TYPE>.csv). The database must be new or empty; a bad
    /// row stops the import with file:line and leaves the database empty.
    Import(ImportArgs),
    /// Print the number of nodes per label and relationships per type, and the size on disk.
    Stats,
    /// Run a folder of query files against the database, each once cold and then --runs times
    /// warm, and print rows and min / median / max milliseconds per query.
    Bench(BenchArgs),
    /// Create the database if needed and install a schema: `--schema crm` adds the standard
    /// customer schema's unique ids and indexes (the same as `CALL crm.installSchema()`).
    Init(InitArgs),
}

#[derive(Debug, clap::Args)]
pub struct InitArgs {
    /// The schema to install.
    #[arg(long, value_parser = ["crm"])]
    pub schema: Option<String>,
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
    /// The bundle directory, holding nodes/ and relationships/.
    pub dir: PathBuf,
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

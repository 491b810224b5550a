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

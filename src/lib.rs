//! Cordial: an embedded customer knowledge graph database with an openCypher-family query
//! language. See `ARCHITECTURE.md` for the map of modules and their invariants.
#![doc = include_str!("../README.md")]
#![doc(test(attr(deny(warnings))))]

pub mod algo;
pub mod db;
pub mod domain;
pub mod error;
pub mod exec;
pub mod export;
pub mod plan;
pub mod procedure;

pub mod import;
pub mod picture;
pub mod storage;
pub mod syntax;
pub mod value;

#[cfg(feature = "cli")]
pub mod cli;

pub use db::{Database, ReadTxn, Statement, WriteTxn};
pub use error::{Error, ErrorKind, Phase, Result};
pub use value::{List, Map, Node, NodeId, Path, RelId, Relationship, SharedMap, Value};

//! Bulk import of a CSV bundle in the neo4j-admin header convention.

/// Why an import failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ImportError {}

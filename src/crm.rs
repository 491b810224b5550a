//! The customer-management domain as a program embedding Cordial sees it: the bundled sample
//! company (what `cordial demo` opens; `sample::install` writes it in a write transaction) and
//! the standard schema (what `CALL crm.installSchema()` and `cordial init --schema crm`
//! create). Nothing but re-exports: the domain and its `crm.*` procedures live in `domain`,
//! and statements reach the procedures by `CALL`.

pub use crate::domain::{sample, schema};

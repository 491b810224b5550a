//! The customer-management domain: the standard schema, the bundled sample company and the
//! `crm.*` procedures. Knows nothing of the CLI.

pub mod gdpr;
pub mod sample;

use crate::exec::procedures::ProcedureDef;

/// The `crm.*` procedures.
pub static PROCEDURES: &[ProcedureDef] = &[];

//! The standard customer schema's constraints and indexes (`../shared/domain/schema.md`): a
//! unique `id` per core label, and indexes on the properties the `crm.*` procedures and the
//! analyst questions filter on. Installing is idempotent. Knows nothing of the query language.

use crate::procedure::{ProcedureContext, ProcedureError};
use crate::storage::{ConstraintKind, GraphWrite};
use crate::value::Value;

/// The labels whose `id` is unique (every node label of the schema that the sample and the
/// bundles carry).
pub const UNIQUE_IDS: &[&str] = &[
    "Customer",
    "Contact",
    "Staff",
    "Product",
    "Competitor",
    "CompetitorProduct",
    "Interaction",
    "Opportunity",
    "Order",
    "Ticket",
    "Feedback",
    "Commitment",
    "Campaign",
];

/// The (label, property) pairs the procedures and questions select on.
pub const INDEXES: &[(&str, &str)] = &[
    ("Customer", "status"),
    ("Customer", "segment"),
    ("Customer", "name"),
    ("Contact", "email"),
    ("Staff", "email"),
    ("Order", "status"),
    ("Opportunity", "status"),
    ("Ticket", "type"),
    ("Feedback", "kind"),
    ("Commitment", "status"),
    ("Interaction", "purpose"),
];

/// One schema item and whether installing created it (false: it was there already).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Installed {
    pub kind: &'static str,
    pub name: String,
    pub label: &'static str,
    pub property: &'static str,
    pub created: bool,
}

/// Creates whatever of the standard schema the graph lacks. Fails (changing nothing the
/// caller keeps, as the statement rolls back) when existing data breaks a uniqueness rule.
pub(crate) fn install(graph: &mut dyn GraphWrite) -> Result<Vec<Installed>, ProcedureError> {
    let mut out = Vec::new();
    for label in UNIQUE_IDS {
        let existing = graph
            .constraints()
            .into_iter()
            .find(|c| c.label == *label && c.key == "id" && c.kind == ConstraintKind::Unique);
        let (name, created) = match existing {
            Some(c) => (c.name, false),
            None => (
                graph.create_constraint(None, label, "id", ConstraintKind::Unique)?,
                true,
            ),
        };
        out.push(Installed {
            kind: "unique",
            name,
            label,
            property: "id",
            created,
        });
    }
    for (label, key) in INDEXES {
        let existing = graph
            .indexes()
            .into_iter()
            .find(|i| i.label == *label && i.key == *key);
        let (name, created) = match existing {
            Some(i) => (i.name, false),
            None => (graph.create_index(None, label, key)?, true),
        };
        out.push(Installed {
            kind: "index",
            name,
            label,
            property: key,
            created,
        });
    }
    Ok(out)
}

/// `crm.installSchema()`.
pub(crate) fn install_schema(
    _: &[Value],
    ctx: &mut dyn ProcedureContext,
) -> Result<Vec<Vec<Value>>, ProcedureError> {
    let items = install(ctx.graph_mut()?)?;
    Ok(items
        .into_iter()
        .map(|i| {
            vec![
                Value::String(i.kind.into()),
                Value::String(i.name.into()),
                Value::String(i.label.into()),
                Value::String(i.property.into()),
                Value::Bool(i.created),
            ]
        })
        .collect())
}

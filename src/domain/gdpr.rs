//! The data subject's rights (GDPR articles 15 and 17) as procedures:
//! `crm.subjectExport(id)` returns everything held on a Contact or an individual Customer,
//! `crm.forget(id [, by])` erases them.
//!
//! What is personal follows `shared/domain/schema.md`: a Contact is a person, and so is a
//! Customer of `kind` `individual` (a B2C account). Erasure keeps the subject's node as an
//! anonymised placeholder holding only non-personal properties (an allow-list, so unknown
//! custom properties go too), so orders, tickets, interactions and the aggregates over them
//! stay attached and correct; it deletes the relationships that exist only because of who
//! the person is (acquaintance, referral, campaign membership, identity nodes); it replaces
//! the erased strings wherever they appear in the text of directly connected records (an
//! interaction summary naming the person); and it records an `Erasure` node (when, by whom,
//! which property keys and relationship types) that never holds an erased value.
//!
//! After `crm.forget`, a checkpoint and `cordial compact` remove the old bytes from disk too.
//! Knows the graph only through the procedure context.

use std::collections::BTreeSet;

use crate::procedure::{Change, ProcedureContext, ProcedureDef, ProcedureError};
use crate::storage::{Direction, GraphRead, GraphWrite};
use crate::value::{Map, NodeId, Value};

/// The `crm.*` procedures for data subjects' requests.
pub static GDPR_PROCEDURES: &[ProcedureDef] = &[
    ProcedureDef {
        name: "crm.subjectExport",
        min_args: 1,
        max_args: 1,
        outputs: &[
            "kind",
            "label",
            "id",
            "relationship",
            "direction",
            "properties",
        ],
        description: "Right of access (GDPR art. 15): everything held on the Contact or individual \
            Customer with this id. One `subject` row with its properties; one `relationship` row \
            per relationship (the other end's label and id, the type, the direction, the \
            relationship's properties); and one `record` row per interaction, feedback, ticket, \
            order, opportunity or commitment it takes part in, with that record's properties.",
        writes: false,
        call: subject_export,
    },
    ProcedureDef {
        name: "crm.forget",
        min_args: 1,
        max_args: 2,
        outputs: &[
            "erasure",
            "subjects",
            "properties",
            "relationships",
            "scrubbed",
        ],
        description: "Right to erasure (GDPR art. 17): crm.forget(id, by) erases the Contact or \
            individual Customer with this id (an individual Customer's contacts with it). Personal \
            properties are removed (only non-personal ones such as id, status, segment, country \
            and dates are kept) and personal relationships (KNOWS, REPORTS_TO, REFERRED, \
            MEMBER_OF, HAS_EMAIL, HAS_PHONE, POSSIBLE_DUPLICATE) deleted; orders, tickets and \
            interactions stay attached to the anonymised node; the erased strings are replaced \
            by `[erased]` in directly connected records. An `Erasure` node records when, by whom \
            (`by`) and which keys and types were erased, never the values. Yields the Erasure's id, \
            the number of nodes erased, of distinct property keys removed, of relationships \
            deleted and of values scrubbed elsewhere. Run a checkpoint and `cordial compact` \
            afterwards to remove the old bytes from disk.",
        writes: true,
        call: forget,
    },
];

/// Properties an erased node keeps: none identifies a person.
const CONTACT_KEEPS: &[&str] = &["id"];
const CUSTOMER_KEEPS: &[&str] = &[
    "id",
    "kind",
    "status",
    "segment",
    "industry",
    "country",
    "since",
    "churnedOn",
    "walletEstimate",
    "source",
    "lifecycleStage",
];
/// Relationships that exist because of who the person is, deleted by erasure.
const PERSONAL_TYPES: &[&str] = &[
    "KNOWS",
    "REPORTS_TO",
    "REFERRED",
    "MEMBER_OF",
    "HAS_EMAIL",
    "HAS_PHONE",
    "POSSIBLE_DUPLICATE",
];
/// Nodes that only identify a person, deleted with their last relationship.
const IDENTITY_LABELS: &[&str] = &["EmailAddress", "Phone"];
/// The business records a subject takes part in, reported in full by `crm.subjectExport`.
const RECORD_LABELS: &[&str] = &[
    "Interaction",
    "Feedback",
    "Ticket",
    "Order",
    "Opportunity",
    "Commitment",
];
/// Erased strings shorter than this are not searched for in other records: too many false hits.
const MIN_SCRUB_LEN: usize = 3;
const ERASED_TEXT: &str = "[erased]";

fn fail(name: &str, message: impl Into<String>) -> ProcedureError {
    ProcedureError::Failed {
        name: name.to_owned(),
        message: message.into(),
    }
}

fn key_of(graph: &dyn GraphRead, key: u32) -> String {
    graph.key_name(key).unwrap_or("?").to_owned()
}

fn labels_of(graph: &dyn GraphRead, node: NodeId) -> Result<Vec<String>, ProcedureError> {
    Ok(graph
        .node_labels(node)?
        .into_iter()
        .filter_map(|l| graph.label_name(l).map(str::to_owned))
        .collect())
}

fn props_of(graph: &dyn GraphRead, node: NodeId) -> Result<Map, ProcedureError> {
    Ok(graph
        .node_properties(node)?
        .into_iter()
        .map(|(k, v)| (key_of(graph, k), v))
        .collect())
}

/// The data subject with this id: a Contact, or a Customer of kind `individual`.
fn find_subject(
    graph: &dyn GraphRead,
    procedure: &str,
    id: &Value,
) -> Result<(NodeId, &'static str), ProcedureError> {
    if matches!(id, Value::Null) {
        return Err(fail(procedure, "the subject id is null"));
    }
    let Some(id_key) = graph.key_id("id") else {
        return Err(fail(
            procedure,
            format!("no Contact or Customer has id {id}"),
        ));
    };
    for label in ["Contact", "Customer"] {
        let Some(label_id) = graph.label_id(label) else {
            continue;
        };
        let found = graph.nodes_by_property(label_id, id_key, id)?;
        match found.as_slice() {
            [] => continue,
            [node] => {
                if label == "Customer" {
                    let kind = graph
                        .key_id("kind")
                        .map(|k| graph.node_property(*node, k))
                        .transpose()?;
                    if kind != Some(Value::String("individual".into())) {
                        return Err(fail(
                            procedure,
                            format!(
                                "customer {id} is not an individual (its kind is not \
                                 'individual'): only contacts and individual customers are data subjects"
                            ),
                        ));
                    }
                }
                return Ok((*node, label));
            }
            _ => {
                return Err(fail(
                    procedure,
                    format!(
                        "{} {label} nodes have id {id}; ids must be unique",
                        found.len()
                    ),
                ));
            }
        }
    }
    Err(fail(
        procedure,
        format!("no Contact or Customer has id {id}"),
    ))
}

/// A node's `id` property, or its internal id when it has none.
fn identity(graph: &dyn GraphRead, node: NodeId) -> Result<Value, ProcedureError> {
    let id = match graph.key_id("id") {
        Some(key) => graph.node_property(node, key)?,
        None => Value::Null,
    };
    Ok(match id {
        Value::Null => Value::Int(i64::try_from(node.0).unwrap_or(i64::MAX)),
        id => id,
    })
}

fn subject_export(
    args: &[Value],
    ctx: &mut dyn ProcedureContext,
) -> Result<Vec<Vec<Value>>, ProcedureError> {
    let graph = ctx.graph();
    let (subject, label) = find_subject(graph, "crm.subjectExport", &args[0])?;
    let mut rows = vec![vec![
        Value::String("subject".into()),
        Value::String(label.into()),
        identity(graph, subject)?,
        Value::Null,
        Value::Null,
        Value::Map((props_of(graph, subject)?).into()),
    ]];
    let mut edges = Vec::new();
    graph.expand(subject, Direction::Both, &[], &mut edges)?;
    for edge in edges {
        let rel_type = graph.type_name(edge.rel_type).unwrap_or("?").to_owned();
        let direction = match edge.direction {
            Direction::Incoming => "incoming",
            _ => "outgoing",
        };
        let labels = labels_of(graph, edge.other)?;
        let other_label = labels.first().cloned().unwrap_or_default();
        let rel_props: Map = graph
            .rel_properties(edge.rel)?
            .into_iter()
            .map(|(k, v)| (key_of(graph, k), v))
            .collect();
        let other_id = identity(graph, edge.other)?;
        rows.push(vec![
            Value::String("relationship".into()),
            Value::String(other_label.clone().into()),
            other_id.clone(),
            Value::String(rel_type.clone().into()),
            Value::String(direction.into()),
            Value::Map(rel_props.into()),
        ]);
        if let Some(record) = labels.iter().find(|l| RECORD_LABELS.contains(&l.as_str())) {
            rows.push(vec![
                Value::String("record".into()),
                Value::String(record.clone().into()),
                other_id,
                Value::String(rel_type.into()),
                Value::String(direction.into()),
                Value::Map((props_of(graph, edge.other)?).into()),
            ]);
        }
    }
    Ok(rows)
}

/// The strings of a value (a string, or the strings of a list) worth searching for elsewhere.
fn strings_of(value: &Value, out: &mut BTreeSet<String>) {
    match value {
        Value::String(s) if s.chars().count() >= MIN_SCRUB_LEN => {
            out.insert(s.to_string());
        }
        Value::List(items) => items.iter().for_each(|v| strings_of(v, out)),
        _ => {}
    }
}

/// The value with every erased string replaced, or `None` when it holds none.
fn scrub(value: &Value, erased: &BTreeSet<String>) -> Option<Value> {
    match value {
        Value::String(s) => {
            // Longest first, so that a full name goes before a part of it.
            let mut by_length: Vec<&String> = erased.iter().collect();
            by_length.sort_by_key(|e| std::cmp::Reverse(e.len()));
            let mut text = s.clone();
            for e in by_length {
                if text.contains(e.as_str()) {
                    text = text.replace(e.as_str(), ERASED_TEXT).into();
                }
            }
            (text != *s).then_some(Value::String(text))
        }
        Value::List(items) => {
            let scrubbed: Vec<Option<Value>> = items.iter().map(|v| scrub(v, erased)).collect();
            if scrubbed.iter().all(Option::is_none) {
                return None;
            }
            Some(Value::List(
                scrubbed
                    .into_iter()
                    .zip(items)
                    .map(|(new, old)| new.unwrap_or_else(|| old.clone()))
                    .collect(),
            ))
        }
        _ => None,
    }
}

/// What one erasure removed, for the `Erasure` record (names and counts only).
#[derive(Default)]
struct Erased {
    subjects: Vec<Value>,
    keys: BTreeSet<String>,
    types: BTreeSet<String>,
    relationships: u64,
    identity_nodes: u64,
    scrubbed: u64,
}

fn erase_node(
    graph: &mut dyn GraphWrite,
    node: NodeId,
    keeps: &[&str],
    erased: &mut Erased,
) -> Result<(), ProcedureError> {
    erased.subjects.push(identity(graph, node)?);
    let mut values = BTreeSet::new();
    for (key, value) in graph.node_properties(node)? {
        let name = key_of(graph, key);
        if !keeps.contains(&name.as_str()) {
            strings_of(&value, &mut values);
            graph.set_node_property(node, key, Value::Null)?;
            erased.keys.insert(name);
        }
    }
    let mut edges = Vec::new();
    graph.expand(node, Direction::Both, &[], &mut edges)?;
    let mut neighbours = BTreeSet::new();
    for edge in &edges {
        let rel_type = graph.type_name(edge.rel_type).unwrap_or("?").to_owned();
        if PERSONAL_TYPES.contains(&rel_type.as_str()) {
            for (_, value) in graph.rel_properties(edge.rel)? {
                strings_of(&value, &mut values);
            }
            graph.delete_relationship(edge.rel)?;
            erased.relationships += 1;
            erased.types.insert(rel_type);
            let other_labels = labels_of(graph, edge.other)?;
            if other_labels
                .iter()
                .any(|l| IDENTITY_LABELS.contains(&l.as_str()))
            {
                for (_, value) in graph.node_properties(edge.other)? {
                    strings_of(&value, &mut values);
                }
                let mut rest = Vec::new();
                graph.expand(edge.other, Direction::Both, &[], &mut rest)?;
                if rest.is_empty() {
                    graph.delete_node(edge.other)?;
                    erased.identity_nodes += 1;
                }
            }
        } else {
            neighbours.insert((edge.rel, edge.other));
        }
    }
    // The erased strings leave the records the subject stays attached to, and those links.
    for (rel, other) in neighbours {
        for (key, value) in graph.rel_properties(rel)? {
            if let Some(clean) = scrub(&value, &values) {
                graph.set_rel_property(rel, key, clean)?;
                erased.scrubbed += 1;
            }
        }
        if other == node {
            continue;
        }
        for (key, value) in graph.node_properties(other)? {
            if let Some(clean) = scrub(&value, &values) {
                graph.set_node_property(other, key, clean)?;
                erased.scrubbed += 1;
            }
        }
    }
    let flag = graph.intern_key("erased")?;
    graph.set_node_property(node, flag, Value::Bool(true))?;
    Ok(())
}

fn forget(
    args: &[Value],
    ctx: &mut dyn ProcedureContext,
) -> Result<Vec<Vec<Value>>, ProcedureError> {
    let by = match args.get(1) {
        None | Some(Value::Null) => "unspecified".to_owned(),
        Some(Value::String(s)) => s.to_string(),
        Some(other) => {
            return Err(ProcedureError::Type(format!(
                "crm.forget: `by` must be a string, not {other}"
            )));
        }
    };
    let now = ctx.now().clone();
    let graph = ctx.graph_mut()?;
    let (subject, label) = find_subject(&*graph, "crm.forget", &args[0])?;
    let mut erased = Erased::default();
    let before_stats = (graph.count_nodes(None)?, graph.count_relationships(None)?);
    if label == "Customer" {
        // An individual customer's contacts are the same person.
        let mut contacts = Vec::new();
        if let Some(works_at) = graph.type_id("WORKS_AT") {
            graph.expand(subject, Direction::Incoming, &[works_at], &mut contacts)?;
        }
        let contact_label = graph.label_id("Contact");
        for edge in contacts {
            if contact_label.is_some_and(|l| graph.node_has_label(edge.other, l).unwrap_or(false)) {
                erase_node(graph, edge.other, CONTACT_KEEPS, &mut erased)?;
            }
        }
        erase_node(graph, subject, CUSTOMER_KEEPS, &mut erased)?;
    } else {
        erase_node(graph, subject, CONTACT_KEEPS, &mut erased)?;
    }

    let first_id = erased.subjects.last().cloned().unwrap_or(Value::Null);
    let erasure_id = format!("erasure-{}-{}", display_id(&first_id), now);
    let mut props = Vec::new();
    for (key, value) in [
        ("id", Value::String(erasure_id.clone().into())),
        ("at", Value::DateTime(now)),
        ("by", Value::String(by.into())),
        ("subjectLabel", Value::String(label.into())),
        ("subjects", Value::List(erased.subjects.clone().into())),
        (
            "erasedProperties",
            Value::List(erased.keys.iter().cloned().map(Value::from).collect()),
        ),
        (
            "removedRelationshipTypes",
            Value::List(erased.types.iter().cloned().map(Value::from).collect()),
        ),
        (
            "removedRelationships",
            Value::Int(i64::try_from(erased.relationships).unwrap_or(i64::MAX)),
        ),
        (
            "scrubbedValues",
            Value::Int(i64::try_from(erased.scrubbed).unwrap_or(i64::MAX)),
        ),
    ] {
        props.push((graph.intern_key(key)?, value));
    }
    let erasure_label = graph.intern_label("Erasure")?;
    let erasure = graph.create_node(&[erasure_label], props)?;
    let erased_type = graph.intern_type("ERASED")?;
    graph.create_relationship(erased_type, erasure, subject, Vec::new())?;

    let after = (graph.count_nodes(None)?, graph.count_relationships(None)?);
    ctx.record(Change::NodesCreated, 1);
    ctx.record(Change::RelationshipsCreated, 1);
    ctx.record(
        Change::NodesDeleted,
        (before_stats.0 + 1).saturating_sub(after.0),
    );
    ctx.record(Change::RelationshipsDeleted, erased.relationships);
    ctx.record(Change::PropertiesRemoved, erased.keys.len() as u64);
    ctx.record(Change::PropertiesSet, erased.scrubbed);
    Ok(vec![vec![
        Value::String(erasure_id.into()),
        Value::Int(erased.subjects.len() as i64),
        Value::Int(erased.keys.len() as i64),
        Value::Int(i64::try_from(erased.relationships).unwrap_or(i64::MAX)),
        Value::Int(i64::try_from(erased.scrubbed).unwrap_or(i64::MAX)),
    ]])
}

fn display_id(id: &Value) -> String {
    match id {
        Value::String(s) => s.to_string(),
        other => other.to_string(),
    }
}

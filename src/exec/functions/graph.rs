//! Graph functions: `id`, `elementId`, `labels`, `type`, `properties`, `keys`, `startNode`,
//! `endNode`, `nodes`, `relationships`, `length`.
//!
//! Node and relationship arguments are executor references (their labels, type and properties
//! are empty), so everything but ids is read through `FnContext::graph`; a deleted entity is
//! an `EntityNotFound` error from storage. `keys` and `properties` also accept maps.

use super::string::count;
use super::{FunctionDef, arg, def, type_error};
use crate::exec::{ExecError, FnContext, node_ref, rel_ref};
use crate::storage::{GraphRead, KeyId};
use crate::value::{Map, Relationship, Value};

pub(super) static FUNCTIONS: &[FunctionDef] = &[
    def("id", 1, Some(1), id),
    def("elementId", 1, Some(1), element_id),
    def("labels", 1, Some(1), labels),
    def("type", 1, Some(1), rel_type),
    def("properties", 1, Some(1), properties),
    def("keys", 1, Some(1), keys),
    def("startNode", 1, Some(1), start_node),
    def("endNode", 1, Some(1), end_node),
    def("nodes", 1, Some(1), nodes),
    def("relationships", 1, Some(1), relationships),
    def("length", 1, Some(1), length),
];

/// An id as an integer value (ids stay far below `i64::MAX`).
fn id_value(id: u64) -> Value {
    Value::Int(i64::try_from(id).unwrap_or(i64::MAX))
}

fn id(args: &[Value], _: &FnContext<'_>) -> Result<Value, ExecError> {
    match arg(args, 0) {
        Value::Null => Ok(Value::Null),
        Value::Node(node) => Ok(id_value(node.id.0)),
        Value::Relationship(rel) => Ok(id_value(rel.id.0)),
        other => Err(type_error("id", "a node or relationship", other)),
    }
}

/// `elementId(x)`: the id as a string. Nodes and relationships have separate id spaces, so an
/// element id identifies an entity only together with its kind.
fn element_id(args: &[Value], _: &FnContext<'_>) -> Result<Value, ExecError> {
    match arg(args, 0) {
        Value::Null => Ok(Value::Null),
        Value::Node(node) => Ok(Value::String(node.id.0.to_string().into())),
        Value::Relationship(rel) => Ok(Value::String(rel.id.0.to_string().into())),
        other => Err(type_error("elementId", "a node or relationship", other)),
    }
}

fn labels(args: &[Value], ctx: &FnContext<'_>) -> Result<Value, ExecError> {
    match arg(args, 0) {
        Value::Null => Ok(Value::Null),
        Value::Node(node) => {
            let graph = ctx.graph;
            let ids = graph.node_labels(node.id)?;
            Ok(Value::List(
                ids.into_iter()
                    .filter_map(|label| graph.label_name(label))
                    .map(|name| Value::String(name.into()))
                    .collect(),
            ))
        }
        other => Err(type_error("labels", "a node", other)),
    }
}

fn missing_relationship(rel: &Relationship) -> ExecError {
    ExecError::EntityNotFound(format!("relationship {} does not exist", rel.id))
}

fn rel_type(args: &[Value], ctx: &FnContext<'_>) -> Result<Value, ExecError> {
    match arg(args, 0) {
        Value::Null => Ok(Value::Null),
        Value::Relationship(rel) => {
            let info = ctx
                .graph
                .relationship(rel.id)?
                .ok_or_else(|| missing_relationship(rel))?;
            Ok(ctx
                .graph
                .type_name(info.rel_type)
                .map(|name| Value::String(name.into()))
                .unwrap_or(Value::Null))
        }
        other => Err(type_error("type", "a relationship", other)),
    }
}

fn named(graph: &dyn GraphRead, props: Vec<(KeyId, Value)>) -> Map {
    props
        .into_iter()
        .filter_map(|(key, value)| graph.key_name(key).map(|name| (name.to_owned(), value)))
        .collect()
}

/// The properties of a node or relationship reference, read from the graph.
fn entity_properties(value: &Value, ctx: &FnContext<'_>) -> Result<Option<Map>, ExecError> {
    Ok(match value {
        Value::Node(node) => Some(named(ctx.graph, ctx.graph.node_properties(node.id)?)),
        Value::Relationship(rel) => Some(named(ctx.graph, ctx.graph.rel_properties(rel.id)?)),
        _ => None,
    })
}

fn properties(args: &[Value], ctx: &FnContext<'_>) -> Result<Value, ExecError> {
    match arg(args, 0) {
        Value::Null => Ok(Value::Null),
        Value::Map(map) => Ok(Value::Map(map.clone())),
        other => entity_properties(other, ctx)?
            .map(|map| Value::Map(map.into()))
            .ok_or_else(|| type_error("properties", "a node, relationship or map", other)),
    }
}

/// `keys(x)`: the property keys of a node or relationship, or the keys of a map, sorted.
fn keys(args: &[Value], ctx: &FnContext<'_>) -> Result<Value, ExecError> {
    let map = match arg(args, 0) {
        Value::Null => return Ok(Value::Null),
        Value::Map(map) => return Ok(map.keys().cloned().map(Value::from).collect()),
        other => entity_properties(other, ctx)?
            .ok_or_else(|| type_error("keys", "a node, relationship or map", other))?,
    };
    Ok(map.into_keys().map(Value::from).collect())
}

fn endpoint(name: &str, args: &[Value], start: bool) -> Result<Value, ExecError> {
    match arg(args, 0) {
        Value::Null => Ok(Value::Null),
        Value::Relationship(rel) => Ok(node_ref(if start { rel.start } else { rel.end })),
        other => Err(type_error(name, "a relationship", other)),
    }
}

fn start_node(args: &[Value], _: &FnContext<'_>) -> Result<Value, ExecError> {
    endpoint("startNode", args, true)
}

fn end_node(args: &[Value], _: &FnContext<'_>) -> Result<Value, ExecError> {
    endpoint("endNode", args, false)
}

fn nodes(args: &[Value], _: &FnContext<'_>) -> Result<Value, ExecError> {
    match arg(args, 0) {
        Value::Null => Ok(Value::Null),
        Value::Path(path) => Ok(Value::List(
            path.nodes.iter().map(|node| node_ref(node.id)).collect(),
        )),
        other => Err(type_error("nodes", "a path", other)),
    }
}

fn relationships(args: &[Value], _: &FnContext<'_>) -> Result<Value, ExecError> {
    match arg(args, 0) {
        Value::Null => Ok(Value::Null),
        Value::Path(path) => Ok(Value::List(
            path.relationships
                .iter()
                .map(|rel| rel_ref(rel.id, rel.start, rel.end))
                .collect(),
        )),
        other => Err(type_error("relationships", "a path", other)),
    }
}

/// `length(path)`: the number of relationships.
fn length(args: &[Value], _: &FnContext<'_>) -> Result<Value, ExecError> {
    match arg(args, 0) {
        Value::Null => Ok(Value::Null),
        Value::Path(path) => Ok(Value::Int(count(path.relationships.len()))),
        other => Err(type_error("length", "a path", other)),
    }
}

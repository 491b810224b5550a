//! Results leaving the executor: node, relationship and path references are filled in with
//! labels, type and properties read from the graph, inside lists and maps too.

use crate::storage::GraphRead;
use crate::value::{Map, Node, Path, Relationship, Value};

use super::ExecError;

fn node(graph: &dyn GraphRead, n: &Node) -> Result<Node, ExecError> {
    if !graph.node_exists(n.id)? {
        // Deleted by this statement: what is known is the id.
        return Ok(n.clone());
    }
    let labels = graph
        .node_labels(n.id)?
        .into_iter()
        .map(|l| graph.label_name(l).unwrap_or("?").to_owned())
        .collect();
    let properties = graph
        .node_properties(n.id)?
        .into_iter()
        .map(|(k, v)| (graph.key_name(k).unwrap_or("?").to_owned(), v))
        .collect::<Map>();
    Ok(Node {
        id: n.id,
        labels,
        properties,
    })
}

fn relationship(graph: &dyn GraphRead, r: &Relationship) -> Result<Relationship, ExecError> {
    let Some(info) = graph.relationship(r.id)? else {
        return Ok(r.clone());
    };
    let properties = graph
        .rel_properties(r.id)?
        .into_iter()
        .map(|(k, v)| (graph.key_name(k).unwrap_or("?").to_owned(), v))
        .collect::<Map>();
    Ok(Relationship {
        id: r.id,
        rel_type: graph.type_name(info.rel_type).unwrap_or("?").to_owned(),
        start: info.start,
        end: info.end,
        properties,
    })
}

/// Whether `value` is or holds a node, relationship or path, which `materialize` fills in.
fn holds_entity(value: &Value) -> bool {
    match value {
        Value::Node(_) | Value::Relationship(_) | Value::Path(_) => true,
        Value::List(items) => items.iter().any(holds_entity),
        Value::Map(map) => map.values().any(holds_entity),
        _ => false,
    }
}

/// Fills in every node, relationship and path inside `value`.
pub fn materialize(graph: &dyn GraphRead, value: Value) -> Result<Value, ExecError> {
    Ok(match value {
        Value::Node(n) => Value::Node(Box::new(node(graph, &n)?)),
        Value::Relationship(r) => Value::Relationship(Box::new(relationship(graph, &r)?)),
        Value::Path(p) => Value::Path(Box::new(Path {
            nodes: p
                .nodes
                .iter()
                .map(|n| node(graph, n))
                .collect::<Result<_, _>>()?,
            relationships: p
                .relationships
                .iter()
                .map(|r| relationship(graph, r))
                .collect::<Result<_, _>>()?,
        })),
        // A list or map with no entity in it leaves as it is: shared, not rebuilt.
        Value::List(items) if !items.iter().any(holds_entity) => Value::List(items),
        Value::List(items) => Value::List(
            items
                .into_iter()
                .map(|v| materialize(graph, v))
                .collect::<Result<_, _>>()?,
        ),
        Value::Map(map) if !map.values().any(holds_entity) => Value::Map(map),
        Value::Map(map) => Value::Map(
            map.into_iter()
                .map(|(k, v)| Ok((k, materialize(graph, v)?)))
                .collect::<Result<_, ExecError>>()?,
        ),
        other => other,
    })
}

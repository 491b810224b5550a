//! The writing clauses: CREATE, SET / REMOVE (and MERGE's actions), DELETE. Each change goes
//! through `GraphWrite` and is counted in the statement's side-effect statistics.

use crate::plan::logical::{CreatePattern, Expr, SetOp};
use crate::storage::Direction;
use crate::value::{Map, NodeId, Path, RelId, Value};

use super::context::Context;
use super::eval::{Slots, all_properties, eval};
use super::{ExecError, node_ref, rel_ref};

fn props_of(ctx: &mut Context<'_>, expr: Option<&Expr>, row: &mut Slots) -> Result<Map, ExecError> {
    match expr {
        None => Ok(Map::new()),
        Some(e) => match eval(ctx, e, row)? {
            Value::Map(m) => Ok(m.into_map()),
            Value::Null => Ok(Map::new()),
            other => Err(ExecError::Type(format!(
                "properties must be a map, found {}",
                other.type_name()
            ))),
        },
    }
}

/// Checks a value can be stored as a property (the storage layer refuses the rest, but the
/// openCypher error class is decided here).
fn storable(value: &Value) -> Result<(), ExecError> {
    match value {
        Value::Map(_) | Value::Node(_) | Value::Relationship(_) | Value::Path(_) => {
            Err(ExecError::Type(format!(
                "{} cannot be stored as a property",
                value.type_name()
            )))
        }
        Value::List(items) => {
            for item in items {
                if matches!(item, Value::List(_)) || !item.is_null() && storable(item).is_err() {
                    return Err(ExecError::Type(
                        "a property list holds only primitive values".into(),
                    ));
                }
            }
            Ok(())
        }
        _ => Ok(()),
    }
}

fn interned_props(ctx: &mut Context<'_>, props: Map) -> Result<Vec<(u32, Value)>, ExecError> {
    let mut out = Vec::with_capacity(props.len());
    for (k, v) in props {
        if v.is_null() {
            continue;
        }
        storable(&v)?;
        let key = ctx.write()?.intern_key(&k)?;
        out.push((key, v));
    }
    Ok(out)
}

/// MERGE cannot create what it could never match again: a property equal to null.
pub(crate) fn check_merge_properties(
    ctx: &mut Context<'_>,
    pattern: &CreatePattern,
    row: &Slots,
) -> Result<(), ExecError> {
    let mut row = row.clone();
    let exprs = pattern
        .nodes
        .iter()
        .filter(|n| !n.bound)
        .filter_map(|n| n.properties.as_ref());
    let exprs: Vec<&Expr> = exprs
        .chain(pattern.rels.iter().filter_map(|r| r.properties.as_ref()))
        .collect();
    for expr in exprs {
        if let Value::Map(map) = eval(ctx, expr, &mut row)?
            && let Some((key, _)) = map.iter().find(|(_, v)| v.is_null())
        {
            return Err(ExecError::Semantic(format!(
                "cannot MERGE with property `{key}` null: it could never be matched"
            )));
        }
    }
    Ok(())
}

/// Creates the nodes and relationships of a pattern for one row.
pub(crate) fn create(
    ctx: &mut Context<'_>,
    pattern: &CreatePattern,
    row: &mut Slots,
) -> Result<(), ExecError> {
    let mut ids: Vec<NodeId> = Vec::with_capacity(pattern.nodes.len());
    for node in &pattern.nodes {
        if node.bound {
            match &row[node.slot] {
                Value::Node(n) => ids.push(n.id),
                other => {
                    return Err(ExecError::Type(format!(
                        "cannot create a relationship to {}",
                        other.type_name()
                    )));
                }
            }
            continue;
        }
        let props = props_of(ctx, node.properties.as_ref(), row)?;
        let props = interned_props(ctx, props)?;
        let graph = ctx.write()?;
        let mut labels = Vec::with_capacity(node.labels.len());
        for l in &node.labels {
            let id = graph.intern_label(l)?;
            if !labels.contains(&id) {
                labels.push(id);
            }
        }
        let n_props = props.len() as u64;
        let id = graph.create_node(&labels, props)?;
        ctx.stats.nodes_created += 1;
        ctx.stats.labels_added += labels.len() as u64;
        ctx.stats.properties_set += n_props;
        row[node.slot] = node_ref(id);
        ids.push(id);
    }
    let mut rel_ids: Vec<(RelId, NodeId, NodeId)> = Vec::with_capacity(pattern.rels.len());
    for rel in &pattern.rels {
        let (start, end) = (ids[rel.start], ids[rel.end]);
        let props = props_of(ctx, rel.properties.as_ref(), row)?;
        let props = interned_props(ctx, props)?;
        let n_props = props.len() as u64;
        let graph = ctx.write()?;
        let rel_type = graph.intern_type(&rel.rel_type)?;
        let id = graph.create_relationship(rel_type, start, end, props)?;
        ctx.stats.relationships_created += 1;
        ctx.stats.properties_set += n_props;
        row[rel.slot] = rel_ref(id, start, end);
        rel_ids.push((id, start, end));
    }
    for path in &pattern.paths {
        let nodes = path
            .nodes
            .iter()
            .map(|&i| crate::value::Node {
                id: ids[i],
                labels: Vec::new(),
                properties: Map::new(),
            })
            .collect();
        let relationships = path
            .rels
            .iter()
            .map(|&i| {
                let (id, start, end) = rel_ids[i];
                crate::value::Relationship {
                    id,
                    rel_type: String::new(),
                    start,
                    end,
                    properties: Map::new(),
                }
            })
            .collect();
        row[path.slot] = Value::Path(Box::new(Path {
            nodes,
            relationships,
        }));
    }
    Ok(())
}

enum Entity {
    Node(NodeId),
    Rel(RelId),
}

fn entity(value: &Value) -> Result<Option<Entity>, ExecError> {
    match value {
        Value::Null => Ok(None),
        Value::Node(n) => Ok(Some(Entity::Node(n.id))),
        Value::Relationship(r) => Ok(Some(Entity::Rel(r.id))),
        other => Err(ExecError::Type(format!(
            "expected a node or relationship, found {}",
            other.type_name()
        ))),
    }
}

fn set_property(
    ctx: &mut Context<'_>,
    target: &Entity,
    key: &str,
    value: Value,
) -> Result<(), ExecError> {
    storable(&value)?;
    let removing = value.is_null();
    let graph = ctx.write()?;
    let key = graph.intern_key(key)?;
    let had = match target {
        Entity::Node(n) => !graph.node_property(*n, key)?.is_null(),
        Entity::Rel(r) => !graph.rel_property(*r, key)?.is_null(),
    };
    match target {
        Entity::Node(n) => graph.set_node_property(*n, key, value)?,
        Entity::Rel(r) => graph.set_rel_property(*r, key, value)?,
    }
    if removing {
        if had {
            ctx.stats.properties_removed += 1;
        }
    } else {
        ctx.stats.properties_set += 1;
    }
    Ok(())
}

fn map_of(ctx: &Context<'_>, value: &Value) -> Result<Map, ExecError> {
    match value {
        Value::Map(m) => Ok(m.clone().into_map()),
        Value::Node(_) | Value::Relationship(_) => {
            Ok(all_properties(ctx, value)?.into_iter().collect())
        }
        Value::Null => Ok(Map::new()),
        other => Err(ExecError::Type(format!(
            "expected a map of properties, found {}",
            other.type_name()
        ))),
    }
}

/// Applies SET and REMOVE items in order.
pub(crate) fn set(ctx: &mut Context<'_>, ops: &[SetOp], row: &mut Slots) -> Result<(), ExecError> {
    for op in ops {
        match op {
            SetOp::Property { target, key, value } => {
                let target = eval(ctx, target, row)?;
                let value = eval(ctx, value, row)?;
                if let Some(e) = entity(&target)? {
                    set_property(ctx, &e, key, value)?;
                }
            }
            SetOp::RemoveProperty { target, key } => {
                let target = eval(ctx, target, row)?;
                if let Some(e) = entity(&target)? {
                    set_property(ctx, &e, key, Value::Null)?;
                }
            }
            SetOp::Replace { slot, value } | SetOp::Merge { slot, value } => {
                let replace = matches!(op, SetOp::Replace { .. });
                let value = eval(ctx, value, row)?;
                let target = row[*slot].clone();
                let Some(e) = entity(&target)? else { continue };
                let map = map_of(ctx, &value)?;
                if replace {
                    for (key, _) in all_properties(ctx, &target)? {
                        if !map.contains_key(&key) {
                            set_property(ctx, &e, &key, Value::Null)?;
                        }
                    }
                }
                for (key, v) in map {
                    set_property(ctx, &e, &key, v)?;
                }
            }
            SetOp::Labels { slot, labels } => {
                let Some(Entity::Node(n)) = entity(&row[*slot])? else {
                    if row[*slot].is_null() {
                        continue;
                    }
                    return Err(ExecError::Type("labels can only be set on nodes".into()));
                };
                for label in labels {
                    let graph = ctx.write()?;
                    let id = graph.intern_label(label)?;
                    if graph.add_label(n, id)? {
                        ctx.stats.labels_added += 1;
                    }
                }
            }
            SetOp::RemoveLabels { slot, labels } => {
                let Some(Entity::Node(n)) = entity(&row[*slot])? else {
                    if row[*slot].is_null() {
                        continue;
                    }
                    return Err(ExecError::Type(
                        "labels can only be removed from nodes".into(),
                    ));
                };
                for label in labels {
                    let graph = ctx.write()?;
                    if let Some(id) = graph.label_id(label)
                        && graph.remove_label(n, id)?
                    {
                        ctx.stats.labels_removed += 1;
                    }
                }
            }
        }
    }
    Ok(())
}

/// DELETE over all rows of the clause: relationships first, then nodes, so that deleting a node
/// and its relationships in one clause works whatever the row order.
pub(crate) fn delete(
    ctx: &mut Context<'_>,
    exprs: &[Expr],
    detach: bool,
    mut rows: Vec<Slots>,
) -> Result<Vec<Slots>, ExecError> {
    let mut nodes: Vec<NodeId> = Vec::new();
    let mut rels: Vec<RelId> = Vec::new();
    fn collect(
        value: &Value,
        nodes: &mut Vec<NodeId>,
        rels: &mut Vec<RelId>,
    ) -> Result<(), ExecError> {
        match value {
            Value::Null => {}
            Value::Node(n) => nodes.push(n.id),
            Value::Relationship(r) => rels.push(r.id),
            Value::Path(p) => {
                rels.extend(p.relationships.iter().map(|r| r.id));
                nodes.extend(p.nodes.iter().map(|n| n.id));
            }
            Value::List(items) => {
                for item in items {
                    collect(item, nodes, rels)?;
                }
            }
            other => {
                return Err(ExecError::Type(format!(
                    "DELETE takes nodes, relationships or paths, not {}",
                    other.type_name()
                )));
            }
        }
        Ok(())
    }
    for row in &mut rows {
        for e in exprs {
            let value = eval(ctx, e, row)?;
            collect(&value, &mut nodes, &mut rels)?;
        }
    }
    rels.sort_unstable();
    rels.dedup();
    for rel in rels {
        let graph = ctx.write()?;
        if graph.relationship(rel)?.is_some() {
            graph.delete_relationship(rel)?;
            ctx.stats.relationships_deleted += 1;
        }
    }
    let mut seen = std::collections::HashSet::new();
    for node in nodes {
        if !seen.insert(node) {
            continue;
        }
        let graph = ctx.write()?;
        if !graph.node_exists(node)? {
            continue;
        }
        let labels = graph.node_labels(node)?.len() as u64;
        if detach {
            let mut edges = Vec::new();
            graph.expand(node, Direction::Both, &[], &mut edges)?;
            let deleted = graph.detach_delete_node(node)?;
            ctx.stats.relationships_deleted += deleted;
        } else {
            graph.delete_node(node)?;
        }
        ctx.stats.nodes_deleted += 1;
        let _ = labels;
    }
    Ok(rows)
}

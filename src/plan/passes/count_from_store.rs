//! Counts the store keeps: a query that only counts nodes (of a label), relationships (of a
//! type) or nodes per label reads the counts from the store's metadata instead of visiting
//! every node. Applies at the start of a top-level pipeline only, to these shapes:
//!
//! - `MATCH (n[:L]) RETURN count(*)` (or `count(n)`): one row, the node count;
//! - `MATCH ()-[r[:T]]->() RETURN count(*)` (or `count(r)`, either direction): one row;
//! - `MATCH (n) UNWIND labels(n) AS l RETURN l, count(*)`: one row per label that has nodes.
//!
//! Anything else in the pattern (a property map, a WHERE, several labels, a bound or named
//! end node that is read later) leaves the plan as it was.

use crate::plan::catalog::Catalog;
use crate::plan::error::PlanError;
use crate::plan::logical::{
    Aggregate, CountSource, Direction, Expr, MatchStep, NodeSource, Operator, Pattern, QueryPlan,
    Slot,
};

pub(crate) fn run(mut plan: QueryPlan, _: &dyn Catalog) -> Result<QueryPlan, PlanError> {
    for branch in &mut plan.branches {
        let ops = &mut branch.operators;
        if let Some((consumed, counts)) = rewrite(ops) {
            ops.splice(0..consumed, [counts]);
        }
    }
    Ok(plan)
}

/// The operator that replaces the first `n` operators, when they have a counted shape.
fn rewrite(ops: &[Operator]) -> Option<(usize, Operator)> {
    let Some(Operator::Match {
        pattern,
        optional: false,
    }) = ops.first()
    else {
        return None;
    };
    if let Some((slot, label)) = lone_node(pattern) {
        match &ops[1..] {
            [
                Operator::Aggregate {
                    keys, aggregates, ..
                },
                ..,
            ] if keys.is_empty() => {
                let count = counted(aggregates, &[slot])?;
                return Some((
                    2,
                    Operator::StoreCount {
                        source: CountSource::Nodes(label),
                        key: None,
                        count,
                    },
                ));
            }
            [
                Operator::Unwind {
                    expr: Expr::Function { name, args },
                    slot: label_slot,
                },
                Operator::Aggregate {
                    keys, aggregates, ..
                },
                ..,
            ] if label.is_none()
                && name == "labels"
                && matches!(args.as_slice(), [Expr::Slot(s)] if *s == slot) =>
            {
                let [(key, Expr::Slot(k))] = keys.as_slice() else {
                    return None;
                };
                if k != label_slot {
                    return None;
                }
                let count = counted(aggregates, &[slot, *label_slot])?;
                return Some((
                    3,
                    Operator::StoreCount {
                        source: CountSource::NodesPerLabel,
                        key: Some(*key),
                        count,
                    },
                ));
            }
            _ => return None,
        }
    }
    let (rel_slot, rel_type) = lone_relationship(pattern)?;
    match &ops[1..] {
        [
            Operator::Aggregate {
                keys, aggregates, ..
            },
            ..,
        ] if keys.is_empty() => {
            let count = counted(aggregates, &[rel_slot])?;
            Some((
                2,
                Operator::StoreCount {
                    source: CountSource::Relationships(rel_type),
                    key: None,
                    count,
                },
            ))
        }
        _ => None,
    }
}

/// `(n)` or `(n:L)`, unbound, with nothing else to check: its slot and label.
fn lone_node(pattern: &Pattern) -> Option<(Slot, Option<String>)> {
    let [node] = pattern.nodes.as_slice() else {
        return None;
    };
    if node.bound || node.properties.is_some() || !pattern.rels.is_empty() {
        return None;
    }
    if !pattern.paths.is_empty() || node.labels.len() > 1 {
        return None;
    }
    match pattern.steps.as_slice() {
        [
            MatchStep::Start {
                source: NodeSource::AllNodes,
                ..
            },
        ] if node.labels.is_empty() => Some((node.slot, None)),
        [
            MatchStep::Start {
                source: NodeSource::Label(label),
                ..
            },
        ] if node.labels == [label.clone()] => Some((node.slot, Some(label.clone()))),
        _ => None,
    }
}

/// `()-[r[:T]]->()` (either direction), every part unbound and unconstrained: the
/// relationship's slot and type.
fn lone_relationship(pattern: &Pattern) -> Option<(Slot, Option<String>)> {
    let [rel] = pattern.rels.as_slice() else {
        return None;
    };
    let plain = pattern
        .nodes
        .iter()
        .all(|n| !n.bound && n.labels.is_empty() && n.properties.is_none());
    if !plain || pattern.nodes.len() != 2 || !pattern.paths.is_empty() {
        return None;
    }
    if rel.bound || rel.properties.is_some() || rel.length.is_some() || rel.types.len() > 1 {
        return None;
    }
    if rel.direction == Direction::Both || rel.left == rel.right {
        return None;
    }
    if pattern
        .steps
        .iter()
        .any(|s| matches!(s, MatchStep::Filter(_)))
    {
        return None;
    }
    Some((rel.slot, rel.types.first().cloned()))
}

/// The slot of a lone `count(*)` (or `count(x)` of one of `slots`, never null here).
fn counted(aggregates: &[Aggregate], slots: &[Slot]) -> Option<Slot> {
    let [aggregate] = aggregates else {
        return None;
    };
    if aggregate.name != "count" {
        return None;
    }
    match aggregate.args.as_slice() {
        [] => Some(aggregate.slot),
        [Expr::Slot(s)] if slots.contains(s) && !aggregate.distinct => Some(aggregate.slot),
        _ => None,
    }
}

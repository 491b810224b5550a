//! A match whose rows go straight into an aggregation grouped by one of its nodes starts at
//! that node, when scanning it costs no more than walking the relationships the match walks
//! anyway. In `MATCH (c:Customer)<-[:SERVES]-(s:Staff) WITH c, count(s) ...` the smaller label
//! (Staff) would be the start, and the rows would reach the aggregation with their customers in
//! scattered order: every row looks its group up in a table of a million groups. Started at the
//! customers, the rows of one customer come together (the aggregation finds the group it had
//! for the row before) and a parallel run splits the groups between the threads, so their parts
//! never meet.
//!
//! Applies to a non-optional match of one connected component that starts with a label scan,
//! with fixed-length relationships and no named path, followed (through filters and
//! projections only) by an aggregation that groups by the ids of one of the match's labelled
//! nodes. That node becomes the start when its label has no more nodes than the relationships
//! of the types next to it: those relationships are walked whichever end the match starts
//! from. Which rows the match gives does not change, only their order.

use crate::plan::catalog::Catalog;
use crate::plan::error::PlanError;
use crate::plan::logical::{MatchStep, NodeSource, Operator, Pattern, QueryPlan, Slot};
use crate::plan::options::PlanOptions;
use crate::plan::pattern::order_steps;

pub(crate) fn run(mut plan: QueryPlan, catalog: &dyn Catalog) -> Result<QueryPlan, PlanError> {
    for branch in &mut plan.branches {
        let ops = &mut branch.operators;
        for i in 0..ops.len() {
            let Some(keys_of) = grouped_by(&ops[i + 1..]) else {
                continue;
            };
            if let Operator::Match {
                pattern,
                optional: false,
            } = &mut ops[i]
            {
                restart(pattern, &keys_of, catalog);
            }
        }
    }
    Ok(plan)
}

/// The slots an aggregation that `ops` lead to groups by the ids of, when only filters and
/// projections come before it.
fn grouped_by(ops: &[Operator]) -> Option<Vec<Slot>> {
    for op in ops {
        match op {
            Operator::Filter(_) | Operator::Project { .. } => {}
            Operator::Aggregate { keys_of, .. } if !keys_of.is_empty() => {
                return Some(keys_of.clone());
            }
            _ => return None,
        }
    }
    None
}

fn restart(pattern: &mut Pattern, keys_of: &[Slot], catalog: &dyn Catalog) {
    let starts = pattern
        .steps
        .iter()
        .filter(|s| matches!(s, MatchStep::Start { .. }))
        .count();
    let Some(MatchStep::Start {
        node: start,
        source: NodeSource::Label(_),
    }) = pattern
        .steps
        .iter()
        .find(|s| matches!(s, MatchStep::Start { .. }))
    else {
        return;
    };
    if starts != 1
        || !pattern.paths.is_empty()
        || pattern.nodes.iter().any(|n| n.bound)
        || pattern.rels.iter().any(|r| r.bound || r.length.is_some())
        || keys_of.iter().any(|s| pattern.nodes[*start].slot == *s)
    {
        return;
    }
    let Some(group) = pattern.nodes.iter().position(|n| {
        keys_of.contains(&n.slot) && n.labels.iter().any(|l| catalog.label_count(l).is_some())
    }) else {
        return;
    };
    let Some(nodes) = pattern.nodes[group]
        .labels
        .iter()
        .filter_map(|l| catalog.label_count(l))
        .min()
    else {
        return;
    };
    // The relationships of the types next to the grouping node: walked from either end.
    let mut walked = 0u64;
    for rel in pattern
        .rels
        .iter()
        .filter(|r| r.left == group || r.right == group)
    {
        if rel.types.is_empty() {
            return;
        }
        for t in &rel.types {
            walked = walked.saturating_add(catalog.type_count(t).unwrap_or(0));
        }
    }
    if nodes > walked {
        return;
    }
    let filters = pattern
        .steps
        .iter()
        .filter_map(|s| match s {
            MatchStep::Filter(e) => Some(e.clone()),
            _ => None,
        })
        .collect();
    pattern.steps = order_steps(
        &pattern.nodes,
        &pattern.rels,
        &pattern.paths,
        filters,
        catalog,
        PlanOptions::default(),
        Some(group),
    );
}

//! Late property reads past a top-k: in `... RETURN a.x, a.y, a.z ORDER BY a.x LIMIT 20`, only
//! the sort keys are needed to choose the rows; the other properties are read for the 20 rows
//! kept, after the LIMIT, instead of for every row sorted.
//!
//! Applies to a read-only query where a projection is followed by ORDER BY and then SKIP/LIMIT.
//! An item is deferred only when it is a property of a node or single relationship matched by
//! the pipeline (such a read never fails and reads the same value later in the statement), and
//! no sort key reads it; the liveness pass, which runs after this one, keeps the entity's slot
//! alive through the sort.

use crate::plan::catalog::Catalog;
use crate::plan::error::PlanError;
use crate::plan::logical::slots_of;
use crate::plan::logical::{Expr, Operator, QueryPlan, Slot};

pub(crate) fn run(mut plan: QueryPlan, _: &dyn Catalog) -> Result<QueryPlan, PlanError> {
    if plan.writes {
        return Ok(plan);
    }
    for branch in &mut plan.branches {
        let ops = &mut branch.operators;
        let mut k = 0;
        while k + 2 < ops.len() {
            if let Some((deferred, at)) = split(ops, k) {
                ops.insert(
                    at,
                    Operator::Project {
                        items: deferred,
                        keep: Vec::new(),
                    },
                );
            }
            k += 1;
        }
    }
    Ok(plan)
}

/// Slots that hold a node or a single relationship matched before operator `end` (or null,
/// from an OPTIONAL MATCH).
fn entity_slots(ops: &[Operator]) -> Vec<Slot> {
    let mut slots = Vec::new();
    for op in ops {
        if let Operator::Match { pattern, .. } = op {
            slots.extend(pattern.nodes.iter().map(|n| n.slot));
            slots.extend(
                pattern
                    .rels
                    .iter()
                    .filter(|r| r.length.is_none())
                    .map(|r| r.slot),
            );
        }
    }
    slots
}

/// When `ops[k]` is a projection followed by a sort and a SKIP/LIMIT, removes the deferrable
/// items from it and returns them with the index to insert them at (after the LIMIT).
fn split(ops: &mut [Operator], k: usize) -> Option<(Vec<(Slot, Expr)>, usize)> {
    let after_limit = match &ops[k + 1..] {
        [Operator::Sort { .. }, Operator::Limit(_), ..] => k + 3,
        [
            Operator::Sort { .. },
            Operator::Skip(_),
            Operator::Limit(_),
            ..,
        ] => k + 4,
        _ => return None,
    };
    let Operator::Sort { keys } = &ops[k + 1] else {
        return None;
    };
    let mut sorted_on = Vec::new();
    for key in keys {
        slots_of(&key.expr, &mut sorted_on);
    }
    let entities = entity_slots(&ops[..k]);
    let Operator::Project { items, .. } = &mut ops[k] else {
        return None;
    };
    let targets: Vec<Slot> = items.iter().map(|(slot, _)| *slot).collect();
    let deferrable = |(slot, expr): &(Slot, Expr)| {
        !sorted_on.contains(slot)
            && matches!(expr, Expr::Property(base, _)
                if matches!(base.as_ref(), Expr::Slot(s) if entities.contains(s) && !targets.contains(s)))
    };
    if !items.iter().any(deferrable) {
        return None;
    }
    let (deferred, kept): (Vec<_>, Vec<_>) =
        std::mem::take(items).into_iter().partition(deferrable);
    *items = kept;
    Some((deferred, after_limit))
}

//! Choosing how to match a pattern: where each connected component starts (a bound node, an
//! index seek, the smallest label, or all nodes), the order of expansions, and the earliest step
//! at which each WHERE conjunct can be checked. With `PlanOptions::simple`, none of that: the
//! components start in the order of the text, by a label scan or a scan of all nodes, and every
//! conjunct is checked at the end.

use crate::syntax::ast::BinaryOp;

use super::catalog::Catalog;
use super::logical::{
    Expr, MatchStep, NodeSource, PatternNode, PatternPath, PatternRel, Slot, slots_of,
};
use super::options::PlanOptions;

/// Cost classes of a start; lower is better.
fn start_cost(
    node: &PatternNode,
    seek: Option<&(String, String, Expr)>,
    catalog: &dyn Catalog,
) -> (u8, u64) {
    if node.bound {
        return (0, 0);
    }
    if let Some((label, key, _)) = seek
        && catalog.has_index(label, key)
    {
        return (1, 1);
    }
    if let Some(count) = node
        .labels
        .iter()
        .filter_map(|l| catalog.label_count(l))
        .min()
    {
        return (2, count);
    }
    if !node.labels.is_empty() {
        // A label the graph does not have: nothing can match, so start here and stop early.
        return (2, 0);
    }
    (3, u64::MAX)
}

/// A `label.key = value` the node could be looked up by, from its property map or a WHERE
/// conjunct, where `value` reads only slots bound before the pattern.
fn seek_candidate(
    node: &PatternNode,
    filters: &[Expr],
    unbound: &[Slot],
    catalog: &dyn Catalog,
) -> Option<(String, String, Expr)> {
    let independent = |e: &Expr| {
        let mut used = Vec::new();
        slots_of(e, &mut used);
        used.iter().all(|s| !unbound.contains(s))
    };
    let mut candidates: Vec<(String, Expr)> = Vec::new();
    if let Some(Expr::Map(entries)) = &node.properties {
        for (key, value) in entries {
            if independent(value) {
                candidates.push((key.clone(), value.clone()));
            }
        }
    }
    for filter in filters {
        if let Expr::Binary(BinaryOp::Eq, a, b) = filter {
            for (side, other) in [(a, b), (b, a)] {
                if let Expr::Property(base, key) = side.as_ref()
                    && matches!(base.as_ref(), Expr::Slot(s) if *s == node.slot)
                    && independent(other)
                {
                    candidates.push((key.clone(), other.as_ref().clone()));
                }
            }
        }
    }
    let mut best: Option<(String, String, Expr)> = None;
    for label in &node.labels {
        for (key, value) in &candidates {
            if catalog.has_index(label, key) {
                return Some((label.clone(), key.clone(), value.clone()));
            }
            if best.is_none() {
                best = Some((label.clone(), key.clone(), value.clone()));
            }
        }
    }
    best
}

/// Orders the steps of matching a pattern; with `first`, it starts at that node (a plan pass
/// knows better, see `passes::start_at_group_key`).
pub(crate) fn order_steps(
    nodes: &[PatternNode],
    rels: &[PatternRel],
    paths: &[PatternPath],
    filters: Vec<Expr>,
    catalog: &dyn Catalog,
    options: PlanOptions,
    first: Option<usize>,
) -> Vec<MatchStep> {
    // Slots this pattern binds; a filter can run once all of those it reads are bound.
    let mut unbound: Vec<Slot> = nodes.iter().filter(|n| !n.bound).map(|n| n.slot).collect();
    unbound.extend(rels.iter().filter(|r| !r.bound).map(|r| r.slot));
    unbound.extend(paths.iter().map(|p| p.slot));
    let mut pending = filters;
    let mut steps = Vec::new();
    let mut matched = vec![false; nodes.len()];
    let mut expanded = vec![false; rels.len()];
    let place_filters = |pending: &mut Vec<Expr>, unbound: &[Slot], steps: &mut Vec<MatchStep>| {
        if options.simple {
            return;
        }
        let mut i = 0;
        while i < pending.len() {
            let mut used = Vec::new();
            slots_of(&pending[i], &mut used);
            if used.iter().all(|s| !unbound.contains(s)) {
                steps.push(MatchStep::Filter(pending.remove(i)));
            } else {
                i += 1;
            }
        }
    };
    place_filters(&mut pending, &unbound, &mut steps);
    // Relationships of a shortest path are expanded by the path search, not one by one; they
    // are still ordinary expansions here, flagged by the path.
    while let Some(start) = {
        let mut best: Option<(usize, (u8, u64), Option<(String, String, Expr)>)> = None;
        let forced = first.filter(|_| steps.iter().all(|s| matches!(s, MatchStep::Filter(_))));
        for (i, node) in nodes.iter().enumerate() {
            if matched[i] || forced.is_some_and(|f| f != i) {
                continue;
            }
            if options.simple {
                // The first unmatched node in the text, whatever it costs.
                best = Some((i, (0, 0), None));
                break;
            }
            let seek = seek_candidate(node, &pending, &unbound, catalog);
            let cost = start_cost(node, seek.as_ref(), catalog);
            if best.as_ref().is_none_or(|(_, c, _)| cost < *c) {
                best = Some((i, cost, seek));
            }
        }
        best
    } {
        let (node_index, cost, seek) = start;
        let node = &nodes[node_index];
        let source = if node.bound {
            NodeSource::Bound
        } else if let Some((label, key, value)) = seek.filter(|_| cost.0 == 1) {
            NodeSource::Seek { label, key, value }
        } else if let Some(label) = if options.simple {
            node.labels.first()
        } else {
            node.labels
                .iter()
                .min_by_key(|l| catalog.label_count(l).unwrap_or(0))
        } {
            NodeSource::Label(label.clone())
        } else {
            NodeSource::AllNodes
        };
        steps.push(MatchStep::Start {
            node: node_index,
            source,
        });
        matched[node_index] = true;
        unbound.retain(|s| *s != node.slot);
        place_filters(&mut pending, &unbound, &mut steps);
        // Expand everything reachable from what is matched.
        loop {
            let next = rels
                .iter()
                .enumerate()
                .find(|(i, r)| !expanded[*i] && (matched[r.left] || matched[r.right]));
            let Some((rel_index, rel)) = next else { break };
            let from = if matched[rel.left] {
                rel.left
            } else {
                rel.right
            };
            let to = if from == rel.left {
                rel.right
            } else {
                rel.left
            };
            steps.push(MatchStep::Expand {
                rel: rel_index,
                from,
            });
            expanded[rel_index] = true;
            matched[to] = true;
            unbound.retain(|s| *s != rel.slot && *s != nodes[to].slot);
            place_filters(&mut pending, &unbound, &mut steps);
        }
    }
    // Paths are bound once every node and relationship is.
    unbound.retain(|s| !paths.iter().any(|p| p.slot == *s));
    place_filters(&mut pending, &unbound, &mut steps);
    steps.extend(pending.into_iter().map(MatchStep::Filter));
    steps
}

//! Whether the streaming head of a pipeline runs on several threads, and how it is split:
//! each thread takes an equal part of the first scan's candidates or of the input rows, into
//! an aggregator of its own (`grouping::Aggregator::absorb_parallel` runs the parts).

use foldhash::{HashSet, HashSetExt};

use crate::plan::logical::{Expr, MatchStep, NodeSource, Operator};
use crate::value::Value;

use super::aggregate;
use super::context::Context;
use super::eval::Slots;

/// Less work than this (start nodes plus the relationships of the first expansions, or input
/// rows) runs on one thread: threads cost more than they save.
const PARALLEL_MIN_WORK: u64 = 20_000;
const PARALLEL_MIN_INPUT: usize = 4_096;

/// How the streaming head of a pipeline is split between threads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Split {
    /// On one thread.
    None,
    /// Each of `n` threads scans an equal part of the first node scan's candidates, in order.
    Scan(usize),
    /// Each of `n` threads takes an equal run of the input rows, in order.
    Input(usize),
}

/// How the streaming operators `streaming` should feed `blocking`: on several threads when
/// they read a snapshot into an aggregation whose parts merge, much work lies ahead, and
/// nothing between depends on the order or number of the rows before it (no SKIP, LIMIT or
/// DISTINCT, no writes). Also says whether the parts' groups are disjoint (`parts_disjoint`),
/// so that they are appended rather than merged.
pub(super) fn parallel_split(
    ctx: &Context<'_>,
    streaming: &[Operator],
    blocking: Option<&Operator>,
    input: &[Slots],
) -> (Split, bool) {
    let Some(Operator::Aggregate {
        aggregates,
        keys,
        keys_of,
    }) = blocking
    else {
        return (Split::None, false);
    };
    // Whether the accumulators merge is asked last: it looks aggregates up by name.
    // A DISTINCT aggregate merges by replaying the later part's distinct values.
    let merge = || {
        aggregates.iter().all(|a| {
            a.distinct
                || a.name == "count" && a.args.is_empty()
                || aggregate::lookup(&a.name).is_some_and(|def| (def.new)().mergeable())
        })
    };
    match work_split(ctx, streaming, input) {
        Split::None => (Split::None, false),
        split => match parts_disjoint(split, keys, keys_of, streaming, input) {
            true => (split, true),
            false if merge() => (split, false),
            false => (Split::None, false),
        },
    }
}

/// Whether no group can get rows from two parts of `split`, so the parts' groups are only
/// appended, never merged: then DISTINCT and accumulators that do not merge may run in parallel
/// too. So it is when groups are told apart by entity ids alone (every `keys_of` slot is a key)
/// and one of those entities is what the split divides: the node the first match starts from,
/// or, split by input rows, entities no two input rows share.
fn parts_disjoint(
    split: Split,
    keys: &[(usize, Expr)],
    keys_of: &[usize],
    streaming: &[Operator],
    input: &[Slots],
) -> bool {
    let ids_identify = !keys_of.is_empty()
        && keys_of.iter().all(|s| {
            keys.iter()
                .any(|(_, e)| matches!(e, Expr::Slot(k) if k == s))
        });
    if !ids_identify {
        return false;
    }
    match split {
        Split::None => false,
        Split::Scan(_) => {
            streaming.iter().find_map(|op| match op {
                Operator::Match { pattern, .. } => match pattern.steps.first() {
                    Some(MatchStep::Start { node, .. }) => {
                        pattern.nodes.get(*node).map(|n| keys_of.contains(&n.slot))
                    }
                    _ => Some(false),
                },
                _ => None,
            }) == Some(true)
        }
        Split::Input(_) => {
            let mut seen = HashSet::with_capacity(input.len());
            input.iter().all(|row| {
                let mut ids = [0u64; 4];
                for (id, slot) in ids.iter_mut().zip(keys_of) {
                    *id = match row.get(*slot) {
                        Some(Value::Node(n)) => n.id.0,
                        Some(Value::Relationship(r)) => r.id.0,
                        _ => return false,
                    };
                }
                seen.insert(ids)
            })
        }
    }
}

/// How `parallel_split` would split the streaming run, before asking about the aggregation.
fn work_split(ctx: &Context<'_>, streaming: &[Operator], input: &[Slots]) -> Split {
    if ctx.simple || ctx.profile.is_some() || ctx.scan_part.is_some() || input.is_empty() {
        return Split::None;
    }
    let streams = !streaming.is_empty()
        && streaming.iter().all(|op| {
            matches!(
                op,
                Operator::Match { .. }
                    | Operator::Filter(_)
                    | Operator::Project { .. }
                    | Operator::Unwind { .. }
            )
        });
    if !streams {
        return Split::None;
    }
    let Some(graph) = ctx.read().as_sync() else {
        return Split::None;
    };
    let threads = rayon::current_num_threads().min(8);
    if threads < 2 {
        return Split::None;
    }
    if input.len() >= PARALLEL_MIN_INPUT {
        return Split::Input(threads);
    }
    if input.len() > 1 {
        return Split::None;
    }
    // The first match's scan is split; before it, only operators that pass the one input row
    // on or drop it (so every thread reaches that scan once, with the same row).
    let Some(first_match) = streaming
        .iter()
        .position(|op| matches!(op, Operator::Match { .. }))
    else {
        return Split::None;
    };
    if !streaming[..first_match]
        .iter()
        .all(|op| matches!(op, Operator::Project { .. } | Operator::Filter(_)))
    {
        return Split::None;
    }
    let Operator::Match {
        pattern,
        optional: false,
    } = &streaming[first_match]
    else {
        return Split::None;
    };
    let starts = match pattern.steps.first() {
        Some(MatchStep::Start {
            source: NodeSource::AllNodes,
            ..
        }) => graph.count_nodes(None),
        Some(MatchStep::Start {
            source: NodeSource::Label(name),
            ..
        }) => match graph.label_id(name) {
            Some(id) => graph.count_nodes(Some(id)),
            None => return Split::None,
        },
        _ => return Split::None,
    };
    let starts = starts.unwrap_or(0);
    // The relationships the expansions may walk, from the store's counts.
    let mut work = starts;
    for step in &pattern.steps {
        if let MatchStep::Expand { rel, .. } = step {
            let types = &pattern.rels[*rel].types;
            work += if types.is_empty() {
                graph.count_relationships(None).unwrap_or(0)
            } else {
                types
                    .iter()
                    .filter_map(|t| graph.type_id(t))
                    .map(|t| graph.count_relationships(Some(t)).unwrap_or(0))
                    .sum()
            };
        }
    }
    if work < PARALLEL_MIN_WORK || starts < 2 {
        return Split::None;
    }
    Split::Scan(threads.min(usize::try_from(starts).unwrap_or(usize::MAX)))
}

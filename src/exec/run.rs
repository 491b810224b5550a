//! Running pipelines. Rows are pushed through runs of streaming operators (match, unwind,
//! filter, project, writes, skip, limit, distinct) depth first, so LIMIT stops the scans
//! feeding it; blocking operators (aggregate, sort, eager, delete) collect their input first.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};
use rayon::prelude::*;

use crate::plan::logical::{
    Aggregate, CountSource, Expr, MatchStep, NodeSource, Operator, Pipeline, QueryPlan, SortKey,
};
use crate::value::Value;

use super::ExecError;
use super::aggregate::{self, Accumulator};
use super::budget::{MemoryBudget, row_size, value_size};
use super::context::{Context, Graph};
use super::eval::{Slots, eval, is_true, null_row};
use super::load_csv;
use super::matcher::{Flow, MatchScratch, match_pattern, match_pattern_reusing};
use super::mutate;

/// Where a query's output goes: called once per result row with the values of the output
/// columns (nodes and relationships still references); `Flow::Stop` ends the query early.
pub type ResultSink<'e> = dyn FnMut(&mut Context<'_>, Vec<Value>) -> Result<Flow, ExecError> + 'e;

/// Where a pipeline's last operator delivers its rows.
type Output<'o> = dyn FnMut(&mut Context<'_>, &mut Slots) -> Result<Flow, ExecError> + 'o;

/// Runs a query plan, handing each output row to `emit` as soon as it is produced.
pub fn run_query(
    ctx: &mut Context<'_>,
    plan: &QueryPlan,
    emit: &mut ResultSink<'_>,
) -> Result<(), ExecError> {
    // Chunk reads on this thread remember the chunks they found until the statement ends.
    let _memo = crate::storage::MemoScope::enter();
    let mut seen: HashSet<Vec<Value>> = HashSet::new();
    let deduplicate = plan.branches.len() > 1 && plan.distinct_union;
    ctx.row_width = plan.width;
    for (branch, columns) in plan.branches.iter().zip(&plan.columns) {
        let start = null_row(plan.width);
        let mut out = |ctx: &mut Context<'_>, row: &mut Slots| -> Result<Flow, ExecError> {
            if columns.is_empty() {
                // A query that ends in an update returns no rows.
                return Ok(Flow::Continue);
            }
            let values: Vec<Value> = columns
                .iter()
                .map(|(_, slot)| row.get(*slot).cloned().unwrap_or(Value::Null))
                .collect();
            if deduplicate {
                if seen.contains(&values) {
                    return Ok(Flow::Continue);
                }
                ctx.budget.charge(row_size(&values), "UNION")?;
                seen.insert(values.clone());
            }
            emit(ctx, values)
        };
        let flow = run_pipeline(
            ctx,
            &branch.operators,
            &branch.live,
            vec![start],
            false,
            &mut out,
        )?;
        if flow == Flow::Stop && !columns.is_empty() {
            break;
        }
    }
    Ok(())
}

/// Runs a subquery's pipeline for one outer row; with `first_only`, stops at the first row.
/// The rows returned hold only the slots the subquery's consumer reads.
pub(crate) fn run_subquery(
    ctx: &mut Context<'_>,
    pipeline: &Pipeline,
    row: &Slots,
    first_only: bool,
) -> Result<Vec<Slots>, ExecError> {
    // The subquery's slots lie beyond or among the outer ones; the row is wide enough because
    // every slot of the query was allocated in one space.
    let keep = pipeline.live.last().map(Vec::as_slice);
    let mut rows = Vec::new();
    let mut held = 0;
    let outcome = run_pipeline(
        ctx,
        &pipeline.operators,
        &pipeline.live,
        vec![row.clone()],
        first_only,
        &mut |ctx, r: &mut Slots| {
            let copy = live_copy(r, keep);
            let size = row_size(&copy);
            ctx.budget.charge(size, "subquery")?;
            held += size;
            rows.push(copy);
            Ok(Flow::Continue)
        },
    );
    // The caller uses the rows at once and drops them.
    ctx.budget.release(held);
    outcome?;
    Ok(rows)
}

fn is_blocking(op: &Operator) -> bool {
    matches!(
        op,
        Operator::Aggregate { .. }
            | Operator::Sort { .. }
            | Operator::Eager
            | Operator::Delete { .. }
    )
}

/// The name a memory-limit error gives an operator that collects rows.
fn holder_name(op: Option<&Operator>) -> &'static str {
    match op {
        Some(Operator::Delete { .. }) => "DELETE",
        Some(Operator::Eager) => "an eager barrier (a write followed by a read)",
        _ => "a row buffer",
    }
}

/// A copy of a row that holds only the slots in `keep` (all of them when the plan has no
/// liveness): what a blocking operator or a result buffer keeps. It is only as wide as its last
/// kept slot; `run_pipeline` widens it again when it goes on.
fn live_copy(row: &Slots, keep: Option<&[usize]>) -> Slots {
    let Some(keep) = keep else {
        return row.clone();
    };
    let width = keep.iter().map(|s| s + 1).max().unwrap_or(0).min(row.len());
    let mut copy = null_row(width);
    for &slot in keep {
        if let (Some(value), Some(at)) = (row.get(slot), copy.get_mut(slot)) {
            *at = value.clone();
        }
    }
    copy
}

/// `row` as wide as the plan's rows, so that every operator finds each slot it writes. Rows
/// held between operators (an aggregation's groups, sorted or buffered rows) keep only their
/// live slots and are widened one at a time as they go on.
fn widen(row: &mut Slots, width: usize) {
    if row.len() < width {
        row.resize(width, Value::Null);
    }
}

/// Runs operators over input rows and hands the rows the last one produces to `out`. `live[k]`
/// lists the slots read from operator `k` on (`live[ops.len()]`: by the consumer); empty when
/// unknown. Returns `Flow::Stop` when `out` (or `first_only`) stopped it.
fn run_pipeline(
    ctx: &mut Context<'_>,
    ops: &[Operator],
    live: &[Vec<usize>],
    input: Vec<Slots>,
    first_only: bool,
    out: &mut Output<'_>,
) -> Result<Flow, ExecError> {
    let split = ops.iter().position(is_blocking).unwrap_or(ops.len());
    let (streaming, rest) = ops.split_at(split);
    let keep = live.get(split).map(Vec::as_slice);
    let stop_after_first = first_only && rest.is_empty();
    let mut state = StreamState::new(streaming.len());
    // What the streaming run feeds: the output, or the blocking operator that follows it.
    let mut sink = match rest.first() {
        Some(Operator::Aggregate {
            keys,
            aggregates,
            keys_of,
        }) => Collector::Aggregate(Box::new(Aggregator::new(keys, aggregates, keys_of)?)),
        Some(Operator::Sort { keys }) => {
            let limit = if ctx.simple {
                None
            } else {
                sort_limit(ctx, &rest[1..])?
            };
            Collector::Sort(Sorter::new(keys, limit, keep))
        }
        Some(_) => Collector::Rows(Vec::new()),
        None => Collector::Out,
    };
    let mut flow = Flow::Continue;
    // What the rows collector holds, released once its rows are handed on.
    let mut held = 0usize;
    let (threads, disjoint) = parallel_split(ctx, streaming, rest.first(), &input);
    if threads != Split::None
        && let Collector::Aggregate(aggregator) = &mut sink
    {
        aggregator.absorb_parallel(ctx, streaming, &input, threads, disjoint)?;
    }
    for mut row in input.into_iter().filter(|_| threads == Split::None) {
        widen(&mut row, ctx.row_width);
        flow = push(
            ctx,
            streaming,
            0,
            &mut state,
            &mut row,
            &mut |ctx, r: &mut Slots| {
                // The clock is read only under PROFILE: a clock read per row costs.
                let started = ctx.profile.is_some().then(std::time::Instant::now);
                match &mut sink {
                    Collector::Out => {
                        let flow = out(ctx, r)?;
                        return Ok(if stop_after_first { Flow::Stop } else { flow });
                    }
                    Collector::Rows(rows) => {
                        let copy = live_copy(r, keep);
                        let size = row_size(&copy);
                        ctx.budget.charge(size, holder_name(rest.first()))?;
                        held += size;
                        rows.push(copy);
                    }
                    Collector::Aggregate(a) => a.add(ctx, r)?,
                    Collector::Sort(s) => s.add(ctx, r)?,
                }
                if let (Some(started), Some(blocking)) = (started, rest.first()) {
                    profile_own(ctx, blocking, started, 1);
                }
                Ok(Flow::Continue)
            },
        )?;
        if flow == Flow::Stop {
            break;
        }
    }
    ctx.budget.release(state.held);
    let Some((blocking, after)) = rest.split_first() else {
        return Ok(flow);
    };
    let started = std::time::Instant::now();
    ctx.budget.release(held);
    let produced = match (blocking, sink) {
        (_, Collector::Aggregate(a)) => a.finish(ctx)?,
        (_, Collector::Sort(s)) => s.finish(ctx),
        (Operator::Delete { exprs, detach }, Collector::Rows(rows)) => {
            mutate::delete(ctx, exprs, *detach, rows)?
        }
        (_, Collector::Rows(rows)) => rows,
        (_, Collector::Out) => Vec::new(),
    };
    profile_own(ctx, blocking, started, 0);
    let live_after = live.get(split + 1..).unwrap_or_default();
    run_pipeline(ctx, after, live_after, produced, first_only, out)
}

/// Less work than this (start nodes plus the relationships of the first expansions, or input
/// rows) runs on one thread: threads cost more than they save.
const PARALLEL_MIN_WORK: u64 = 20_000;
const PARALLEL_MIN_INPUT: usize = 4_096;

/// How the streaming head of a pipeline is split between threads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Split {
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
fn parallel_split(
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

/// Per-run state of streaming operators: SKIP and LIMIT counters, DISTINCT sets.
struct StreamState {
    /// Bytes the DISTINCT sets hold (charged to the statement's budget).
    held: usize,
    counters: Vec<u64>,
    seen: Vec<HashSet<Vec<Value>>>,
    /// DISTINCT over one node: the ids seen, which is cheaper than values.
    seen_nodes: Vec<HashSet<u64>>,
    /// What each MATCH operator's searches keep from row to row.
    match_scratch: Vec<MatchScratch>,
    /// Where a projection of several items puts their values before writing them, reused from
    /// row to row.
    values: Vec<Value>,
}

impl StreamState {
    fn new(n: usize) -> Self {
        StreamState {
            held: 0,
            match_scratch: (0..n).map(|_| MatchScratch::default()).collect(),
            counters: vec![0; n],
            seen: (0..n).map(|_| HashSet::new()).collect(),
            seen_nodes: (0..n).map(|_| HashSet::new()).collect(),
            values: Vec::new(),
        }
    }
}

/// A distinct-set key that needs no allocation for the common cases: one node, or one
/// relationship (ids are disjoint per kind, so each gets its own tag bit).
fn entity_key(value: &Value) -> Option<u64> {
    match value {
        Value::Node(n) => Some(n.id.0 << 1),
        Value::Relationship(r) => Some((r.id.0 << 1) | 1),
        _ => None,
    }
}

type Sink<'s> = dyn FnMut(&mut Context<'_>, &mut Slots) -> Result<Flow, ExecError> + 's;

/// A non-negative count from SKIP or LIMIT.
fn count_value(ctx: &mut Context<'_>, expr: &Expr, what: &str) -> Result<u64, ExecError> {
    let mut empty = Vec::new();
    match eval(ctx, expr, &mut empty)? {
        Value::Int(n) if n >= 0 => Ok(n.cast_unsigned()),
        Value::Int(_) => Err(ExecError::Argument(format!("{what} must not be negative"))),
        other => Err(ExecError::Argument(format!(
            "{what} must be an integer, found {}",
            other.type_name()
        ))),
    }
}

#[allow(clippy::too_many_lines)]
fn push(
    ctx: &mut Context<'_>,
    ops: &[Operator],
    i: usize,
    state: &mut StreamState,
    row: &mut Slots,
    sink: &mut Sink<'_>,
) -> Result<Flow, ExecError> {
    let Some(op) = ops.get(i) else {
        return sink(ctx, row);
    };
    ctx.check_interrupt()?;
    if ctx.profile.is_none() {
        return push_op(ctx, ops, i, op, state, row, sink);
    }
    let started = std::time::Instant::now();
    let flow = push_op(ctx, ops, i, op, state, row, sink);
    let nanos = u64::try_from(started.elapsed().as_nanos()).unwrap_or(u64::MAX);
    if let Some(profile) = &mut ctx.profile {
        let entry = profile.entry(std::ptr::from_ref(op) as usize).or_default();
        entry.rows += 1;
        entry.inclusive_nanos += nanos;
    }
    flow
}

/// Records the time a blocking operator spent, under PROFILE.
fn profile_own(ctx: &mut Context<'_>, op: &Operator, started: std::time::Instant, rows: u64) {
    if let Some(profile) = &mut ctx.profile {
        let entry = profile.entry(std::ptr::from_ref(op) as usize).or_default();
        entry.rows += rows;
        entry.own_nanos += u64::try_from(started.elapsed().as_nanos()).unwrap_or(u64::MAX);
    }
}

#[allow(clippy::too_many_lines)]
fn push_op(
    ctx: &mut Context<'_>,
    ops: &[Operator],
    i: usize,
    op: &Operator,
    state: &mut StreamState,
    row: &mut Slots,
    sink: &mut Sink<'_>,
) -> Result<Flow, ExecError> {
    match op {
        Operator::Match { pattern, optional } => {
            let mut found = false;
            let mut scratch = std::mem::take(&mut state.match_scratch[i]);
            let flow = {
                let mut emit = |ctx: &mut Context<'_>, r: &mut Slots| -> Result<Flow, ExecError> {
                    found = true;
                    // Later operators only write slots of their own, so the matcher's row goes
                    // on as it is.
                    push(ctx, ops, i + 1, state, r, sink)
                };
                match_pattern_reusing(ctx, pattern, row, &mut emit, &mut scratch)
            };
            state.match_scratch[i] = scratch;
            let flow = flow?;
            if flow == Flow::Stop {
                return Ok(Flow::Stop);
            }
            if !found && *optional {
                // No match: the pattern's new variables are null. They are set in the row
                // itself (no copy of the other slots) and put back afterwards.
                let fresh: Vec<usize> = pattern
                    .nodes
                    .iter()
                    .filter(|n| !n.bound)
                    .map(|n| n.slot)
                    .chain(pattern.rels.iter().filter(|r| !r.bound).map(|r| r.slot))
                    .chain(pattern.paths.iter().map(|p| p.slot))
                    .collect();
                let saved: Vec<Value> = fresh
                    .iter()
                    .map(|&slot| std::mem::replace(&mut row[slot], Value::Null))
                    .collect();
                let flow = push(ctx, ops, i + 1, state, row, sink);
                // In reverse, so a slot listed twice gets its original value back.
                for (slot, value) in fresh.into_iter().zip(saved).rev() {
                    row[slot] = value;
                }
                return flow;
            }
            Ok(Flow::Continue)
        }
        Operator::Unwind {
            expr: Expr::Function { name, args },
            slot,
        } if name == "range" => {
            // The elements are made one at a time: `UNWIND range(1, n)` takes no memory for
            // the list, whatever n is.
            let mut values = Vec::with_capacity(args.len());
            for a in args {
                values.push(eval(ctx, a, row)?);
            }
            let (mut current, step, len) = super::functions::list::range_bounds(&values)?;
            let mut produced: i128 = 0;
            while produced < len {
                // Every element lies between start and end, so it fits in i64.
                row[*slot] = Value::Int(i64::try_from(current).unwrap_or(0));
                if push(ctx, ops, i + 1, state, row, sink)? == Flow::Stop {
                    return Ok(Flow::Stop);
                }
                current += step;
                produced += 1;
            }
            Ok(Flow::Continue)
        }
        Operator::Unwind { expr, slot } => {
            let value = eval(ctx, expr, row)?;
            let items = match value {
                Value::List(items) => items,
                Value::Null => Vec::new().into(),
                other => vec![other].into(),
            };
            for item in items {
                row[*slot] = item;
                if push(ctx, ops, i + 1, state, row, sink)? == Flow::Stop {
                    return Ok(Flow::Stop);
                }
            }
            Ok(Flow::Continue)
        }
        Operator::Filter(expr) => {
            if is_true(&eval(ctx, expr, row)?)? {
                push(ctx, ops, i + 1, state, row, sink)
            } else {
                Ok(Flow::Continue)
            }
        }
        Operator::Project { items, keep } => {
            if let [(slot, expr)] = items.as_slice() {
                row[*slot] = eval(ctx, expr, row)?;
            } else {
                // Every item reads the row as it was before the projection.
                let mut values = std::mem::take(&mut state.values);
                values.clear();
                for (_, expr) in items {
                    values.push(eval(ctx, expr, row)?);
                }
                for ((slot, _), value) in items.iter().zip(values.drain(..)) {
                    row[*slot] = value;
                }
                state.values = values;
            }
            // Slots outside `keep` are left as they are: every later reader names its slots,
            // and leaving them lets a match be pushed on without copying the row.
            let _ = keep;
            push(ctx, ops, i + 1, state, row, sink)
        }
        Operator::Distinct { slots } => {
            let fresh = match slots.as_slice() {
                [one] if !ctx.simple && entity_key(&row[*one]).is_some() => {
                    state.seen_nodes[i].insert(entity_key(&row[*one]).unwrap_or(0))
                }
                _ => {
                    let key: Vec<Value> = slots.iter().map(|s| row[*s].clone()).collect();
                    if state.seen[i].contains(&key) {
                        false
                    } else {
                        let size = row_size(&key);
                        ctx.budget.charge(size, "DISTINCT")?;
                        state.held += size;
                        state.seen[i].insert(key)
                    }
                }
            };
            if fresh {
                push(ctx, ops, i + 1, state, row, sink)
            } else {
                Ok(Flow::Continue)
            }
        }
        Operator::Skip(expr) => {
            let skip = count_value(ctx, expr, "SKIP")?;
            if state.counters[i] < skip {
                state.counters[i] += 1;
                return Ok(Flow::Continue);
            }
            push(ctx, ops, i + 1, state, row, sink)
        }
        Operator::Limit(expr) => {
            let limit = count_value(ctx, expr, "LIMIT")?;
            if state.counters[i] >= limit {
                return Ok(Flow::Stop);
            }
            state.counters[i] += 1;
            let flow = push(ctx, ops, i + 1, state, row, sink)?;
            if state.counters[i] >= limit {
                Ok(Flow::Stop)
            } else {
                Ok(flow)
            }
        }
        Operator::Create(create) => {
            mutate::create(ctx, create, row)?;
            push(ctx, ops, i + 1, state, row, sink)
        }
        Operator::Merge {
            pattern,
            create,
            on_create,
            on_match,
        } => {
            let mut matches: Vec<Slots> = Vec::new();
            {
                let mut emit = |_: &mut Context<'_>, r: &mut Slots| -> Result<Flow, ExecError> {
                    matches.push(r.clone());
                    Ok(Flow::Continue)
                };
                let mut working = row.clone();
                match_pattern(ctx, pattern, &mut working, &mut emit)?;
            }
            if matches.is_empty() {
                mutate::check_merge_properties(ctx, create, row)?;
                let mut created = row.clone();
                mutate::create(ctx, create, &mut created)?;
                mutate::set(ctx, on_create, &mut created)?;
                return push(ctx, ops, i + 1, state, &mut created, sink);
            }
            for mut m in matches {
                mutate::set(ctx, on_match, &mut m)?;
                if push(ctx, ops, i + 1, state, &mut m, sink)? == Flow::Stop {
                    return Ok(Flow::Stop);
                }
            }
            Ok(Flow::Continue)
        }
        Operator::Set(set_ops) => {
            mutate::set(ctx, set_ops, row)?;
            push(ctx, ops, i + 1, state, row, sink)
        }
        Operator::Call {
            procedure,
            args,
            yields,
            filter,
        } => {
            let def = ctx
                .procedures
                .lookup(procedure)
                .ok_or_else(|| ExecError::Procedure {
                    name: procedure.clone(),
                    message: "no such procedure".into(),
                })?;
            let mut values = Vec::with_capacity(args.len());
            for a in args {
                values.push(eval(ctx, a, row)?);
            }
            let output = (def.call)(&values, &mut super::procedures::ProcedureContext::new(ctx))?;
            for out in output {
                for (field, slot) in yields {
                    let at = def.outputs.iter().position(|o| o == field);
                    row[*slot] = at.and_then(|i| out.get(i).cloned()).unwrap_or(Value::Null);
                }
                if let Some(f) = filter
                    && !is_true(&eval(ctx, f, row)?)?
                {
                    continue;
                }
                if push(ctx, ops, i + 1, state, row, sink)? == Flow::Stop {
                    return Ok(Flow::Stop);
                }
            }
            Ok(Flow::Continue)
        }
        Operator::LoadCsv {
            source,
            slot,
            headers,
            terminator,
        } => {
            let url = match eval(ctx, source, row)? {
                Value::String(url) => url,
                other => {
                    return Err(ExecError::Type(format!(
                        "LOAD CSV FROM needs a string URL, found {}",
                        other.type_name()
                    )));
                }
            };
            let dir = match &ctx.import_dir {
                Some(dir) => dir.clone(),
                None => std::env::current_dir()
                    .map_err(|e| ExecError::Argument(format!("no import directory: {e}")))?,
            };
            let csv = load_csv::resolve(&url, &dir)?;
            let mut rows = load_csv::CsvRows::open(csv, *headers, *terminator)?;
            let file: std::sync::Arc<str> = rows.path().display().to_string().into();
            let outer = ctx.csv_row.take();
            let flow = load_rows(ctx, ops, i, state, row, sink, *slot, &mut rows, &file);
            ctx.csv_row = outer;
            flow
        }
        Operator::StoreCount { source, key, count } => {
            for (name, n) in store_counts(ctx, source)? {
                if let (Some(slot), Some(name)) = (key, name) {
                    row[*slot] = Value::String(name.into());
                }
                row[*count] = Value::Int(i64::try_from(n).unwrap_or(i64::MAX));
                if push(ctx, ops, i + 1, state, row, sink)? == Flow::Stop {
                    return Ok(Flow::Stop);
                }
            }
            Ok(Flow::Continue)
        }
        Operator::Aggregate { .. }
        | Operator::Sort { .. }
        | Operator::Eager
        | Operator::Delete { .. } => {
            // Blocking operators are handled by `run_pipeline`; never reached.
            sink(ctx, row)
        }
    }
}

/// The counts a `StoreCount` reads from the store: (label name, count) per row. A label or
/// type the graph has never seen counts zero.
fn store_counts(
    ctx: &Context<'_>,
    source: &CountSource,
) -> Result<Vec<(Option<String>, u64)>, ExecError> {
    let graph = ctx.read();
    Ok(match source {
        // A label or type the graph has never seen counts zero.
        CountSource::Nodes(label) => match label.as_deref().map(|l| graph.label_id(l)) {
            Some(None) => vec![(None, 0)],
            id => vec![(None, graph.count_nodes(id.flatten())?)],
        },
        CountSource::Relationships(rel_type) => {
            match rel_type.as_deref().map(|t| graph.type_id(t)) {
                Some(None) => vec![(None, 0)],
                id => vec![(None, graph.count_relationships(id.flatten())?)],
            }
        }
        CountSource::NodesPerLabel => {
            let mut counts = Vec::new();
            for name in graph.label_names() {
                let n = graph.count_nodes(graph.label_id(name))?;
                if n > 0 {
                    counts.push((Some(name.clone()), n));
                }
            }
            counts
        }
    })
}

/// Pushes each row of a `LOAD CSV` on, with its file and line in the context; an error while
/// handling a row is wrapped with them (unless an inner LOAD CSV already said where).
#[allow(clippy::too_many_arguments)]
fn load_rows(
    ctx: &mut Context<'_>,
    ops: &[Operator],
    i: usize,
    state: &mut StreamState,
    row: &mut Slots,
    sink: &mut Sink<'_>,
    slot: usize,
    rows: &mut load_csv::CsvRows,
    file: &std::sync::Arc<str>,
) -> Result<Flow, ExecError> {
    while let Some(value) = rows.next_row()? {
        row[slot] = value;
        ctx.csv_row = Some((file.clone(), rows.line()));
        match push(ctx, ops, i + 1, state, row, sink) {
            Ok(Flow::Stop) => return Ok(Flow::Stop),
            Ok(Flow::Continue) => {}
            Err(e @ (ExecError::AtCsvRow { .. } | ExecError::LoadCsv { .. })) => return Err(e),
            Err(e) => {
                return Err(ExecError::AtCsvRow {
                    location: file.to_string(),
                    line: rows.line(),
                    source: Box::new(e),
                });
            }
        }
    }
    Ok(Flow::Continue)
}

/// How many rows a sort must keep: SKIP + LIMIT when they follow it directly.
fn sort_limit(ctx: &mut Context<'_>, after: &[Operator]) -> Result<Option<u64>, ExecError> {
    match after {
        [Operator::Skip(s), Operator::Limit(l), ..] => Ok(Some(
            count_value(ctx, s, "SKIP")?.saturating_add(count_value(ctx, l, "LIMIT")?),
        )),
        [Operator::Limit(l), ..] => Ok(Some(count_value(ctx, l, "LIMIT")?)),
        _ => Ok(None),
    }
}

fn compare_keys(a: &[Value], b: &[Value], keys: &[SortKey]) -> Ordering {
    for ((x, y), key) in a.iter().zip(b).zip(keys) {
        let ord = x.order(y);
        let ord = if key.descending { ord.reverse() } else { ord };
        if ord != Ordering::Equal {
            return ord;
        }
    }
    Ordering::Equal
}

/// A row with its sort key, ordered for a max-heap of the rows to keep.
struct Keyed<'k> {
    key: Vec<Value>,
    seq: usize,
    row: Slots,
    keys: &'k [SortKey],
}

impl PartialEq for Keyed<'_> {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Keyed<'_> {}
impl PartialOrd for Keyed<'_> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Keyed<'_> {
    fn cmp(&self, other: &Self) -> Ordering {
        compare_keys(&self.key, &other.key, self.keys).then(self.seq.cmp(&other.seq))
    }
}

/// Where a streaming run delivers its rows.
enum Collector<'p> {
    /// Straight to the pipeline's output.
    Out,
    Rows(Vec<Slots>),
    Aggregate(Box<Aggregator<'p>>),
    Sort(Sorter<'p>),
}

/// Sorts rows as they arrive (stable); with a limit, keeps only the first `limit` in a bounded
/// heap, so ORDER BY ... LIMIT k holds k rows, not all of them.
struct Sorter<'k> {
    keys: &'k [SortKey],
    /// The slots the rows after the sort read.
    keep: Option<&'k [usize]>,
    limit: Option<usize>,
    heap: BinaryHeap<Keyed<'k>>,
    all: Vec<Keyed<'k>>,
    seq: usize,
    /// Bytes charged to the statement's budget for the rows kept.
    held: usize,
    /// The key of the row being added; a row the bounded heap turns away leaves it for the
    /// next, so such a row allocates nothing.
    key: Vec<Value>,
}

impl<'k> Sorter<'k> {
    fn new(keys: &'k [SortKey], limit: Option<u64>, keep: Option<&'k [usize]>) -> Self {
        let limit = limit.map(|l| usize::try_from(l).unwrap_or(usize::MAX));
        Sorter {
            keys,
            keep,
            limit,
            heap: BinaryHeap::new(),
            all: Vec::new(),
            seq: 0,
            held: 0,
            key: Vec::new(),
        }
    }

    fn add(&mut self, ctx: &mut Context<'_>, row: &mut Slots) -> Result<(), ExecError> {
        if self.limit == Some(0) {
            return Ok(());
        }
        let mut key = std::mem::take(&mut self.key);
        key.clear();
        for k in self.keys {
            key.push(eval(ctx, &k.expr, row)?);
        }
        self.seq += 1;
        let keys = self.keys;
        if let Some(l) = self.limit
            && self.heap.len() >= l
        {
            let better = self
                .heap
                .peek()
                .is_some_and(|top| compare_keys(&key, &top.key, keys) == Ordering::Less);
            if !better {
                self.key = key;
                return Ok(());
            }
            if let Some(out) = self.heap.pop() {
                let size = row_size(&out.key) + row_size(&out.row);
                ctx.budget.release(size);
                self.held -= size;
            }
        }
        let keyed = Keyed {
            seq: self.seq,
            row: live_copy(row, self.keep),
            key,
            keys,
        };
        let size = row_size(&keyed.key) + row_size(&keyed.row);
        ctx.budget.charge(size, "ORDER BY")?;
        self.held += size;
        if self.limit.is_some() {
            self.heap.push(keyed);
        } else {
            self.all.push(keyed);
        }
        Ok(())
    }

    fn finish(self, ctx: &mut Context<'_>) -> Vec<Slots> {
        ctx.budget.release(self.held);
        let mut sorted = if self.limit.is_some() {
            self.heap.into_vec()
        } else {
            self.all
        };
        sorted.sort();
        sorted.into_iter().map(|k| k.row).collect()
    }
}

/// One group: where its chain of groups with the same key hash goes on, and its DISTINCT
/// filters where asked. Its key values and accumulators are in the aggregator's flat vectors,
/// so a group costs no allocation of its own; the output row is built at the end.
struct Group {
    /// The next group whose key has the same hash.
    next: Option<usize>,
    distinct: Vec<Option<Seen>>,
}

/// What a DISTINCT aggregate of one group has been given.
struct Seen {
    /// First arguments, by value.
    values: HashSet<Vec<Value>>,
    /// First arguments that are nodes or relationships, by `entity_key`.
    entities: HashSet<u64>,
    /// In a parallel part whose groups may meet another part's: the arguments of each fresh
    /// row in order, which a merge replays into the earlier part's group.
    order: Option<Vec<Vec<Value>>>,
}

impl Seen {
    fn new(ordered: bool) -> Seen {
        Seen {
            values: HashSet::new(),
            entities: HashSet::new(),
            order: ordered.then(Vec::new),
        }
    }

    /// Whether `args` (DISTINCT looks at the first) was not seen before, and the bytes this
    /// now keeps for it. `by_id`: entities may be told apart by id.
    fn first_sight(&mut self, args: &[Value], by_id: bool) -> (bool, usize) {
        let mut kept = 0;
        let fresh = match args.first().filter(|_| by_id).and_then(entity_key) {
            Some(id) => self.entities.insert(id),
            None => {
                let key: Vec<Value> = args.iter().take(1).cloned().collect();
                kept += row_size(&key);
                self.values.insert(key)
            }
        };
        if fresh && let Some(order) = &mut self.order {
            kept += row_size(args);
            order.push(args.to_vec());
        }
        (fresh, kept)
    }
}

/// One aggregate's state in one group: counts inline, anything else behind its accumulator.
enum Acc {
    /// `count(*)`, or `count(x)` without DISTINCT: the rows (where x is not null).
    Count(u64),
    Other(Box<dyn Accumulator>),
}

impl Acc {
    fn merge(&mut self, later: Acc) -> Result<(), ExecError> {
        match (self, later) {
            (Acc::Count(mine), Acc::Count(theirs)) => {
                *mine += theirs;
                Ok(())
            }
            (Acc::Other(mine), Acc::Other(mut theirs)) => mine.merge(theirs.as_mut()),
            _ => Err(ExecError::Argument(
                "merging accumulators of different aggregates".into(),
            )),
        }
    }

    fn finish(&mut self) -> Result<Value, ExecError> {
        match self {
            Acc::Count(n) => Ok(aggregate::count_value(*n)),
            Acc::Other(acc) => acc.finish(),
        }
    }
}

/// How an aggregate's state starts, resolved once per aggregation.
#[derive(Clone, Copy)]
enum Maker {
    Count,
    Other(fn() -> Box<dyn Accumulator>),
}

/// Groups rows as they arrive and feeds each group's accumulators; rows are not kept.
struct Aggregator<'p> {
    keys: &'p [(usize, Expr)],
    aggregates: &'p [Aggregate],
    /// Groups by the hash of their key: the first group with that hash. Groups whose keys
    /// share a hash are chained through `Group::next`; the keys themselves are compared in the
    /// groups, so they are held once and a growing table rehashes integers only.
    index: HashMap<u64, usize>,
    hasher: foldhash::fast::FixedState,
    /// When the keys read only these node and relationship slots: groups by the ids those
    /// slots hold, and the last ids seen with their group (rows often come clustered).
    keys_of: &'p [usize],
    by_ids: HashMap<EntityIds, usize>,
    last: Option<(EntityIds, usize)>,
    /// Every `keys_of` slot is itself a key, so the ids alone tell groups apart: no key needs
    /// hashing.
    ids_identify: bool,
    groups: Vec<Group>,
    /// The key values of every group, `keys.len()` per group, in group order.
    key_values: Vec<Value>,
    /// The state of every group's aggregates, `aggregates.len()` per group, in group order.
    accs: Vec<Acc>,
    /// Bytes charged to the statement's budget for the groups and what they keep.
    held: usize,
    /// How to start each aggregate's state, resolved once.
    makers: Vec<Maker>,
    any_distinct: bool,
    /// A parallel part whose groups may be merged with another part's: DISTINCT aggregates
    /// keep their values in order (`Seen::order`) for the merge to replay.
    replay: bool,
    /// The arguments of the row being added, reused from row to row.
    args: Vec<Value>,
    /// The key of the row being added, reused while rows find groups that exist.
    key: Vec<Value>,
}

/// The ids of up to four entities that determine a group's keys.
type EntityIds = [u64; 4];

/// Accumulators that keep the values they are given (rather than a running figure).
fn retains_values(aggregate: &Aggregate) -> bool {
    matches!(
        aggregate.name.as_str(),
        "collect" | "percentileCont" | "percentileDisc"
    )
}

impl<'p> Aggregator<'p> {
    fn new(
        keys: &'p [(usize, Expr)],
        aggregates: &'p [Aggregate],
        keys_of: &'p [usize],
    ) -> Result<Self, ExecError> {
        let mut makers = Vec::with_capacity(aggregates.len());
        for a in aggregates {
            makers.push(if a.name == "count" && !a.distinct && a.args.len() <= 1 {
                Maker::Count
            } else {
                Maker::Other(
                    aggregate::lookup(&a.name)
                        .ok_or_else(|| {
                            ExecError::Argument(format!("unknown aggregate {}", a.name))
                        })?
                        .new,
                )
            });
        }
        Ok(Aggregator {
            keys,
            aggregates,
            index: HashMap::new(),
            hasher: foldhash::fast::FixedState::default(),
            keys_of,
            by_ids: HashMap::new(),
            last: None,
            ids_identify: !keys_of.is_empty()
                && keys_of.iter().all(|s| {
                    keys.iter()
                        .any(|(_, e)| matches!(e, Expr::Slot(k) if k == s))
                }),
            groups: Vec::new(),
            key_values: Vec::new(),
            accs: Vec::new(),
            held: 0,
            makers,
            any_distinct: aggregates.iter().any(|a| a.distinct),
            replay: false,
            args: Vec::new(),
            key: Vec::new(),
        })
    }

    /// Charges a new group of `bytes` (its row and key) plus its accumulators.
    fn charge(&mut self, ctx: &mut Context<'_>, bytes: usize) -> Result<(), ExecError> {
        let size = bytes + 64 * self.aggregates.len();
        ctx.budget.charge(size, "aggregation")?;
        self.held += size;
        Ok(())
    }

    /// Adds a group with these key values whose chain goes on at `next`; returns its number.
    fn new_group(&mut self, key: Vec<Value>, next: Option<usize>) -> usize {
        self.key_values.extend(key);
        self.accs.extend(self.makers.iter().map(|make| match make {
            Maker::Count => Acc::Count(0),
            Maker::Other(make) => Acc::Other(make()),
        }));
        self.groups.push(Group {
            next,
            distinct: if self.any_distinct {
                self.aggregates
                    .iter()
                    .map(|a| {
                        a.distinct
                            .then(|| Seen::new(self.replay && a.name != "count"))
                    })
                    .collect()
            } else {
                Vec::new()
            },
        });
        self.groups.len() - 1
    }

    /// The key values of group `g`.
    fn key_of(&self, g: usize) -> &[Value] {
        let k = self.keys.len();
        &self.key_values[g * k..(g + 1) * k]
    }

    /// The ids the `keys_of` slots of `row` hold (`u64::MAX` for null); `None` when one holds
    /// something else, or there are no such slots.
    fn entity_ids(&self, row: &Slots) -> Option<EntityIds> {
        if self.keys_of.is_empty() {
            return None;
        }
        let mut ids = [0u64; 4];
        for (id, slot) in ids.iter_mut().zip(self.keys_of) {
            *id = match row.get(*slot)? {
                Value::Node(n) => n.id.0,
                Value::Relationship(r) => r.id.0,
                Value::Null => u64::MAX,
                _ => return None,
            };
        }
        Some(ids)
    }

    fn add(&mut self, ctx: &mut Context<'_>, row: &mut Slots) -> Result<(), ExecError> {
        // Rows with the same entities in the key slots have the same keys (the statement has
        // not written): find their group by ids, without reading the keys.
        let ids = self.entity_ids(row);
        if let Some(ids) = ids {
            if let Some((last, g)) = self.last
                && last == ids
            {
                return self.update(ctx, g, row);
            }
            if let Some(&g) = self.by_ids.get(&ids) {
                self.last = Some((ids, g));
                return self.update(ctx, g, row);
            }
        }
        // The key is built in a buffer kept from row to row: a row of a known group allocates
        // nothing.
        let mut key = std::mem::take(&mut self.key);
        key.clear();
        for (_, expr) in self.keys {
            key.push(eval(ctx, expr, row)?);
        }
        if let Some(ids) = ids
            && self.ids_identify
        {
            self.charge(ctx, row_size(&key) + 48)?;
            let g = self.new_group(key, None);
            self.by_ids.insert(ids, g);
            self.last = Some((ids, g));
            return self.update(ctx, g, row);
        }
        let hash = std::hash::BuildHasher::hash_one(&self.hasher, &key);
        let (found, first) = self.find(hash, |slot, i| key[i] == *slot);
        let g = match found {
            Some(g) => {
                self.key = key;
                g
            }
            None => {
                self.charge(ctx, row_size(&key) + 16)?;
                let g = self.new_group(key, first);
                self.index.insert(hash, g);
                g
            }
        };
        if let Some(ids) = ids {
            ctx.budget.charge(48, "aggregation")?;
            self.held += 48;
            self.by_ids.insert(ids, g);
            self.last = Some((ids, g));
        }
        self.update(ctx, g, row)
    }

    /// Runs `streaming` over `input` on several threads, each over its part of the first scan
    /// or of the input rows (`split`) into an aggregator of its own, and merges their groups
    /// into this (empty) one in that order, so groups, `collect` lists and ties come out as
    /// one thread would give them.
    fn absorb_parallel(
        &mut self,
        ctx: &mut Context<'_>,
        streaming: &'p [Operator],
        input: &[Slots],
        split: Split,
        disjoint: bool,
    ) -> Result<(), ExecError> {
        let parts = match split {
            Split::None => return Ok(()),
            Split::Scan(n) | Split::Input(n) => n,
        };
        let share = ctx
            .budget
            .remaining()
            .map(|r| r / u64::try_from(parts).unwrap_or(1));
        let graph = ctx
            .read()
            .as_sync()
            .ok_or(ExecError::Storage(crate::storage::StorageError::ReadOnly))?;
        let (keys, aggregates, keys_of) = (self.keys, self.aggregates, self.keys_of);
        let procedures = ctx.procedures;
        let (params, now) = (&ctx.params, &ctx.now);
        let (interrupt, cancel) = (&ctx.interrupt, &ctx.cancel);
        let (import_dir, row_width) = (&ctx.import_dir, ctx.row_width);
        // On rayon's pool: its threads, and their allocators' memory, live on between
        // statements, so a statement pays neither thread starts nor fresh pages.
        let results: Vec<Result<Aggregator<'p>, ExecError>> = (0..parts)
            .into_par_iter()
            .map(|part| {
                let (rows, scan_part) = match split {
                    Split::Input(_) => {
                        let n = input.len();
                        (&input[n * part / parts..n * (part + 1) / parts], None)
                    }
                    _ => (input, Some((part, parts))),
                };
                let _memo = crate::storage::MemoScope::enter();
                let mut wctx =
                    Context::new(Graph::Read(graph), params.clone(), now.clone(), procedures);
                wctx.interrupt.clone_from(interrupt);
                wctx.cancel.clone_from(cancel);
                wctx.import_dir.clone_from(import_dir);
                wctx.row_width = row_width;
                wctx.budget = MemoryBudget::new(share);
                wctx.scan_part = scan_part;
                let mut aggregator = Aggregator::new(keys, aggregates, keys_of)?;
                aggregator.replay = !disjoint;
                let mut state = StreamState::new(streaming.len());
                for row in rows {
                    let mut row = row.clone();
                    widen(&mut row, row_width);
                    push(
                        &mut wctx,
                        streaming,
                        0,
                        &mut state,
                        &mut row,
                        &mut |c, r: &mut Slots| {
                            aggregator.add(c, r)?;
                            Ok(Flow::Continue)
                        },
                    )?;
                }
                Ok(aggregator)
            })
            .collect();
        for part in results {
            if disjoint {
                self.append(part?);
            } else {
                self.merge(part?)?;
            }
        }
        ctx.budget.charge(self.held, "aggregation")?;
        Ok(())
    }

    /// The hash of a group's key as `add` computes it.
    fn key_hash(&self, key: &[Value]) -> u64 {
        std::hash::BuildHasher::hash_one(&self.hasher, key)
    }

    /// The group of key hash `hash` whose key values all pass `same(value, i)` (`i`: the
    /// key's position), and the first group of that hash.
    fn find(
        &self,
        hash: u64,
        same: impl Fn(&Value, usize) -> bool,
    ) -> (Option<usize>, Option<usize>) {
        let first = self.index.get(&hash).copied();
        let mut at = first;
        while let Some(g) = at {
            if self
                .key_of(g)
                .iter()
                .enumerate()
                .all(|(i, value)| same(value, i))
            {
                return (Some(g), first);
            }
            at = self.groups[g].next;
        }
        (None, first)
    }

    /// Takes in the groups of `later`, fed the rows after this one's, when no group can be in
    /// both (`parts_disjoint`): they are added after this one's, unindexed, so the aggregator
    /// takes no more rows, only `finish`.
    fn append(&mut self, later: Aggregator<'p>) {
        if self.groups.is_empty() {
            let held = self.held;
            *self = later;
            self.held += held;
            return;
        }
        self.index.clear();
        self.by_ids.clear();
        self.last = None;
        self.key_values.extend(later.key_values);
        self.accs.extend(later.accs);
        self.groups
            .extend(later.groups.into_iter().map(|group| Group {
                next: None,
                ..group
            }));
        self.held += later.held;
    }

    /// `merge` when both sides found every group by the ids of its entities (`by_ids` holds
    /// each group once): groups meet by ids, with no key hashed or compared.
    fn merge_by_ids(&mut self, later: Aggregator<'p>) -> Result<(), ExecError> {
        let (k, n) = (self.keys.len(), self.aggregates.len());
        let mut ids_of = vec![[0u64; 4]; later.groups.len()];
        for (ids, &g) in &later.by_ids {
            ids_of[g] = *ids;
        }
        self.last = None;
        let mut key_values = later.key_values.into_iter();
        let mut accs = later.accs.into_iter();
        for (group, ids) in later.groups.into_iter().zip(ids_of) {
            match self.by_ids.get(&ids) {
                Some(&g) => {
                    key_values.by_ref().take(k).for_each(drop);
                    self.merge_group(g, group, accs.by_ref().take(n))?;
                }
                None => {
                    self.by_ids.insert(ids, self.groups.len());
                    self.key_values.extend(key_values.by_ref().take(k));
                    self.accs.extend(accs.by_ref().take(n));
                    self.groups.push(Group {
                        next: None,
                        ..group
                    });
                }
            }
        }
        self.held += later.held;
        Ok(())
    }

    /// Takes in the groups of `later`, fed the rows after this one's: a group both have
    /// merges its accumulators, a new one is added after this one's.
    fn merge(&mut self, mut later: Aggregator<'p>) -> Result<(), ExecError> {
        if self.groups.is_empty() {
            later.held += self.held;
            *self = later;
            return Ok(());
        }
        if self.ids_identify
            && later.ids_identify
            && self.by_ids.len() == self.groups.len()
            && later.by_ids.len() == later.groups.len()
        {
            self.merge_by_ids(later)?;
            return Ok(());
        }
        if self.ids_identify {
            // Groups were found by ids alone; index them by key for the merge.
            self.ids_identify = false;
            self.by_ids.clear();
            self.last = None;
            for g in 0..self.groups.len() {
                let hash = self.key_hash(self.key_of(g));
                self.groups[g].next = self.index.insert(hash, g);
            }
        }
        let (k, n) = (self.keys.len(), self.aggregates.len());
        let mut key_values = later.key_values.into_iter();
        let mut accs = later.accs.into_iter();
        for group in later.groups {
            let key: Vec<Value> = key_values.by_ref().take(k).collect();
            let hash = self.key_hash(&key);
            match self.find(hash, |value, i| *value == key[i]) {
                (Some(g), _) => self.merge_group(g, group, accs.by_ref().take(n))?,
                (None, first) => {
                    let g = self.groups.len();
                    self.key_values.extend(key);
                    self.accs.extend(accs.by_ref().take(n));
                    self.groups.push(Group {
                        next: first,
                        distinct: group.distinct,
                    });
                    self.index.insert(hash, g);
                }
            }
        }
        self.held += later.held;
        Ok(())
    }

    /// Takes into group `g` the group `later` of a later part, with its accumulators: they
    /// merge, but a DISTINCT aggregate's is dropped and the later part's distinct values are
    /// replayed in order, those this group has not seen going to its own accumulator.
    fn merge_group(
        &mut self,
        g: usize,
        mut later: Group,
        accs: impl Iterator<Item = Acc>,
    ) -> Result<(), ExecError> {
        let n = self.aggregates.len();
        for (a, theirs) in accs.enumerate() {
            if !self.aggregates[a].distinct {
                self.accs[g * n + a].merge(theirs)?;
                continue;
            }
            let replayed = later.distinct.get_mut(a).and_then(Option::take);
            let (Some(replayed), Some(Some(seen)), Acc::Other(acc)) = (
                replayed,
                self.groups[g].distinct.get_mut(a),
                &mut self.accs[g * n + a],
            ) else {
                return Err(ExecError::Argument(
                    "merging DISTINCT aggregates that kept nothing".into(),
                ));
            };
            match replayed {
                Seen {
                    order: Some(order), ..
                } => {
                    for args in order {
                        let (fresh, kept) = seen.first_sight(&args, true);
                        self.held += kept;
                        if fresh {
                            acc.update(&args)?;
                        }
                    }
                }
                // A count does not depend on the order: the later part's sets are enough.
                Seen {
                    values, entities, ..
                } if self.aggregates[a].name == "count" => {
                    for id in entities {
                        if seen.entities.insert(id) {
                            acc.update(&[Value::Bool(true)])?;
                        }
                    }
                    for key in values {
                        if !seen.values.contains(&key) {
                            self.held += row_size(&key);
                            acc.update(&key)?;
                            seen.values.insert(key);
                        }
                    }
                }
                Seen { .. } => {
                    return Err(ExecError::Argument(
                        "merging DISTINCT aggregates that kept no order".into(),
                    ));
                }
            }
        }
        Ok(())
    }

    fn update(
        &mut self,
        ctx: &mut Context<'_>,
        g: usize,
        row: &mut Slots,
    ) -> Result<(), ExecError> {
        let n = self.aggregates.len();
        let mut args = std::mem::take(&mut self.args);
        for (a, agg) in self.aggregates.iter().enumerate() {
            if let Acc::Count(count) = &mut self.accs[g * n + a] {
                // `count(x)` only asks whether x is null: the node or list x holds is not copied.
                let counted = match agg.args.as_slice() {
                    [] => true,
                    [Expr::Slot(slot)] => row.get(*slot).is_some_and(|v| !v.is_null()),
                    [e] => !eval(ctx, e, row)?.is_null(),
                    _ => unreachable!("a count of more than one argument is not a `Maker::Count`"),
                };
                *count += u64::from(counted);
                continue;
            }
            args.clear();
            for e in &agg.args {
                args.push(eval(ctx, e, row)?);
            }
            let group = &mut self.groups[g];
            let mut kept = 0;
            if agg.distinct
                && let Some(seen) = &mut group.distinct[a]
            {
                // DISTINCT looks at the first argument; nulls are skipped by the aggregate.
                let (fresh, bytes) = seen.first_sight(&args, !ctx.simple);
                kept += bytes;
                if !fresh {
                    continue;
                }
            }
            if retains_values(agg) {
                kept += args.first().map_or(0, value_size);
            }
            if let Acc::Other(acc) = &mut self.accs[g * n + a] {
                acc.update(&args)?;
            }
            if kept > 0 {
                ctx.budget.charge(kept, "aggregation")?;
                self.held += kept;
            }
        }
        self.args = args;
        Ok(())
    }

    fn finish(mut self, ctx: &mut Context<'_>) -> Result<Vec<Slots>, ExecError> {
        ctx.budget.release(self.held);
        if self.groups.is_empty() && self.keys.is_empty() {
            self.new_group(Vec::new(), None);
        }
        let width = self
            .keys
            .iter()
            .map(|(slot, _)| slot + 1)
            .chain(self.aggregates.iter().map(|a| a.slot + 1))
            .fold(0, usize::max);
        let mut out = Vec::with_capacity(self.groups.len());
        let mut key_values = self.key_values.into_iter();
        let mut accs = self.accs.iter_mut();
        for _ in 0..self.groups.len() {
            let mut row = null_row(width);
            for ((slot, _), value) in self.keys.iter().zip(key_values.by_ref()) {
                row[*slot] = value;
            }
            for (agg, acc) in self.aggregates.iter().zip(accs.by_ref()) {
                row[agg.slot] = acc.finish()?;
            }
            out.push(row);
        }
        Ok(out)
    }
}

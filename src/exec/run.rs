//! Running pipelines. Rows are pushed through runs of streaming operators (match, unwind,
//! filter, project, writes, skip, limit, distinct) depth first, so LIMIT stops the scans
//! feeding it; blocking operators (aggregate, sort, eager, delete) collect their input first.

use foldhash::{HashSet, HashSetExt};

use crate::plan::logical::{Operator, Pipeline, QueryPlan};
use crate::value::Value;

use super::ExecError;
use super::batch::{Batch, BatchRun};
use super::budget::row_size;
use super::context::Context;
use super::eval::{Slots, null_row};
use super::grouping::{Aggregator, GroupRows};
use super::matcher::Flow;
use super::mutate;
use super::parallel::{Split, parallel_split};
use super::sort::Sorter;
use super::stream::{StreamState, count_value, profile_own, push};

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
            Input::Rows(vec![start].into_iter()),
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
        Input::Rows(vec![row.clone()].into_iter()),
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
pub(super) fn live_copy(row: &Slots, keep: Option<&[usize]>) -> Slots {
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
pub(super) fn widen(row: &mut Slots, width: usize) {
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
    mut input: Input<'_>,
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
    let (threads, disjoint) = parallel_split(ctx, streaming, rest.first(), input.as_rows());
    if threads != Split::None
        && let Collector::Aggregate(aggregator) = &mut sink
    {
        aggregator.absorb_parallel(ctx, streaming, input.as_rows(), threads, disjoint)?;
    }
    // A scan into an aggregation or a sort runs batch by batch (see `batch`); the simplest
    // plans, and PROFILE, which times operators row by row, run a row at a time.
    let batched = match &sink {
        Collector::Aggregate(_) | Collector::Sort(_)
            if threads == Split::None && !ctx.simple && ctx.profile.is_none() =>
        {
            BatchRun::of(streaming)
        }
        _ => None,
    };
    if let Some(run) = batched {
        if let Collector::Aggregate(aggregator) = &mut sink {
            aggregator.clustered(run.scanned_slot());
        }
        let mut levels = Vec::new();
        let width = ctx.row_width;
        let mut failed = None;
        let rows = input.by_ref().map_while(|row| match row {
            Ok(mut row) => {
                widen(&mut row, width);
                Some(row)
            }
            Err(e) => {
                failed = Some(e);
                None
            }
        });
        let rest_at = run.rest_at();
        run.run(ctx, rows, &mut levels, &mut |ctx, batch| {
            collect_batch(ctx, streaming, rest_at, &mut state, batch, &mut sink)
        })?;
        if let Some(e) = failed {
            return Err(e);
        }
    }
    while let Some(row) = input.next().filter(|_| threads == Split::None) {
        let mut row = row?;
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
        // An aggregation whose rows feed another may be split between threads by its input
        // rows, which wants them all at hand.
        (_, Collector::Aggregate(a))
            if after
                .iter()
                .find(|op| is_blocking(op))
                .is_some_and(|op| matches!(op, Operator::Aggregate { .. })) =>
        {
            a.finish(ctx)?
        }
        (_, Collector::Aggregate(a)) => {
            // As wide as the operators after it need: no row is widened again.
            let groups = a.into_rows(ctx, ctx.row_width);
            profile_own(ctx, blocking, started, 0);
            let live_after = live.get(split + 1..).unwrap_or_default();
            return run_pipeline(
                ctx,
                after,
                live_after,
                Input::Groups(groups),
                first_only,
                out,
            );
        }
        (_, Collector::Sort(s)) => s.finish(ctx),
        (Operator::Delete { exprs, detach }, Collector::Rows(rows)) => {
            mutate::delete(ctx, exprs, *detach, rows)?
        }
        (_, Collector::Rows(rows)) => rows,
        (_, Collector::Out) => Vec::new(),
    };
    profile_own(ctx, blocking, started, 0);
    let live_after = live.get(split + 1..).unwrap_or_default();
    run_pipeline(
        ctx,
        after,
        live_after,
        Input::Rows(produced.into_iter()),
        first_only,
        out,
    )
}

/// The rows a pipeline runs over: rows at hand, or an aggregation's groups made into rows as
/// they are taken.
enum Input<'p> {
    Rows(std::vec::IntoIter<Slots>),
    Groups(GroupRows<'p>),
}

impl Input<'_> {
    /// The rows at hand (none for groups not made into rows yet).
    fn as_rows(&self) -> &[Slots] {
        match self {
            Input::Rows(rows) => rows.as_slice(),
            Input::Groups(_) => &[],
        }
    }
}

impl Iterator for Input<'_> {
    type Item = Result<Slots, ExecError>;

    fn next(&mut self) -> Option<Self::Item> {
        match self {
            Input::Rows(rows) => rows.next().map(Ok),
            Input::Groups(groups) => groups.next(),
        }
    }
}

/// Hands the rows of a batch to an aggregation or a sort: the batch whole, or each row on
/// through the operators the batch did not run (`streaming[rest_at..]`).
fn collect_batch(
    ctx: &mut Context<'_>,
    streaming: &[Operator],
    rest_at: usize,
    state: &mut StreamState,
    batch: &mut Batch,
    sink: &mut Collector<'_>,
) -> Result<(), ExecError> {
    if rest_at >= streaming.len() {
        return match sink {
            Collector::Aggregate(a) => a.add_batch(ctx, batch),
            Collector::Sort(s) => s.add_batch(ctx, batch),
            Collector::Out | Collector::Rows(_) => unreachable!("not batched"),
        };
    }
    push_batch_rows(
        ctx,
        streaming,
        rest_at,
        state,
        batch,
        &mut |ctx, row| match sink {
            Collector::Aggregate(a) => a.add(ctx, row),
            Collector::Sort(s) => s.add(ctx, row),
            Collector::Out | Collector::Rows(_) => unreachable!("not batched"),
        },
    )
}

/// Pushes each selected row of a batch through `streaming[rest_at..]` into `add`.
pub(super) fn push_batch_rows(
    ctx: &mut Context<'_>,
    streaming: &[Operator],
    rest_at: usize,
    state: &mut StreamState,
    batch: &mut Batch,
    add: &mut dyn FnMut(&mut Context<'_>, &mut Slots) -> Result<(), ExecError>,
) -> Result<(), ExecError> {
    let selected = batch.selected.clone();
    let rows = batch.rows();
    for i in selected {
        push(
            ctx,
            streaming,
            rest_at,
            state,
            &mut rows[i as usize],
            &mut |ctx, row: &mut Slots| {
                add(ctx, row)?;
                Ok(Flow::Continue)
            },
        )?;
    }
    Ok(())
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

/// Where a streaming run delivers its rows.
enum Collector<'p> {
    /// Straight to the pipeline's output.
    Out,
    Rows(Vec<Slots>),
    Aggregate(Box<Aggregator<'p>>),
    Sort(Sorter<'p>),
}

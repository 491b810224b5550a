//! Running pipelines. Rows are pushed through runs of streaming operators (match, unwind,
//! filter, project, writes, skip, limit, distinct) depth first, so LIMIT stops the scans
//! feeding it; blocking operators (aggregate, sort, eager, delete) collect their input first.

use foldhash::{HashSet, HashSetExt};

use crate::plan::logical::{CountSource, Expr, Operator, Pipeline, QueryPlan};
use crate::value::Value;

use super::ExecError;
use super::batch::{Batch, BatchRun};
use super::budget::row_size;
use super::context::Context;
use super::eval::{Slots, eval, is_true, null_row};
use super::grouping::{Aggregator, GroupRows};
use super::load_csv;
use super::matcher::{Flow, MatchScratch, match_pattern, match_pattern_reusing};
use super::mutate;
use super::parallel::{Split, parallel_split};
use super::sort::Sorter;

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

/// Per-run state of streaming operators: SKIP and LIMIT counters, DISTINCT sets.
pub(super) struct StreamState {
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
    pub(super) fn new(n: usize) -> Self {
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
pub(super) fn entity_key(value: &Value) -> Option<u64> {
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
pub(super) fn push(
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
            let output = (def.call)(&values, &mut super::procedures::StatementContext::new(ctx))?;
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

/// Where a streaming run delivers its rows.
enum Collector<'p> {
    /// Straight to the pipeline's output.
    Out,
    Rows(Vec<Slots>),
    Aggregate(Box<Aggregator<'p>>),
    Sort(Sorter<'p>),
}

//! Streaming operators: a row pushed depth first through match, unwind, filter, project,
//! writes, skip, limit and distinct, each handing its rows to the next (`push`); the per-run state
//! they keep (`StreamState`). `run.rs` strings them into pipelines.

use foldhash::{HashSet, HashSetExt};

use crate::plan::logical::{CountSource, Expr, Operator};
use crate::value::Value;

use super::ExecError;
use super::budget::row_size;
use super::context::Context;
use super::eval::{Slots, eval, is_true};
use super::load_csv;
use super::matcher::{Flow, MatchScratch, match_pattern, match_pattern_reusing};
use super::mutate;

/// Per-run state of streaming operators: SKIP and LIMIT counters, DISTINCT sets.
pub(super) struct StreamState {
    /// Bytes the DISTINCT sets hold (charged to the statement's budget).
    pub(super) held: usize,
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
pub(super) fn count_value(
    ctx: &mut Context<'_>,
    expr: &Expr,
    what: &str,
) -> Result<u64, ExecError> {
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
pub(super) fn profile_own(
    ctx: &mut Context<'_>,
    op: &Operator,
    started: std::time::Instant,
    rows: u64,
) {
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

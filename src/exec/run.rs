//! Running pipelines. Rows are pushed through runs of streaming operators (match, unwind,
//! filter, project, writes, skip, limit, distinct) depth first, so LIMIT stops the scans
//! feeding it; blocking operators (aggregate, sort, eager, delete) collect their input first.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};

use crate::plan::logical::{Aggregate, Expr, Operator, Pipeline, QueryPlan, SortKey};
use crate::value::Value;

use super::ExecError;
use super::aggregate::{self, Accumulator};
use super::context::Context;
use super::eval::{Row, eval, is_true};
use super::load_csv;
use super::matcher::{Flow, match_pattern};
use super::mutate;

/// Runs a query plan; returns the output rows (columns in plan order, values not yet
/// materialized).
pub fn run_query(ctx: &mut Context<'_>, plan: &QueryPlan) -> Result<Vec<Vec<Value>>, ExecError> {
    let mut output: Vec<Vec<Value>> = Vec::new();
    let mut seen: HashSet<Vec<Value>> = HashSet::new();
    ctx.row_width = plan.width;
    for (branch, columns) in plan.branches.iter().zip(&plan.columns) {
        let start = vec![Value::Null; plan.width];
        let rows = run_pipeline(ctx, &branch.operators, vec![start], false)?;
        if columns.is_empty() {
            // A query that ends in an update returns no rows.
            continue;
        }
        for row in rows {
            let out: Vec<Value> = columns
                .iter()
                .map(|(_, slot)| row.get(*slot).cloned().unwrap_or(Value::Null))
                .collect();
            if plan.branches.len() > 1 && plan.distinct_union && !seen.insert(out.clone()) {
                continue;
            }
            output.push(out);
        }
    }
    Ok(output)
}

/// Runs a subquery's pipeline for one outer row; with `first_only`, stops at the first row.
pub(crate) fn run_subquery(
    ctx: &mut Context<'_>,
    pipeline: &Pipeline,
    row: &Row,
    first_only: bool,
) -> Result<Vec<Row>, ExecError> {
    // The subquery's slots lie beyond or among the outer ones; the row is wide enough because
    // every slot of the query was allocated in one space.
    run_pipeline(ctx, &pipeline.operators, vec![row.clone()], first_only)
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

/// Runs operators over input rows and returns the output rows.
fn run_pipeline(
    ctx: &mut Context<'_>,
    ops: &[Operator],
    input: Vec<Row>,
    first_only: bool,
) -> Result<Vec<Row>, ExecError> {
    let split = ops.iter().position(is_blocking).unwrap_or(ops.len());
    let (streaming, rest) = ops.split_at(split);
    let stop_after_first = first_only && rest.is_empty();
    let mut state = StreamState::new(streaming.len());
    // What the streaming run feeds: the output, or the blocking operator that follows it.
    let mut sink = match rest.first() {
        Some(Operator::Aggregate {
            keys,
            aggregates,
            group_by,
            keys_of_node,
        }) => {
            let mut aggregator = Aggregator::new(keys, aggregates, *group_by, ctx.row_width);
            aggregator.keys_of_node = *keys_of_node;
            Collector::Aggregate(aggregator)
        }
        Some(Operator::Sort { keys }) => {
            let limit = if ctx.simple {
                None
            } else {
                sort_limit(ctx, &rest[1..])?
            };
            Collector::Sort(Sorter::new(keys, limit))
        }
        _ => Collector::Rows(Vec::new()),
    };
    for mut row in input {
        let flow = push(
            ctx,
            streaming,
            0,
            &mut state,
            &mut row,
            &mut |ctx, r: &mut Row| {
                let started = std::time::Instant::now();
                match &mut sink {
                    Collector::Rows(rows) => rows.push(r.clone()),
                    Collector::Aggregate(a) => a.add(ctx, r)?,
                    Collector::Sort(s) => s.add(ctx, r)?,
                }
                if ctx.profile.is_some()
                    && let Some(blocking) = rest.first()
                {
                    profile_own(ctx, blocking, started, 1);
                }
                Ok(if stop_after_first {
                    Flow::Stop
                } else {
                    Flow::Continue
                })
            },
        )?;
        if flow == Flow::Stop {
            break;
        }
    }
    let Some((blocking, after)) = rest.split_first() else {
        return match sink {
            Collector::Rows(rows) => Ok(rows),
            _ => Ok(Vec::new()),
        };
    };
    let started = std::time::Instant::now();
    let produced = match (blocking, sink) {
        (_, Collector::Aggregate(a)) => a.finish()?,
        (_, Collector::Sort(s)) => s.finish(),
        (Operator::Delete { exprs, detach }, Collector::Rows(rows)) => {
            mutate::delete(ctx, exprs, *detach, rows)?
        }
        (_, Collector::Rows(rows)) => rows,
    };
    profile_own(ctx, blocking, started, 0);
    run_pipeline(ctx, after, produced, first_only)
}

/// Per-run state of streaming operators: SKIP and LIMIT counters, DISTINCT sets.
struct StreamState {
    counters: Vec<u64>,
    seen: Vec<HashSet<Vec<Value>>>,
    /// DISTINCT over one node: the ids seen, which is cheaper than values.
    seen_nodes: Vec<HashSet<u64>>,
}

impl StreamState {
    fn new(n: usize) -> Self {
        StreamState {
            counters: vec![0; n],
            seen: (0..n).map(|_| HashSet::new()).collect(),
            seen_nodes: (0..n).map(|_| HashSet::new()).collect(),
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

type Sink<'s> = dyn FnMut(&mut Context<'_>, &mut Row) -> Result<Flow, ExecError> + 's;

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
    row: &mut Row,
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
    row: &mut Row,
    sink: &mut Sink<'_>,
) -> Result<Flow, ExecError> {
    match op {
        Operator::Match { pattern, optional } => {
            let mut found = false;
            let flow = {
                let mut emit = |ctx: &mut Context<'_>, r: &mut Row| -> Result<Flow, ExecError> {
                    found = true;
                    // Later operators only write slots of their own, so the matcher's row goes
                    // on as it is.
                    push(ctx, ops, i + 1, state, r, sink)
                };
                match_pattern(ctx, pattern, row, &mut emit)?
            };
            if flow == Flow::Stop {
                return Ok(Flow::Stop);
            }
            if !found && *optional {
                // No match: the pattern's new variables are null.
                let mut copy = row.clone();
                for n in pattern.nodes.iter().filter(|n| !n.bound) {
                    copy[n.slot] = Value::Null;
                }
                for r in pattern.rels.iter().filter(|r| !r.bound) {
                    copy[r.slot] = Value::Null;
                }
                for p in &pattern.paths {
                    copy[p.slot] = Value::Null;
                }
                return push(ctx, ops, i + 1, state, &mut copy, sink);
            }
            Ok(Flow::Continue)
        }
        Operator::Unwind { expr, slot } => {
            let value = eval(ctx, expr, row)?;
            let items = match value {
                Value::List(items) => items,
                Value::Null => Vec::new(),
                other => vec![other],
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
            let mut values = Vec::with_capacity(items.len());
            for (_, expr) in items {
                values.push(eval(ctx, expr, row)?);
            }
            for ((slot, _), value) in items.iter().zip(values) {
                row[*slot] = value;
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
                _ => state.seen[i].insert(slots.iter().map(|s| row[*s].clone()).collect()),
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
            let mut matches: Vec<Row> = Vec::new();
            {
                let mut emit = |_: &mut Context<'_>, r: &mut Row| -> Result<Flow, ExecError> {
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
        Operator::Aggregate { .. }
        | Operator::Sort { .. }
        | Operator::Eager
        | Operator::Delete { .. } => {
            // Blocking operators are handled by `run_pipeline`; never reached.
            sink(ctx, row)
        }
    }
}

/// Pushes each row of a `LOAD CSV` on, with its file and line in the context; an error while
/// handling a row is wrapped with them (unless an inner LOAD CSV already said where).
#[allow(clippy::too_many_arguments)]
fn load_rows(
    ctx: &mut Context<'_>,
    ops: &[Operator],
    i: usize,
    state: &mut StreamState,
    row: &mut Row,
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
    row: Row,
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
    Rows(Vec<Row>),
    Aggregate(Aggregator<'p>),
    Sort(Sorter<'p>),
}

/// Sorts rows as they arrive (stable); with a limit, keeps only the first `limit` in a bounded
/// heap, so ORDER BY ... LIMIT k holds k rows, not all of them.
struct Sorter<'k> {
    keys: &'k [SortKey],
    limit: Option<usize>,
    heap: BinaryHeap<Keyed<'k>>,
    all: Vec<Keyed<'k>>,
    seq: usize,
}

impl<'k> Sorter<'k> {
    fn new(keys: &'k [SortKey], limit: Option<u64>) -> Self {
        let limit = limit.map(|l| usize::try_from(l).unwrap_or(usize::MAX));
        Sorter {
            keys,
            limit,
            heap: BinaryHeap::new(),
            all: Vec::new(),
            seq: 0,
        }
    }

    fn add(&mut self, ctx: &mut Context<'_>, row: &mut Row) -> Result<(), ExecError> {
        if self.limit == Some(0) {
            return Ok(());
        }
        let mut key = Vec::with_capacity(self.keys.len());
        for k in self.keys {
            key.push(eval(ctx, &k.expr, row)?);
        }
        self.seq += 1;
        let keys = self.keys;
        match self.limit {
            Some(l) => {
                if self.heap.len() < l {
                    self.heap.push(Keyed {
                        key,
                        seq: self.seq,
                        row: row.clone(),
                        keys,
                    });
                } else if self
                    .heap
                    .peek()
                    .is_some_and(|top| compare_keys(&key, &top.key, keys) == Ordering::Less)
                {
                    self.heap.pop();
                    self.heap.push(Keyed {
                        key,
                        seq: self.seq,
                        row: row.clone(),
                        keys,
                    });
                }
            }
            None => self.all.push(Keyed {
                key,
                seq: self.seq,
                row: row.clone(),
                keys,
            }),
        }
        Ok(())
    }

    fn finish(self) -> Vec<Row> {
        let mut sorted = if self.limit.is_some() {
            self.heap.into_vec()
        } else {
            self.all
        };
        sorted.sort();
        sorted.into_iter().map(|k| k.row).collect()
    }
}

/// One group's accumulators, with DISTINCT filters where asked.
struct Group {
    row: Row,
    accumulators: Vec<Box<dyn Accumulator>>,
    distinct: Vec<Option<(HashSet<Vec<Value>>, HashSet<u64>)>>,
}

/// Groups rows as they arrive and feeds each group's accumulators; rows are not kept.
struct Aggregator<'p> {
    keys: &'p [(usize, Expr)],
    aggregates: &'p [Aggregate],
    group_by: Option<usize>,
    width: usize,
    index: HashMap<Vec<Value>, usize>,
    /// Groups by node id, when grouping by a node.
    node_index: HashMap<u64, usize>,
    /// When the keys read only this node: the last node seen and its group.
    keys_of_node: Option<usize>,
    last: Option<(u64, usize)>,
    groups: Vec<Group>,
}

impl<'p> Aggregator<'p> {
    fn new(
        keys: &'p [(usize, Expr)],
        aggregates: &'p [Aggregate],
        group_by: Option<usize>,
        width: usize,
    ) -> Self {
        Aggregator {
            keys,
            aggregates,
            group_by,
            width,
            index: HashMap::new(),
            node_index: HashMap::new(),
            keys_of_node: None,
            last: None,
            groups: Vec::new(),
        }
    }

    fn new_group(&self, row: Row) -> Result<Group, ExecError> {
        let mut accumulators = Vec::with_capacity(self.aggregates.len());
        for a in self.aggregates {
            accumulators.push(if a.name == "count" && a.args.is_empty() {
                aggregate::count_star()
            } else {
                let def = aggregate::lookup(&a.name)
                    .ok_or_else(|| ExecError::Argument(format!("unknown aggregate {}", a.name)))?;
                (def.new)()
            });
        }
        Ok(Group {
            row,
            accumulators,
            distinct: self
                .aggregates
                .iter()
                .map(|a| a.distinct.then(|| (HashSet::new(), HashSet::new())))
                .collect(),
        })
    }

    fn add(&mut self, ctx: &mut Context<'_>, row: &mut Row) -> Result<(), ExecError> {
        if let Some(slot) = self.group_by
            && let Value::Node(node) = &row[slot]
        {
            // Grouping by a node: look the group up by id, without building a key.
            let g = match self.node_index.get(&node.id.0) {
                Some(&g) => g,
                None => {
                    let id = node.id.0;
                    let mut out = vec![Value::Null; row.len().max(self.width)];
                    for (slot, expr) in self.keys {
                        out[*slot] = eval(ctx, expr, row)?;
                    }
                    let group = self.new_group(out)?;
                    self.groups.push(group);
                    self.node_index.insert(id, self.groups.len() - 1);
                    self.groups.len() - 1
                }
            };
            return self.update(ctx, g, row);
        }
        let node_of_keys = self.keys_of_node.and_then(|slot| match &row[slot] {
            Value::Node(n) => Some(n.id.0),
            _ => None,
        });
        if let (Some(id), Some((last_id, g))) = (node_of_keys, self.last)
            && id == last_id
        {
            return self.update(ctx, g, row);
        }
        let lookup: Vec<Value> = match self.group_by {
            Some(slot) => vec![row[slot].clone()],
            None => {
                let mut key = Vec::with_capacity(self.keys.len());
                for (_, expr) in self.keys {
                    key.push(eval(ctx, expr, row)?);
                }
                key
            }
        };
        let g = match self.index.get(&lookup) {
            Some(&g) => g,
            None => {
                let values = if self.group_by.is_some() {
                    let mut values = Vec::with_capacity(self.keys.len());
                    for (_, expr) in self.keys {
                        values.push(eval(ctx, expr, row)?);
                    }
                    values
                } else {
                    lookup.clone()
                };
                let mut out = vec![Value::Null; row.len().max(self.width)];
                for ((slot, _), value) in self.keys.iter().zip(values) {
                    out[*slot] = value;
                }
                let group = self.new_group(out)?;
                self.groups.push(group);
                self.index.insert(lookup, self.groups.len() - 1);
                self.groups.len() - 1
            }
        };
        if let Some(id) = node_of_keys {
            self.last = Some((id, g));
        }
        self.update(ctx, g, row)
    }

    fn update(&mut self, ctx: &mut Context<'_>, g: usize, row: &mut Row) -> Result<(), ExecError> {
        let mut args = Vec::new();
        for (a, agg) in self.aggregates.iter().enumerate() {
            args.clear();
            for e in &agg.args {
                args.push(eval(ctx, e, row)?);
            }
            let group = &mut self.groups[g];
            if let Some(seen) = &mut group.distinct[a] {
                // DISTINCT looks at the first argument; nulls are skipped by the aggregate.
                let fresh = match args.first().filter(|_| !ctx.simple).and_then(entity_key) {
                    Some(id) => seen.1.insert(id),
                    None => seen.0.insert(args.iter().take(1).cloned().collect()),
                };
                if !fresh {
                    continue;
                }
            }
            group.accumulators[a].update(&args)?;
        }
        Ok(())
    }

    fn finish(mut self) -> Result<Vec<Row>, ExecError> {
        if self.groups.is_empty() && self.keys.is_empty() {
            let group = self.new_group(vec![Value::Null; self.width])?;
            self.groups.push(group);
        }
        let mut out = Vec::with_capacity(self.groups.len());
        for mut group in self.groups {
            for (agg, acc) in self.aggregates.iter().zip(group.accumulators.iter_mut()) {
                let value = acc.finish()?;
                if group.row.len() <= agg.slot {
                    group.row.resize(agg.slot + 1, Value::Null);
                }
                group.row[agg.slot] = value;
            }
            out.push(group.row);
        }
        Ok(out)
    }
}

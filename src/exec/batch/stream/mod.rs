//! The batched run of a streaming part of a plan. It starts from the scan of one label (or of
//! all nodes), or from the input rows themselves, `BATCH` at a time; goes on through single
//! relationships, filters, projections, and later MATCH and OPTIONAL MATCH clauses that start
//! from nodes already bound; and hands its batches to an aggregation or a sort.
//!
//! Each hop builds the next batch from the selected rows of the one before (each row knows the
//! row it came from), flushing every `BATCH` rows, so rows come out in exactly the order the
//! row-at-a-time executor gives them. An OPTIONAL MATCH keeps, for each row that reaches it,
//! the rows its pattern gives or one row with the pattern's new variables null: its matched
//! rows and null rows are merged in that order (`Merge`) into a batch of their own.

mod optional;

use std::cell::OnceCell;

use crate::plan::logical::{
    Expr, MatchStep, NodeSource, Operator, Pattern, PatternNode, PatternRel, free_slots,
};
use crate::storage::{self, Edge};
use crate::value::{Map, Value};

use super::super::ExecError;
use super::super::context::Context;
use super::super::eval::{Slots, eval, is_true};
use super::super::matcher::{NodeCheck, as_map, properties_match, storage_direction, type_ids};
use super::{BATCH, Batch, NULL_NODE, RelRef};
use optional::Merge;

/// Where a run hands its batches.
pub(in super::super) type BatchSink<'s> =
    dyn FnMut(&mut Context<'_>, &mut Batch) -> Result<(), ExecError> + 's;

/// One relationship of a pattern, followed from a node already in the batch.
struct Hop<'p> {
    /// The pattern (index into `BatchRun::patterns`) and which of its hops this is (the
    /// index of what `Resolved::hops` holds for it).
    pattern: usize,
    index: usize,
    rel: &'p PatternRel,
    /// The pattern node followed from, and its slot.
    from: usize,
    from_slot: usize,
    /// The pattern node reached, and its slot.
    to: usize,
    to_slot: usize,
    /// The slots of the relationships the pattern matched before this one: a row never
    /// matches one relationship twice in one pattern.
    earlier: Vec<usize>,
    /// The node reached is already known (bound before the pattern, or matched by an earlier
    /// step): the relationship must end there.
    to_known: bool,
}

enum Step<'p> {
    /// A pattern begins: its property maps, type ids and node checks are resolved when a row
    /// first reaches it.
    Pattern(usize),
    Filter(&'p Expr),
    Project(&'p [(usize, Expr)]),
    /// A node bound before its pattern: rows whose slot holds null, or a node the pattern's
    /// labels and properties do not describe, go no further; a value that is not a node is
    /// an error, as in the matcher.
    Bound {
        pattern: usize,
        index: usize,
        slot: usize,
    },
    Hop(Hop<'p>),
    /// An OPTIONAL MATCH begins: every row here comes out of it (`Merge`). Its end is `depth`
    /// levels deeper than the batch here.
    OptionalBegin {
        optional: usize,
        end: usize,
        depth: usize,
    },
    /// It ends: the rows that matched, and a null row for each row that reached the beginning
    /// and matched nothing, go on from here, in order.
    OptionalEnd {
        optional: usize,
        fresh_nodes: Vec<usize>,
        fresh_rels: Vec<usize>,
    },
}

/// Where the rows of a run come from.
enum Source<'p> {
    /// The nodes of a label, or all nodes, once per input row.
    Scan {
        node: &'p PatternNode,
        source: &'p NodeSource,
    },
    /// The input rows, a batch at a time.
    Rows,
}

/// A streaming run in the shape this module runs (`BatchRun::of`).
pub(in super::super) struct BatchRun<'p> {
    /// Filters and projections of the input row, before a scan.
    before: &'p [Operator],
    source: Source<'p>,
    patterns: Vec<&'p Pattern>,
    steps: Vec<Step<'p>>,
    /// The slots the run writes (pattern variables, projections).
    writes: Vec<usize>,
    /// The slots of the variables its patterns bind.
    fresh: Vec<usize>,
    /// The batches a run needs: one to start with, one per hop and per OPTIONAL MATCH.
    levels: usize,
    optionals: usize,
    /// Where, in the streaming run, the operators the batch does not run begin: the rows of
    /// each batch go on through them one at a time.
    rest_at: usize,
}

/// A hop's type ids, direction, relationship property map and check of the node reached.
type HopData = (Vec<u32>, storage::Direction, Option<Map>, NodeCheck);

/// What a pattern resolves when a row first reaches it. `None`: nothing can match there (a
/// type, label or key the graph does not have).
struct Resolved {
    hops: Vec<Option<HopData>>,
    bound: Vec<Option<NodeCheck>>,
}

/// What the steps of one run share: the statement's context, the resolution of each pattern
/// (made when a row first reaches it), the OPTIONAL MATCHes in progress, and where the
/// batches go.
struct Run<'r, 'c, 's> {
    ctx: &'r mut Context<'c>,
    resolved: Vec<OnceCell<Resolved>>,
    merges: Vec<Merge>,
    sink: &'r mut BatchSink<'s>,
}

/// The shapes of the operators that may follow the batched part, a row at a time: they read
/// only and take every row (no LIMIT), so evaluating a batch ahead changes nothing.
fn reads_every_row(op: &Operator) -> bool {
    matches!(
        op,
        Operator::Match { .. }
            | Operator::Unwind { .. }
            | Operator::Filter(_)
            | Operator::Project { .. }
            | Operator::Distinct { .. }
    )
}

impl<'p> BatchRun<'p> {
    /// The batched form of `streaming`, when it has the shape this module runs.
    pub(in super::super) fn of(streaming: &'p [Operator]) -> Option<Self> {
        let at = streaming
            .iter()
            .position(|op| !matches!(op, Operator::Filter(_) | Operator::Project { .. }))?;
        let Operator::Match { pattern, optional } = &streaming[at] else {
            return None;
        };
        let scan = match pattern.steps.first() {
            Some(MatchStep::Start {
                node,
                source: source @ (NodeSource::Label(_) | NodeSource::AllNodes),
            }) if !*optional && !pattern.nodes[*node].bound => Some(Source::Scan {
                node: &pattern.nodes[*node],
                source,
            }),
            _ => None,
        };
        let (before, from) = match scan {
            Some(_) => (&streaming[..at], at),
            None => (&streaming[..0], 0),
        };
        let mut run = BatchRun {
            before,
            source: scan.unwrap_or(Source::Rows),
            patterns: Vec::new(),
            steps: Vec::new(),
            writes: Vec::new(),
            fresh: Vec::new(),
            levels: 1,
            optionals: 0,
            rest_at: streaming.len(),
        };
        for (i, op) in streaming.iter().enumerate().skip(from) {
            let taken = match op {
                Operator::Filter(e) => {
                    run.steps.push(Step::Filter(e));
                    true
                }
                Operator::Project { items, .. } => {
                    run.steps.push(Step::Project(items));
                    run.writes.extend(items.iter().map(|(slot, _)| *slot));
                    true
                }
                Operator::Match { pattern, optional } => {
                    let scans = i == at && matches!(run.source, Source::Scan { .. });
                    run.add_pattern(pattern, *optional, scans)
                }
                _ => false,
            };
            if !taken {
                if i == at && matches!(run.source, Source::Scan { .. }) {
                    return None;
                }
                run.rest_at = i;
                break;
            }
        }
        if run.patterns.is_empty() || !streaming[run.rest_at..].iter().all(reads_every_row) {
            return None;
        }
        Some(run)
    }

    /// Adds the steps of a pattern; false (adding nothing) when it is not of the shape this
    /// module runs. `scans`: its first step is the run's scan.
    fn add_pattern(&mut self, pattern: &'p Pattern, optional: bool, scans: bool) -> bool {
        if !pattern.paths.is_empty() || pattern.rels.iter().any(|r| r.bound || r.length.is_some()) {
            return false;
        }
        let index = self.patterns.len();
        let mut steps = Vec::new();
        let mut assigned: Vec<bool> = pattern.nodes.iter().map(|n| n.bound).collect();
        let mut rest = pattern.steps.as_slice();
        if scans {
            let Some((MatchStep::Start { node, .. }, after)) = rest.split_first() else {
                return false;
            };
            assigned[*node] = true;
            rest = after;
        }
        steps.push(Step::Pattern(index));
        let (mut matched, mut bound, mut levels) = (Vec::new(), 0, 0);
        for step in rest {
            match step {
                MatchStep::Filter(e) => steps.push(Step::Filter(e)),
                MatchStep::Start {
                    node,
                    source: NodeSource::Bound,
                } if pattern.nodes[*node].bound => {
                    steps.push(Step::Bound {
                        pattern: index,
                        index: bound,
                        slot: pattern.nodes[*node].slot,
                    });
                    bound += 1;
                }
                MatchStep::Expand { rel, from } if assigned[*from] => {
                    let prel = &pattern.rels[*rel];
                    let to = if *from == prel.left {
                        prel.right
                    } else {
                        prel.left
                    };
                    steps.push(Step::Hop(Hop {
                        pattern: index,
                        index: matched.len(),
                        rel: prel,
                        from: *from,
                        from_slot: pattern.nodes[*from].slot,
                        to,
                        to_slot: pattern.nodes[to].slot,
                        earlier: matched.clone(),
                        to_known: assigned[to],
                    }));
                    assigned[to] = true;
                    matched.push(prel.slot);
                    levels += 1;
                }
                _ => return false,
            }
        }
        if assigned.iter().any(|a| !a) {
            return false;
        }
        let fresh_nodes: Vec<usize> = pattern
            .nodes
            .iter()
            .filter(|n| !n.bound)
            .map(|n| n.slot)
            .collect();
        let fresh_rels: Vec<usize> = pattern.rels.iter().map(|r| r.slot).collect();
        // Property maps are evaluated once per run (or per input row of a scan): they may
        // read only what is the same on every row of it.
        let varies = |slot: &usize| {
            matches!(self.source, Source::Rows)
                || self.writes.contains(slot)
                || fresh_nodes.contains(slot)
                || fresh_rels.contains(slot)
        };
        let reads_rows = |map: &Option<Expr>| {
            map.as_ref()
                .is_some_and(|e| free_slots(e).iter().any(varies))
        };
        if pattern.nodes.iter().any(|n| reads_rows(&n.properties))
            || pattern.rels.iter().any(|r| reads_rows(&r.properties))
        {
            return false;
        }
        if optional {
            let at = self.steps.len();
            let end = at + steps.len() + 1;
            steps.insert(
                0,
                Step::OptionalBegin {
                    optional: self.optionals,
                    end,
                    depth: levels + 1,
                },
            );
            steps.push(Step::OptionalEnd {
                optional: self.optionals,
                fresh_nodes: fresh_nodes.clone(),
                fresh_rels: fresh_rels.clone(),
            });
            self.optionals += 1;
            levels += 1;
        }
        self.steps.extend(steps);
        for slot in fresh_nodes.into_iter().chain(fresh_rels) {
            self.writes.push(slot);
            self.fresh.push(slot);
        }
        self.patterns.push(pattern);
        self.levels += levels;
        true
    }

    /// The slot of the node the run scans, when it starts with a scan: its rows come out
    /// one scanned node after another.
    pub(in super::super) fn scanned_slot(&self) -> Option<usize> {
        match self.source {
            Source::Scan { node, .. } => Some(node.slot),
            Source::Rows => None,
        }
    }

    /// Where the operators the batch does not run begin, in the streaming run it was made
    /// from (its length when there are none).
    pub(in super::super) fn rest_at(&self) -> usize {
        self.rest_at
    }

    /// Runs over the input rows (as wide as the plan's rows), handing each batch's surviving
    /// rows to `sink` (`Batch::selected` lists them, in the order a row at a time would give
    /// them).
    pub(in super::super) fn run(
        &self,
        ctx: &mut Context<'_>,
        input: impl IntoIterator<Item = Slots>,
        levels: &mut Vec<Batch>,
        sink: &mut BatchSink<'_>,
    ) -> Result<(), ExecError> {
        if levels.len() < self.levels {
            levels.resize_with(self.levels, Batch::default);
        }
        let Source::Scan { node, source } = self.source else {
            let mut run = self.start(ctx, sink);
            return self.run_rows(&mut run, input, levels);
        };
        for mut row in input {
            if !self.before_scan(ctx, &mut row)? {
                continue;
            }
            let props = match &node.properties {
                Some(expr) => Some(as_map(eval(ctx, expr, &mut row)?, "node")?),
                None => None,
            };
            let candidates = match source {
                NodeSource::Label(label) => match ctx.read().label_id(label) {
                    Some(l) => ctx.read().nodes_with_label(l)?,
                    None => continue,
                },
                _ => ctx.read().all_nodes()?,
            };
            // A worker of a parallel run scans its part of the candidates.
            let candidates = match ctx.scan_part.take() {
                Some((part, parts)) => {
                    let n = candidates.len();
                    candidates[n * part / parts..n * (part + 1) / parts].to_vec()
                }
                None => candidates,
            };
            let known_label = match source {
                NodeSource::Label(l) => Some(l.as_str()),
                _ => None,
            };
            let Some(check) = NodeCheck::new(ctx.read(), node, props.as_ref(), known_label) else {
                continue;
            };
            for level in levels.iter_mut() {
                level.start(&row, &self.writes);
            }
            // Property maps may read the input row: each is resolved anew.
            let mut run = self.start(ctx, sink);
            for chunk in candidates.chunks(BATCH) {
                run.ctx.check_interrupt()?;
                let batch = &mut levels[0];
                batch.clear(0);
                let ids = batch.node_column(node.slot);
                for &id in chunk {
                    if check.matches(run.ctx.read(), id)? {
                        ids.push(id);
                    }
                }
                let len = ids.len();
                batch.select_all(len);
                self.go_on(&mut run, levels, 0)?;
            }
        }
        Ok(())
    }

    /// Runs the filters and projections before a scan on its input row; false when the row
    /// is filtered out.
    fn before_scan(&self, ctx: &mut Context<'_>, row: &mut Slots) -> Result<bool, ExecError> {
        for op in self.before {
            match op {
                Operator::Filter(e) => {
                    if !is_true(&eval(ctx, e, row)?)? {
                        return Ok(false);
                    }
                }
                Operator::Project { items, .. } => {
                    let mut values = Vec::with_capacity(items.len());
                    for (_, e) in items {
                        values.push(eval(ctx, e, row)?);
                    }
                    for ((slot, _), value) in items.iter().zip(values) {
                        row[*slot] = value;
                    }
                }
                _ => unreachable!("`BatchRun::of` puts filters and projections only before a scan"),
            }
        }
        Ok(true)
    }

    /// Runs the input rows through, a batch of them at a time: every slot that holds a value
    /// in some row of a batch is a column of it (nodes as ids).
    fn run_rows(
        &self,
        run: &mut Run<'_, '_, '_>,
        input: impl IntoIterator<Item = Slots>,
        levels: &mut [Batch],
    ) -> Result<(), ExecError> {
        let mut chunk: Vec<Slots> = Vec::with_capacity(BATCH);
        let mut input = input.into_iter().peekable();
        let mut started = 0;
        while input.peek().is_some() {
            run.ctx.check_interrupt()?;
            chunk.clear();
            chunk.extend(input.by_ref().take(BATCH));
            let width = chunk.iter().map(Vec::len).max().unwrap_or(0);
            if width > started {
                // Nothing is the same on every row: every slot is written, as far as the
                // batch's constants go.
                let nulls = vec![Value::Null; width];
                let all: Vec<usize> = (0..width).chain(self.writes.iter().copied()).collect();
                for level in levels.iter_mut() {
                    level.start(&nulls, &all);
                }
                started = width;
            }
            let batch = &mut levels[0];
            batch.clear(0);
            // A slot a pattern binds starts empty (the matcher overwrites it).
            for slot in (0..width).filter(|s| !self.fresh.contains(s)) {
                let (mut values, mut nodes) = (false, true);
                for row in &chunk {
                    match row.get(slot) {
                        None | Some(Value::Null) => {}
                        Some(Value::Node(n)) if n.labels.is_empty() && n.properties.is_empty() => {
                            values = true;
                        }
                        Some(_) => {
                            values = true;
                            nodes = false;
                        }
                    }
                }
                if !values {
                    continue;
                }
                if nodes {
                    let column = batch.node_column(slot);
                    column.extend(chunk.iter().map(|row| match row.get(slot) {
                        Some(Value::Node(n)) => n.id,
                        _ => NULL_NODE,
                    }));
                } else {
                    let column = batch.value_column(slot);
                    column.extend(chunk.iter_mut().map(|row| match row.get_mut(slot) {
                        Some(v) => std::mem::replace(v, Value::Null),
                        None => Value::Null,
                    }));
                }
            }
            batch.select_all(chunk.len());
            self.go_on(run, levels, 0)?;
        }
        Ok(())
    }

    /// The state of a run, no pattern resolved yet.
    fn start<'r, 'c, 's>(
        &self,
        ctx: &'r mut Context<'c>,
        sink: &'r mut BatchSink<'s>,
    ) -> Run<'r, 'c, 's> {
        Run {
            ctx,
            resolved: (0..self.patterns.len()).map(|_| OnceCell::new()).collect(),
            merges: (0..self.optionals).map(|_| Merge::default()).collect(),
            sink,
        }
    }

    /// Resolves pattern `index` (its property maps read only what every row of the batch
    /// has alike, so `input` serves).
    fn resolve(
        &self,
        ctx: &mut Context<'_>,
        index: usize,
        input: &Slots,
    ) -> Result<Resolved, ExecError> {
        let pattern = self.patterns[index];
        let mut input = input.clone();
        let mut node_props: Vec<Option<Map>> = Vec::with_capacity(pattern.nodes.len());
        for node in &pattern.nodes {
            node_props.push(match &node.properties {
                Some(expr) => Some(as_map(eval(ctx, expr, &mut input)?, "node")?),
                None => None,
            });
        }
        let mut resolved = Resolved {
            hops: Vec::new(),
            bound: Vec::new(),
        };
        for step in &self.steps {
            match step {
                Step::Hop(hop) if hop.pattern == index => {
                    let rel_props = match &hop.rel.properties {
                        Some(e) => Some(as_map(eval(ctx, e, &mut input)?, "relationship")?),
                        None => None,
                    };
                    let graph = ctx.read();
                    let to = &pattern.nodes[hop.to];
                    resolved.hops.push(
                        type_ids(graph, hop.rel)
                            .zip(NodeCheck::new(graph, to, node_props[hop.to].as_ref(), None))
                            .map(|(types, check)| {
                                (
                                    types,
                                    storage_direction(hop.rel, hop.from),
                                    rel_props,
                                    check,
                                )
                            }),
                    );
                }
                Step::Bound {
                    pattern: p, slot, ..
                } if *p == index => {
                    let node = pattern.nodes.iter().position(|n| n.slot == *slot);
                    resolved.bound.push(node.and_then(|n| {
                        NodeCheck::new(ctx.read(), &pattern.nodes[n], node_props[n].as_ref(), None)
                    }));
                }
                _ => {}
            }
        }
        Ok(resolved)
    }

    /// Runs the steps from `step` on the batch `levels[0]` (the deeper levels take the rows
    /// of the hops and OPTIONAL MATCHes that follow), then the sink.
    fn go_on(
        &self,
        run: &mut Run<'_, '_, '_>,
        levels: &mut [Batch],
        step: usize,
    ) -> Result<(), ExecError> {
        for (s, current) in self.steps.iter().enumerate().skip(step) {
            let Some((batch, deeper)) = levels.split_first_mut() else {
                return Ok(());
            };
            if batch.selected.is_empty() {
                return Ok(());
            }
            match current {
                Step::Pattern(k) => {
                    if run.resolved[*k].get().is_none() {
                        let r = self.resolve(run.ctx, *k, &batch.input)?;
                        let _ = run.resolved[*k].set(r);
                    }
                }
                Step::Filter(e) => batch.keep(run.ctx, e)?,
                Step::Project(items) => batch.project(run.ctx, items)?,
                Step::Bound {
                    pattern,
                    index,
                    slot,
                } => {
                    let check = run.resolved[*pattern]
                        .get()
                        .and_then(|r| r.bound[*index].as_ref());
                    batch.keep_nodes(run.ctx, *slot, check)?;
                }
                Step::Hop(hop) => {
                    return self.follow(run, batch, deeper, s, hop);
                }
                Step::OptionalBegin {
                    optional,
                    end,
                    depth,
                } => {
                    run.merges[*optional].begin(batch);
                    self.go_on(run, levels, s + 1)?;
                    return self.finish_optional(run, &mut levels[*depth..], *end, *optional);
                }
                Step::OptionalEnd {
                    optional,
                    fresh_nodes,
                    fresh_rels,
                } => {
                    let fresh = (fresh_nodes.as_slice(), fresh_rels.as_slice());
                    return self.merge(run, levels, s, *optional, fresh);
                }
            }
        }
        let Some(batch) = levels.first_mut() else {
            return Ok(());
        };
        if batch.selected.is_empty() {
            return Ok(());
        }
        (run.sink)(run.ctx, batch)
    }

    /// Follows `hop` (at `step`) from the selected rows of `parent` into `deeper[0]`, a batch
    /// at a time, each going on from the next step.
    fn follow(
        &self,
        run: &mut Run<'_, '_, '_>,
        parent: &Batch,
        deeper: &mut [Batch],
        step: usize,
        hop: &Hop<'p>,
    ) -> Result<(), ExecError> {
        // A copy: the steps after the hop resolve later patterns.
        let Some((types, direction, rel_props, check)) = run.resolved[hop.pattern]
            .get()
            .and_then(|r| r.hops[hop.index].clone())
        else {
            return Ok(());
        };
        let Some(child) = deeper.first_mut() else {
            return Ok(());
        };
        child.clear(0);
        let mut edges: Vec<Edge> = Vec::new();
        for &p in &parent.selected {
            run.ctx.check_interrupt()?;
            let Some(from) = parent.node(p, hop.from_slot) else {
                continue;
            };
            let target = match hop.to_known {
                true => match parent.node(p, hop.to_slot) {
                    Some(t) => Some(t),
                    None => continue,
                },
                false => None,
            };
            edges.clear();
            run.ctx.read().expand(from, direction, &types, &mut edges)?;
            for edge in &edges {
                if hop
                    .earlier
                    .iter()
                    .any(|&r| parent.rel(p, r) == Some(edge.rel))
                    || target.is_some_and(|t| t != edge.other)
                {
                    continue;
                }
                if let Some(wanted) = &rel_props
                    && !properties_match(run.ctx.read(), wanted, |k| {
                        run.ctx.read().rel_property(edge.rel, k)
                    })?
                {
                    continue;
                }
                if !check.matches(run.ctx.read(), edge.other)? {
                    continue;
                }
                let (start, end) = match edge.direction {
                    storage::Direction::Incoming => (edge.other, from),
                    _ => (from, edge.other),
                };
                let child = &mut deeper[0];
                child.parents.push(p);
                child.rel_column(hop.rel.slot).push(RelRef {
                    id: edge.rel,
                    start,
                    end,
                });
                if !hop.to_known {
                    child.node_column(hop.to_slot).push(edge.other);
                }
                if child.parents.len() == BATCH {
                    self.flush(run, parent, deeper, step)?;
                }
            }
        }
        if !deeper[0].parents.is_empty() {
            self.flush(run, parent, deeper, step)?;
        }
        Ok(())
    }

    /// Completes `deeper[0]` with the columns of the parent rows it came from and runs the
    /// steps after `step` on it; it is then empty for the next rows.
    fn flush(
        &self,
        run: &mut Run<'_, '_, '_>,
        parent: &Batch,
        deeper: &mut [Batch],
        step: usize,
    ) -> Result<(), ExecError> {
        let child = &mut deeper[0];
        let parents = std::mem::take(&mut child.parents);
        child.extend_from_parents(parent, &parents);
        let result = self.go_on(run, deeper, step + 1);
        let child = &mut deeper[0];
        child.parents = parents;
        child.clear(0);
        result
    }
}

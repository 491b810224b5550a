//! The batched run of a scan: the nodes of one label (or all nodes), single relationships
//! followed from them, the pattern's filters, then filters and projections, a batch at a
//! time into an aggregation or a sort.

use crate::plan::logical::{
    Expr, MatchStep, NodeSource, Operator, Pattern, PatternRel, free_slots,
};
use crate::storage::{self, Edge};
use crate::value::Map;

use super::super::ExecError;
use super::super::context::Context;
use super::super::eval::{Slots, eval, is_true};
use super::super::matcher::{NodeCheck, as_map, properties_match, storage_direction, type_ids};
use super::{BATCH, Batch, RelRef};

/// Where a run hands its batches.
pub(in super::super) type BatchSink<'s> =
    dyn FnMut(&mut Context<'_>, &mut Batch) -> Result<(), ExecError> + 's;

/// One relationship of the pattern, followed from a node already in the batch.
struct Hop<'p> {
    /// Which hop of the pattern this is (the index of what `Resolved::hops` holds for it).
    index: usize,
    rel: &'p PatternRel,
    /// The pattern node followed from, and the one reached.
    from: usize,
    to: usize,
    /// The slots of the relationships matched before this one: a row never matches one
    /// relationship twice.
    earlier: Vec<usize>,
    /// The node reached is already known (bound before the pattern, or matched by an earlier
    /// step): the relationship must end there.
    to_known: bool,
}

enum Step<'p> {
    Filter(&'p Expr),
    Hop(Hop<'p>),
}

/// A streaming run that starts by scanning the nodes of one label, or all nodes, follows
/// single relationships from them, and goes on through filters and projections only.
pub(in super::super) struct ScanRun<'p> {
    /// Filters and projections of the input row, before the scan.
    before: &'p [Operator],
    pattern: &'p Pattern,
    /// The pattern node the scan binds.
    start: usize,
    source: &'p NodeSource,
    /// The rest of the pattern, in the planner's order.
    steps: Vec<Step<'p>>,
    /// The filters and projections after the match.
    ops: &'p [Operator],
    /// Where, in the streaming run, the operators the batch does not run begin: the rows of
    /// each batch go on through them one at a time (`rows_after`).
    rest_at: usize,
}

/// What a run resolves once per input row.
struct Resolved {
    /// Per hop (in step order): the type ids, the direction, the relationship's property
    /// map, and the check of the node reached.
    hops: Vec<(Vec<u32>, storage::Direction, Option<Map>, NodeCheck)>,
    written: Vec<usize>,
}

impl<'p> ScanRun<'p> {
    /// The batched form of `streaming`, when it has the shape this module runs.
    pub(in super::super) fn of(streaming: &'p [Operator]) -> Option<Self> {
        let at = streaming
            .iter()
            .position(|op| !matches!(op, Operator::Filter(_) | Operator::Project { .. }))?;
        let (before, streaming) = streaming.split_at(at);
        let (Operator::Match { pattern, optional }, ops) = streaming.split_first()? else {
            return None;
        };
        if *optional
            || !pattern.paths.is_empty()
            || pattern.rels.iter().any(|r| r.bound || r.length.is_some())
        {
            return None;
        }
        let (
            MatchStep::Start {
                node: start,
                source: source @ (NodeSource::Label(_) | NodeSource::AllNodes),
            },
            rest,
        ) = pattern.steps.split_first()?
        else {
            return None;
        };
        if pattern.nodes[*start].bound {
            return None;
        }
        let mut assigned: Vec<bool> = pattern.nodes.iter().map(|n| n.bound).collect();
        assigned[*start] = true;
        let mut matched_rels = Vec::new();
        let mut steps = Vec::with_capacity(rest.len());
        for step in rest {
            match step {
                MatchStep::Filter(e) => steps.push(Step::Filter(e)),
                MatchStep::Expand { rel, from } => {
                    let prel = &pattern.rels[*rel];
                    let to = if *from == prel.left {
                        prel.right
                    } else {
                        prel.left
                    };
                    if !assigned[*from] {
                        return None;
                    }
                    steps.push(Step::Hop(Hop {
                        index: matched_rels.len(),
                        rel: prel,
                        from: *from,
                        to,
                        earlier: matched_rels.clone(),
                        to_known: assigned[to],
                    }));
                    assigned[to] = true;
                    matched_rels.push(prel.slot);
                }
                MatchStep::Start { .. } => return None,
            }
        }
        if assigned.iter().any(|a| !a) {
            return None;
        }
        // Property maps are evaluated once per input row: they may not read what the pattern
        // binds (`(a)-[:R {w: a.x}]->(b)` is matched a row at a time).
        let bound_here: Vec<usize> = pattern
            .nodes
            .iter()
            .filter(|n| !n.bound)
            .map(|n| n.slot)
            .chain(pattern.rels.iter().map(|r| r.slot))
            .collect();
        let reads_pattern = |map: &Option<Expr>| {
            map.as_ref()
                .is_some_and(|e| free_slots(e).iter().any(|s| bound_here.contains(s)))
        };
        if pattern.nodes.iter().any(|n| reads_pattern(&n.properties))
            || pattern.rels.iter().any(|r| reads_pattern(&r.properties))
        {
            return None;
        }
        // Filters and projections run on the batch; what follows them, row by row, must read
        // only and take every row (no LIMIT), so that evaluating a batch ahead changes nothing.
        let batched = ops
            .iter()
            .position(|op| !matches!(op, Operator::Filter(_) | Operator::Project { .. }))
            .unwrap_or(ops.len());
        let (ops, rest) = ops.split_at(batched);
        if !rest.iter().all(|op| {
            matches!(
                op,
                Operator::Match { .. }
                    | Operator::Unwind { .. }
                    | Operator::Filter(_)
                    | Operator::Project { .. }
                    | Operator::Distinct { .. }
            )
        }) {
            return None;
        }
        Some(ScanRun {
            rest_at: streaming.len() - rest.len() + at,
            before,
            pattern,
            start: *start,
            source,
            steps,
            ops,
        })
    }

    /// Where the operators the batch does not run begin, in the streaming run it was made
    /// from (its length when there are none).
    pub(in super::super) fn rest_at(&self) -> usize {
        self.rest_at
    }

    /// Runs the scan for one input row, handing each batch's surviving rows to `sink`
    /// (`Batch::selected` lists them, in the order a row at a time would give them).
    pub(in super::super) fn run(
        &self,
        ctx: &mut Context<'_>,
        input: &Slots,
        levels: &mut Vec<Batch>,
        sink: &mut BatchSink<'_>,
    ) -> Result<(), ExecError> {
        let mut input = input.clone();
        for op in self.before {
            match op {
                Operator::Filter(e) => {
                    if !is_true(&eval(ctx, e, &mut input)?)? {
                        return Ok(());
                    }
                }
                Operator::Project { items, .. } => {
                    let mut values = Vec::with_capacity(items.len());
                    for (_, e) in items {
                        values.push(eval(ctx, e, &mut input)?);
                    }
                    for ((slot, _), value) in items.iter().zip(values) {
                        input[*slot] = value;
                    }
                }
                _ => unreachable!("`ScanRun::of` admits filters and projections only"),
            }
        }
        // Property maps are evaluated once per input row, as the matcher does.
        let mut node_props: Vec<Option<Map>> = Vec::with_capacity(self.pattern.nodes.len());
        for node in &self.pattern.nodes {
            node_props.push(match &node.properties {
                Some(expr) => Some(as_map(eval(ctx, expr, &mut input)?, "node")?),
                None => None,
            });
        }
        let Some(resolved) = self.resolve(ctx, &mut input, &node_props)? else {
            return Ok(());
        };
        let candidates = match self.source {
            NodeSource::Label(label) => match ctx.read().label_id(label) {
                Some(l) => ctx.read().nodes_with_label(l)?,
                None => return Ok(()),
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
        let known_label = match self.source {
            NodeSource::Label(l) => Some(l.as_str()),
            _ => None,
        };
        let start = &self.pattern.nodes[self.start];
        let Some(check) = NodeCheck::new(
            ctx.read(),
            start,
            node_props[self.start].as_ref(),
            known_label,
        ) else {
            return Ok(());
        };
        let hops = self
            .steps
            .iter()
            .filter(|s| matches!(s, Step::Hop(_)))
            .count();
        if levels.len() < hops + 1 {
            levels.resize_with(hops + 1, Batch::default);
        }
        for level in levels.iter_mut() {
            level.start(&input, &resolved.written);
        }
        for chunk in candidates.chunks(BATCH) {
            ctx.check_interrupt()?;
            let batch = &mut levels[0];
            batch.clear(0);
            let ids = batch.node_column(start.slot);
            for &id in chunk {
                if check.matches(ctx.read(), id)? {
                    ids.push(id);
                }
            }
            let len = ids.len();
            batch.select_all(len);
            self.go_on(ctx, levels, 0, &resolved, sink)?;
        }
        Ok(())
    }

    /// Type ids, directions, relationship property maps and target checks of the hops; `None`
    /// when no row can match (a type, label or key the graph does not have).
    fn resolve(
        &self,
        ctx: &mut Context<'_>,
        input: &mut Slots,
        node_props: &[Option<Map>],
    ) -> Result<Option<Resolved>, ExecError> {
        let mut hops = Vec::new();
        let mut written = vec![self.pattern.nodes[self.start].slot];
        for step in &self.steps {
            let Step::Hop(hop) = step else { continue };
            let Some(types) = type_ids(ctx.read(), hop.rel) else {
                return Ok(None);
            };
            let rel_props = match &hop.rel.properties {
                Some(e) => Some(as_map(eval(ctx, e, input)?, "relationship")?),
                None => None,
            };
            let to = &self.pattern.nodes[hop.to];
            let Some(check) = NodeCheck::new(ctx.read(), to, node_props[hop.to].as_ref(), None)
            else {
                return Ok(None);
            };
            hops.push((
                types,
                storage_direction(hop.rel, hop.from),
                rel_props,
                check,
            ));
            written.push(hop.rel.slot);
            if !hop.to_known {
                written.push(to.slot);
            }
        }
        for op in self.ops {
            if let Operator::Project { items, .. } = op {
                written.extend(items.iter().map(|(slot, _)| *slot));
            }
        }
        Ok(Some(Resolved { hops, written }))
    }

    /// Runs the steps from `step` on the batch `levels[0]` (the deeper levels take the rows
    /// of the hops that follow), then the operators, then the sink.
    fn go_on(
        &self,
        ctx: &mut Context<'_>,
        levels: &mut [Batch],
        step: usize,
        resolved: &Resolved,
        sink: &mut BatchSink<'_>,
    ) -> Result<(), ExecError> {
        let Some((batch, deeper)) = levels.split_first_mut() else {
            return Ok(());
        };
        for (s, current) in self.steps.iter().enumerate().skip(step) {
            if batch.selected.is_empty() {
                return Ok(());
            }
            match current {
                Step::Filter(e) => batch.keep(ctx, e)?,
                Step::Hop(_) => return self.follow(ctx, batch, deeper, s, resolved, sink),
            }
        }
        for op in self.ops {
            if batch.selected.is_empty() {
                return Ok(());
            }
            match op {
                Operator::Filter(e) => batch.keep(ctx, e)?,
                Operator::Project { items, .. } => batch.project(ctx, items)?,
                _ => unreachable!("`ScanRun::of` admits filters and projections only"),
            }
        }
        if batch.selected.is_empty() {
            return Ok(());
        }
        sink(ctx, batch)
    }

    /// Follows the hop at `step` from the selected rows of `parent` into `deeper[0]`, a
    /// batch at a time, each going on from the next step.
    fn follow(
        &self,
        ctx: &mut Context<'_>,
        parent: &Batch,
        deeper: &mut [Batch],
        step: usize,
        resolved: &Resolved,
        sink: &mut BatchSink<'_>,
    ) -> Result<(), ExecError> {
        let Some(Step::Hop(hop)) = self.steps.get(step) else {
            return Ok(());
        };
        let (types, direction, rel_props, check) = &resolved.hops[hop.index];
        let from_slot = self.pattern.nodes[hop.from].slot;
        let to_slot = self.pattern.nodes[hop.to].slot;
        let Some(child) = deeper.first_mut() else {
            return Ok(());
        };
        child.clear(0);
        let mut edges: Vec<Edge> = Vec::new();
        for &p in &parent.selected {
            ctx.check_interrupt()?;
            let Some(from) = parent.node(p, from_slot) else {
                continue;
            };
            let target = match hop.to_known {
                true => match parent.node(p, to_slot) {
                    Some(t) => Some(t),
                    None => continue,
                },
                false => None,
            };
            edges.clear();
            ctx.read().expand(from, *direction, types, &mut edges)?;
            for edge in &edges {
                if hop
                    .earlier
                    .iter()
                    .any(|&r| parent.rel(p, r) == Some(edge.rel))
                    || target.is_some_and(|t| t != edge.other)
                {
                    continue;
                }
                if let Some(wanted) = rel_props
                    && !properties_match(ctx.read(), wanted, |k| {
                        ctx.read().rel_property(edge.rel, k)
                    })?
                {
                    continue;
                }
                if !check.matches(ctx.read(), edge.other)? {
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
                    child.node_column(to_slot).push(edge.other);
                }
                if child.parents.len() == BATCH {
                    self.flush(ctx, parent, deeper, step, resolved, sink)?;
                }
            }
        }
        if !deeper[0].parents.is_empty() {
            self.flush(ctx, parent, deeper, step, resolved, sink)?;
        }
        Ok(())
    }

    /// Completes `deeper[0]` with the columns of the parent rows it came from and runs the
    /// steps after `step` on it; it is then empty for the next rows.
    fn flush(
        &self,
        ctx: &mut Context<'_>,
        parent: &Batch,
        deeper: &mut [Batch],
        step: usize,
        resolved: &Resolved,
        sink: &mut BatchSink<'_>,
    ) -> Result<(), ExecError> {
        let child = &mut deeper[0];
        let parents = std::mem::take(&mut child.parents);
        for (slot, ids) in &parent.nodes {
            let column = child.node_column(*slot);
            column.clear();
            column.extend(parents.iter().map(|&p| ids[p as usize]));
        }
        for (slot, rels) in &parent.rels {
            let column = child.rel_column(*slot);
            column.clear();
            column.extend(parents.iter().map(|&p| rels[p as usize]));
        }
        child.slots.clear();
        for (slot, values) in &parent.slots {
            let column = parents
                .iter()
                .map(|&p| values[p as usize].clone())
                .collect();
            child.slots.push((*slot, column));
        }
        child.select_all(parents.len());
        child.properties.clear();
        child.assembled = false;
        let result = self.go_on(ctx, deeper, step + 1, resolved, sink);
        let child = &mut deeper[0];
        child.parents = parents;
        child.clear(0);
        result
    }
}

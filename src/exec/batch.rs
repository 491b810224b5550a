//! Batched execution of a scan and what follows it. A streaming run that starts with the scan
//! of one label (or of all nodes) and goes on through filters and projections only runs a
//! batch of up to `BATCH` nodes at a time: each expression is evaluated over the whole batch
//! (one dispatch per expression per batch, not per row), and each property of the scanned
//! node that the run reads is read once per batch into a column, however often the
//! expressions name it. Rows that pass are handed on as a batch (an aggregation evaluates its
//! arguments over it the same way) or one by one.
//!
//! Every row sees exactly the evaluations the row-at-a-time executor would make: AND, OR and
//! CASE evaluate their later operands only for the rows that need them, so an expression that
//! would fail on a row the row-at-a-time executor never evaluates it on does not fail here.
//! Only the order differs (expression by expression rather than row by row), so when two rows
//! would fail, the error reported may be another row's.

use crate::plan::logical::{BinaryOp, Expr, MatchStep, NodeSource, Operator, PatternNode};
use crate::value::{NodeId, Value};

use super::context::Context;
use super::eval::{Slots, eval, is_true, property};
use super::matcher::{NodeCheck, as_map};
use super::{ExecError, FnContext, functions, ops, set_node_ref};

/// Rows per batch: enough to pay for the per-batch dispatch, few enough that a batch's
/// columns stay in cache.
pub(super) const BATCH: usize = 1024;

/// A streaming run that starts by scanning the nodes of one label, or all nodes, and goes on
/// through filters and projections only.
pub(super) struct ScanRun<'p> {
    /// Filters and projections of the input row, before the scan.
    before: &'p [Operator],
    node: &'p PatternNode,
    source: &'p NodeSource,
    /// The pattern's predicates on the scanned node.
    filters: Vec<&'p Expr>,
    /// The filters and projections after the match.
    ops: &'p [Operator],
}

impl<'p> ScanRun<'p> {
    /// The batched form of `streaming`, when it has the shape this module runs.
    pub(super) fn of(streaming: &'p [Operator]) -> Option<Self> {
        let at = streaming
            .iter()
            .position(|op| !matches!(op, Operator::Filter(_) | Operator::Project { .. }))?;
        let (before, streaming) = streaming.split_at(at);
        let (Operator::Match { pattern, optional }, ops) = streaming.split_first()? else {
            return None;
        };
        if *optional
            || pattern.nodes.len() != 1
            || !pattern.rels.is_empty()
            || !pattern.paths.is_empty()
            || pattern.nodes[0].bound
        {
            return None;
        }
        let (
            MatchStep::Start {
                node: 0,
                source: source @ (NodeSource::Label(_) | NodeSource::AllNodes),
            },
            rest,
        ) = pattern.steps.split_first()?
        else {
            return None;
        };
        let mut filters = Vec::with_capacity(rest.len());
        for step in rest {
            match step {
                MatchStep::Filter(e) => filters.push(e),
                _ => return None,
            }
        }
        if !ops
            .iter()
            .all(|op| matches!(op, Operator::Filter(_) | Operator::Project { .. }))
        {
            return None;
        }
        Some(ScanRun {
            before,
            node: &pattern.nodes[0],
            source,
            filters,
            ops,
        })
    }

    /// Runs the scan for one input row, handing each batch's surviving rows to `sink`
    /// (`Batch::selected` lists them, in scan order).
    pub(super) fn run(
        &self,
        ctx: &mut Context<'_>,
        input: &Slots,
        batch: &mut Batch,
        sink: &mut dyn FnMut(&mut Context<'_>, &mut Batch) -> Result<(), ExecError>,
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
        let props = match &self.node.properties {
            Some(expr) => Some(as_map(eval(ctx, expr, &mut input)?, "node")?),
            None => None,
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
        let Some(check) = NodeCheck::new(ctx.read(), self.node, props.as_ref(), known_label) else {
            return Ok(());
        };
        let written = std::iter::once(self.node.slot)
            .chain(self.ops.iter().flat_map(|op| match op {
                Operator::Project { items, .. } => items.iter().map(|(slot, _)| *slot).collect(),
                _ => Vec::new(),
            }))
            .collect();
        batch.start(&input, self.node.slot, written);
        let mut ids: Vec<NodeId> = Vec::with_capacity(BATCH);
        for chunk in candidates.chunks(BATCH) {
            ctx.check_interrupt()?;
            ids.clear();
            for &id in chunk {
                if check.matches(ctx.read(), id)? {
                    ids.push(id);
                }
            }
            batch.fill(&ids, self.node.slot);
            for f in &self.filters {
                batch.keep(ctx, f)?;
            }
            for op in self.ops {
                match op {
                    Operator::Filter(e) => batch.keep(ctx, e)?,
                    Operator::Project { items, .. } => batch.project(ctx, items)?,
                    _ => unreachable!("`ScanRun::of` admits filters and projections only"),
                }
            }
            if !batch.selected.is_empty() {
                sink(ctx, batch)?;
            }
        }
        Ok(())
    }
}

/// One batch: the scanned nodes, those still selected, the values the projections wrote and
/// the scanned node's properties read so far, each as a column with one value per row of the
/// batch. Rows are put together only for what reads rows (`Batch::rows`).
#[derive(Default)]
pub(super) struct Batch {
    len: usize,
    /// The rows that passed every filter so far, in scan order.
    pub(super) selected: Vec<u32>,
    /// Where the scan puts its node (`usize::MAX` once a projection has replaced it).
    scan_slot: usize,
    /// The scanned node of each row (references reused from batch to batch).
    nodes: Vec<Value>,
    /// The input row every row of the batch starts from.
    input: Slots,
    /// The slots the run writes (the scan's and the projections'): any other slot holds the
    /// input row's value in every row.
    written: Vec<usize>,
    /// What the projections wrote, by slot: a value for each row selected at the time.
    slots: Vec<(usize, Vec<Value>)>,
    /// Property columns of the scanned node, by key id: a value for each row selected when
    /// it was first asked for (a superset of any later selection).
    properties: Vec<(u32, Vec<Value>)>,
    /// Whole rows, put together on demand; reused from batch to batch.
    rows: Vec<Slots>,
    /// Whether `rows` holds the selected rows as the columns say.
    assembled: bool,
}

/// Where the values of one slot are in a batch.
enum SlotValues<'b> {
    /// The same on every row.
    Constant(&'b Value),
    /// One per row of the batch.
    Column(&'b [Value]),
}

impl Batch {
    /// Starts the batches of one input row.
    fn start(&mut self, input: &Slots, scan_slot: usize, written: Vec<usize>) {
        self.written = written;
        for row in &mut self.rows {
            row.clone_from(input);
        }
        self.input.clone_from(input);
        self.scan_slot = scan_slot;
    }

    /// Sets up a batch of these nodes, all selected.
    fn fill(&mut self, ids: &[NodeId], scan_slot: usize) {
        self.scan_slot = scan_slot;
        if self.nodes.len() < ids.len() {
            self.nodes.resize(ids.len(), Value::Null);
        }
        for (node, &id) in self.nodes.iter_mut().zip(ids) {
            set_node_ref(node, id);
        }
        self.len = ids.len();
        self.selected.clear();
        self.selected
            .extend((0..ids.len()).map(|i| u32::try_from(i).unwrap_or(u32::MAX)));
        self.slots.clear();
        self.properties.clear();
        self.assembled = false;
    }

    /// The values of `slot`.
    fn slot(&self, slot: usize) -> SlotValues<'_> {
        static NULL: Value = Value::Null;
        if slot == self.scan_slot {
            return SlotValues::Column(&self.nodes);
        }
        if let Some((_, column)) = self.slots.iter().rev().find(|(s, _)| *s == slot) {
            return SlotValues::Column(column);
        }
        SlotValues::Constant(self.input.get(slot).unwrap_or(&NULL))
    }

    /// The selected rows, whole, for what reads rows rather than columns; index them by
    /// `selected`.
    pub(super) fn rows(&mut self) -> &mut [Slots] {
        if !self.assembled {
            while self.rows.len() < self.len {
                self.rows.push(self.input.clone());
            }
            let width = self
                .slots
                .iter()
                .map(|(s, _)| s + 1)
                .chain((self.scan_slot != usize::MAX).then_some(self.scan_slot + 1))
                .fold(0, usize::max);
            for &i in &self.selected {
                let row = &mut self.rows[i as usize];
                if row.len() < width {
                    row.resize(width, Value::Null);
                }
                if let Some(Value::Node(n)) = self.nodes.get(i as usize)
                    && self.scan_slot != usize::MAX
                {
                    set_node_ref(&mut row[self.scan_slot], n.id);
                }
                for (slot, column) in &self.slots {
                    row[*slot].clone_from(&column[i as usize]);
                }
            }
            self.assembled = true;
        }
        &mut self.rows
    }

    /// The value of `slot` in row `i` of the batch.
    pub(super) fn value(&self, i: u32, slot: usize) -> &Value {
        match self.slot(slot) {
            SlotValues::Constant(v) => v,
            SlotValues::Column(c) => &c[i as usize],
        }
    }

    /// Keeps the selected rows on which `predicate` is true.
    fn keep(&mut self, ctx: &mut Context<'_>, predicate: &Expr) -> Result<(), ExecError> {
        // The selection stays in place while the predicate runs: a property column is read
        // for every selected row.
        let verdicts = eval_batch(ctx, predicate, self, &self.selected.clone())?;
        let mut kept = std::mem::take(&mut self.selected);
        let mut at = 0;
        let mut failed = None;
        kept.retain(|_| {
            let keep = match is_true(&verdicts[at]) {
                Ok(keep) => keep,
                Err(e) => {
                    failed.get_or_insert(e);
                    false
                }
            };
            at += 1;
            keep
        });
        self.selected = kept;
        failed.map_or(Ok(()), Err)
    }

    /// Evaluates a projection's items over the selected rows, then writes them: every item
    /// reads the rows as they were before the projection.
    fn project(&mut self, ctx: &mut Context<'_>, items: &[(usize, Expr)]) -> Result<(), ExecError> {
        let selected = self.selected.clone();
        let mut values = Vec::with_capacity(items.len());
        for (_, expr) in items {
            values.push(eval_batch(ctx, expr, self, &selected)?);
        }
        for ((slot, _), items) in items.iter().zip(values) {
            if *slot == self.scan_slot {
                // The scanned node is replaced: its columns no longer describe the slot.
                self.properties.clear();
                self.scan_slot = usize::MAX;
            }
            let mut column = Vec::new();
            column.resize(self.len, Value::Null);
            for (&i, value) in selected.iter().zip(items) {
                column[i as usize] = value;
            }
            self.slots.retain(|(s, _)| s != slot);
            self.slots.push((*slot, column));
        }
        self.assembled = false;
        Ok(())
    }

    /// The column of property `key` of the scanned node, read for the selected rows if it
    /// has not been read in this batch yet; `None` when the graph has no such key.
    fn column(&mut self, ctx: &Context<'_>, key: &str) -> Result<Option<usize>, ExecError> {
        let Some(k) = ctx.key_id(key) else {
            return Ok(None);
        };
        if let Some(at) = self.properties.iter().position(|(c, _)| *c == k) {
            return Ok(Some(at));
        }
        let ids: Vec<NodeId> = self
            .selected
            .iter()
            .filter_map(|&i| match &self.nodes[i as usize] {
                Value::Node(n) => Some(n.id),
                _ => None,
            })
            .collect();
        let mut read = Vec::with_capacity(ids.len());
        ctx.read().node_property_of_each(&ids, k, &mut read)?;
        let mut column = Vec::new();
        column.resize(self.len, Value::Null);
        for (&i, value) in self.selected.iter().zip(read) {
            column[i as usize] = value;
        }
        self.properties.push((k, column));
        Ok(Some(self.properties.len() - 1))
    }
}

/// Whether `expr` is a property of the batch's scanned node: its key.
fn scan_property<'e>(expr: &'e Expr, batch: &Batch) -> Option<&'e str> {
    match expr {
        Expr::Property(base, key) if matches!(base.as_ref(), Expr::Slot(s) if *s == batch.scan_slot) => {
            Some(key)
        }
        _ => None,
    }
}

/// The value `expr` has on every row of the batch, when it is a literal or a slot the run
/// does not write.
fn constant<'b>(expr: &'b Expr, batch: &'b Batch) -> Option<&'b Value> {
    match expr {
        Expr::Literal(v) => Some(v),
        Expr::Slot(slot) if !batch.written.contains(slot) => match batch.slot(*slot) {
            SlotValues::Constant(v) => Some(v),
            SlotValues::Column(_) => None,
        },
        _ => None,
    }
}

/// `scan.key = literal` (either way round): the key and the literal.
fn scan_equality<'e>(a: &'e Expr, b: &'e Expr, batch: &Batch) -> Option<(&'e str, &'e Value)> {
    match (a, b) {
        (p, Expr::Literal(v)) | (Expr::Literal(v), p) => Some((scan_property(p, batch)?, v)),
        _ => None,
    }
}

/// The rows of the batch at positions `at` of `selected`.
fn positions(selected: &[u32], at: &[usize]) -> Vec<u32> {
    at.iter().map(|&p| selected[p]).collect()
}

/// Evaluates `expr` on the rows `selected` (indexes into `batch.rows`), giving one value per
/// selected row, in order. Makes the same evaluations on each row as `eval` would.
pub(super) fn eval_batch(
    ctx: &mut Context<'_>,
    expr: &Expr,
    batch: &mut Batch,
    selected: &[u32],
) -> Result<Vec<Value>, ExecError> {
    let n = selected.len();
    match expr {
        Expr::Literal(_) | Expr::Slot(_) if let Some(v) = constant(expr, batch) => {
            Ok(vec![v.clone(); n])
        }
        Expr::Slot(slot) => Ok(match batch.slot(*slot) {
            SlotValues::Constant(v) => vec![v.clone(); n],
            SlotValues::Column(c) => selected.iter().map(|&i| c[i as usize].clone()).collect(),
        }),
        Expr::Property(..) if let Some(key) = scan_property(expr, batch) => {
            Ok(match batch.column(ctx, key)? {
                Some(c) => {
                    let column = &batch.properties[c].1;
                    selected
                        .iter()
                        .map(|&i| column[i as usize].clone())
                        .collect()
                }
                None => vec![Value::Null; n],
            })
        }
        Expr::Property(base, key) if let Expr::Slot(slot) = base.as_ref() => selected
            .iter()
            .map(|&i| property(ctx, batch.value(i, *slot), key))
            .collect(),
        Expr::Binary(BinaryOp::Eq, a, b) if let Some((key, value)) = scan_equality(a, b, batch) => {
            // Compared in the column, copying no value (as `eval` does).
            let Some(k) = ctx.key_id(key) else {
                return Ok(vec![Value::Null; n]);
            };
            let graph = ctx.read();
            selected
                .iter()
                .map(|&i| match &batch.nodes[i as usize] {
                    Value::Node(node) => Ok(graph
                        .node_property_equals(node.id, k, value)?
                        .map_or(Value::Null, Value::Bool)),
                    _ => Ok(Value::Null),
                })
                .collect()
        }
        Expr::Binary(op @ (BinaryOp::And | BinaryOp::Or), a, b) => {
            let mut left = eval_batch(ctx, a, batch, selected)?;
            // The right side is evaluated only where the left does not decide.
            let decided = *op == BinaryOp::Or;
            let open: Vec<usize> = (0..n)
                .filter(|&p| !matches!(left[p], Value::Bool(b) if b == decided))
                .collect();
            if open.is_empty() {
                return Ok(left);
            }
            let right = eval_batch(ctx, b, batch, &positions(selected, &open))?;
            for (p, r) in open.into_iter().zip(right) {
                left[p] = ops::binary(*op, &left[p], &r)?;
            }
            Ok(left)
        }
        Expr::Binary(op, a, b) if let Some(right) = constant(b, batch) => {
            let right = right.clone();
            eval_batch(ctx, a, batch, selected)?
                .iter()
                .map(|l| ops::binary(*op, l, &right))
                .collect()
        }
        Expr::Binary(op, a, b) if let Some(left) = constant(a, batch) => {
            let left = left.clone();
            eval_batch(ctx, b, batch, selected)?
                .iter()
                .map(|r| ops::binary(*op, &left, r))
                .collect()
        }
        Expr::Binary(op, a, b) => {
            let left = eval_batch(ctx, a, batch, selected)?;
            let right = eval_batch(ctx, b, batch, selected)?;
            left.iter()
                .zip(&right)
                .map(|(l, r)| ops::binary(*op, l, r))
                .collect()
        }
        Expr::Unary(op, inner) => eval_batch(ctx, inner, batch, selected)?
            .iter()
            .map(|v| ops::unary(*op, v))
            .collect(),
        Expr::IsNull { expr, negated } => Ok(eval_batch(ctx, expr, batch, selected)?
            .iter()
            .map(|v| Value::Bool(v.is_null() != *negated))
            .collect()),
        Expr::Case {
            operand,
            alternatives,
            default,
        } => {
            let subject = match operand {
                Some(o) => Some(eval_batch(ctx, o, batch, selected)?),
                None => None,
            };
            let mut out = vec![Value::Null; n];
            // Positions whose alternative is not found yet.
            let mut open: Vec<usize> = (0..n).collect();
            for (when, then) in alternatives {
                if open.is_empty() {
                    break;
                }
                let verdicts = eval_batch(ctx, when, batch, &positions(selected, &open))?;
                let (mut hits, mut rest) = (Vec::new(), Vec::new());
                for (p, w) in open.into_iter().zip(verdicts) {
                    let hit = match &subject {
                        Some(s) => s[p].eq_cypher(&w) == Some(true),
                        None => matches!(w, Value::Bool(true)),
                    };
                    if hit { hits.push(p) } else { rest.push(p) }
                }
                if let Some(value) = constant(then, batch) {
                    for p in hits {
                        out[p] = value.clone();
                    }
                } else if !hits.is_empty() {
                    let values = eval_batch(ctx, then, batch, &positions(selected, &hits))?;
                    for (p, v) in hits.into_iter().zip(values) {
                        out[p] = v;
                    }
                }
                open = rest;
            }
            if let Some(value) = default.as_deref().and_then(|d| constant(d, batch)) {
                for p in open {
                    out[p] = value.clone();
                }
            } else if let Some(d) = default
                && !open.is_empty()
            {
                let values = eval_batch(ctx, d, batch, &positions(selected, &open))?;
                for (p, v) in open.into_iter().zip(values) {
                    out[p] = v;
                }
            }
            Ok(out)
        }
        Expr::Function { name, args } if !args.is_empty() => {
            let def = functions::lookup(name)
                .ok_or_else(|| ExecError::Argument(format!("unknown function {name}")))?;
            let mut columns = Vec::with_capacity(args.len());
            for a in args {
                columns.push(eval_batch(ctx, a, batch, selected)?.into_iter());
            }
            let mut values = Vec::with_capacity(args.len());
            let mut out = Vec::with_capacity(n);
            for _ in 0..n {
                values.clear();
                values.extend(columns.iter_mut().map(|c| c.next().unwrap_or(Value::Null)));
                let fn_ctx = FnContext {
                    graph: ctx.read(),
                    now: &ctx.now,
                };
                out.push((def.call)(&values, &fn_ctx)?);
            }
            Ok(out)
        }
        // Anything else, row by row.
        _ => {
            let rows = batch.rows();
            selected
                .iter()
                .map(|&i| eval(ctx, expr, &mut rows[i as usize]))
                .collect()
        }
    }
}

//! Batched execution where the data is columnar. A streaming run that starts with the scan of
//! one label (or of all nodes), or with the input rows themselves, follows single
//! relationships, goes through filters, projections and later MATCH and OPTIONAL MATCH
//! clauses from nodes already bound, and ends in an aggregation or a sort (`BatchRun`, in
//! `stream/`) runs a batch of up to `BATCH` rows at a time: the pattern's nodes and
//! relationships are columns of ids (null where an OPTIONAL MATCH matched nothing), each
//! expression is evaluated over the whole batch (one dispatch per expression per batch, not
//! per row), and each property the run reads of a pattern variable is read once per batch
//! into a column, however often the expressions name it. Rows that pass are handed on as a
//! batch (an aggregation evaluates its arguments over it the same way); whole rows are put
//! together only for what reads rows.
//!
//! Every row sees exactly the evaluations the row-at-a-time executor would make: AND, OR and
//! CASE evaluate their later operands only for the rows that need them, so an expression that
//! would fail on a row the row-at-a-time executor never evaluates it on does not fail here.
//! Only the order differs (expression by expression rather than row by row), so when two rows
//! would fail, the error reported may be another row's.
//!
//! Over 800 lines, kept whole: `Batch` (its columns) and `eval_batch` (the only reader of them)
//! change together; the run that fills batches is in `stream/`.

mod stream;

pub(super) use stream::BatchRun;

use crate::plan::logical::{BinaryOp, Expr};
use crate::storage::KeyId;
use crate::value::{NodeId, RelId, Value};

use super::context::Context;
use super::eval::{Slots, eval, is_true, property};
use super::matcher::NodeCheck;
use super::{ExecError, FnContext, functions, node_ref, ops, rel_ref, set_node_ref, set_rel_ref};

/// Rows per batch: enough to pay for the per-batch dispatch, few enough that a batch's
/// columns stay in cache.
pub(super) const BATCH: usize = 1024;

/// A relationship of a batch row, with its ends as the pattern saw them.
#[derive(Debug, Clone, Copy)]
struct RelRef {
    id: RelId,
    start: NodeId,
    end: NodeId,
}

/// Null in a node column (an OPTIONAL MATCH that matched nothing, an input row's null).
const NULL_NODE: NodeId = NodeId(u64::MAX);

/// Null in a relationship column.
const NULL_REL: RelRef = RelRef {
    id: RelId(u64::MAX),
    start: NULL_NODE,
    end: NULL_NODE,
};

/// A node column's value as a `Value`.
fn node_value(id: NodeId) -> Value {
    if id == NULL_NODE {
        Value::Null
    } else {
        node_ref(id)
    }
}

/// A relationship column's value as a `Value`.
fn rel_value(r: RelRef) -> Value {
    if r.id == NULL_REL.id {
        Value::Null
    } else {
        rel_ref(r.id, r.start, r.end)
    }
}

/// One batch: which rows are still selected, the pattern's nodes and relationships as
/// columns of ids, the values the projections wrote and the properties read so far, each a
/// column with one entry per row of the batch. Rows are put together only for what reads
/// rows (`Batch::rows`).
#[derive(Default)]
pub(super) struct Batch {
    len: usize,
    /// The rows that passed every filter so far, in order.
    pub(super) selected: Vec<u32>,
    /// The input row every row of the batch starts from.
    input: Slots,
    /// The slots the run writes (pattern variables, projections): any other slot holds the
    /// input row's value in every row.
    written: Vec<usize>,
    /// The pattern's nodes, by slot.
    nodes: Vec<(usize, Vec<NodeId>)>,
    /// The pattern's relationships, by slot.
    rels: Vec<(usize, Vec<RelRef>)>,
    /// What the projections wrote, by slot: a value for each row selected at the time.
    slots: Vec<(usize, Vec<Value>)>,
    /// Properties of pattern variables, by slot and key id: a value for each row selected
    /// when it was first asked for (a superset of any later selection).
    properties: Vec<(usize, u32, Vec<Value>)>,
    /// Whole rows, put together on demand; reused from batch to batch.
    rows: Vec<Slots>,
    /// Whether `rows` holds the selected rows as the columns say.
    assembled: bool,
    /// The batch each row came from (`stream/` builds a batch from the rows of another).
    parents: Vec<u32>,
    /// Inside an OPTIONAL MATCH: the row of the batch where it began that each row comes
    /// from.
    origin: Vec<u32>,
}

/// Where the values of one slot are in a batch.
enum SlotValues<'b> {
    /// The same on every row.
    Constant(&'b Value),
    /// One per row of the batch.
    Column(&'b [Value]),
    Nodes(&'b [NodeId]),
    Rels(&'b [RelRef]),
}

impl Batch {
    /// Starts a batch of rows of `input`; `written` as for the field.
    fn start(&mut self, input: &Slots, written: &[usize]) {
        self.input.clone_from(input);
        self.written.clear();
        self.written.extend_from_slice(written);
        for row in &mut self.rows {
            row.clone_from(input);
        }
    }

    /// Empties the batch's columns for `len` new rows, all selected.
    fn clear(&mut self, len: usize) {
        self.select_all(len);
        self.parents.clear();
        self.origin.clear();
        for (_, column) in &mut self.nodes {
            column.clear();
        }
        for (_, column) in &mut self.rels {
            column.clear();
        }
        self.slots.clear();
        self.properties.clear();
        self.assembled = false;
    }

    /// The node column of `slot`, made empty if there is none.
    fn node_column(&mut self, slot: usize) -> &mut Vec<NodeId> {
        column_of(&mut self.nodes, slot)
    }

    /// The relationship column of `slot`, made empty if there is none.
    fn rel_column(&mut self, slot: usize) -> &mut Vec<RelRef> {
        column_of(&mut self.rels, slot)
    }

    /// The value column of `slot`, made empty if there is none.
    fn value_column(&mut self, slot: usize) -> &mut Vec<Value> {
        column_of(&mut self.slots, slot)
    }

    /// Makes this batch's columns and selection those of `other` (its properties read are
    /// left behind).
    fn copy_columns(&mut self, other: &Batch) {
        self.len = other.len;
        self.selected.clone_from(&other.selected);
        self.nodes.clone_from(&other.nodes);
        self.rels.clone_from(&other.rels);
        self.slots.clone_from(&other.slots);
        self.input.clone_from(&other.input);
        self.written.clone_from(&other.written);
        self.properties.clear();
        self.assembled = false;
    }

    /// Fills this batch (whose own columns the hop wrote) with the columns of the rows of
    /// `parent` it came from, all selected.
    fn extend_from_parents(&mut self, parent: &Batch, parents: &[u32]) {
        for (slot, ids) in &parent.nodes {
            let column = self.node_column(*slot);
            column.clear();
            column.extend(parents.iter().map(|&p| ids[p as usize]));
        }
        for (slot, rels) in &parent.rels {
            let column = self.rel_column(*slot);
            column.clear();
            column.extend(parents.iter().map(|&p| rels[p as usize]));
        }
        self.slots.clear();
        for (slot, values) in &parent.slots {
            let column = parents
                .iter()
                .map(|&p| values[p as usize].clone())
                .collect();
            self.slots.push((*slot, column));
        }
        self.origin.clear();
        if parent.origin.len() == parent.len {
            self.origin
                .extend(parents.iter().map(|&p| parent.origin[p as usize]));
        }
        self.select_all(parents.len());
        self.properties.clear();
        self.assembled = false;
    }

    /// Adds row `i` of `from`, which has the same columns, as this batch's next row.
    fn push_row(&mut self, from: &Batch, i: u32) {
        let i = i as usize;
        for (slot, ids) in &from.nodes {
            self.node_column(*slot).push(ids[i]);
        }
        for (slot, rels) in &from.rels {
            self.rel_column(*slot).push(rels[i]);
        }
        for (slot, values) in &from.slots {
            self.value_column(*slot).push(values[i].clone());
        }
        self.len += 1;
        self.assembled = false;
    }

    /// Adds row `i` of `entry` with the nodes and relationships `fresh` null, as this
    /// batch's next row: the row of an OPTIONAL MATCH that matched nothing.
    fn push_null_row(&mut self, entry: &Batch, i: u32, (nodes, rels): (&[usize], &[usize])) {
        let i = i as usize;
        let fresh = |slot: &usize| nodes.contains(slot) || rels.contains(slot);
        for (slot, ids) in entry.nodes.iter().filter(|(s, _)| !fresh(s)) {
            self.node_column(*slot).push(ids[i]);
        }
        for (slot, refs) in entry.rels.iter().filter(|(s, _)| !fresh(s)) {
            self.rel_column(*slot).push(refs[i]);
        }
        for (slot, values) in entry.slots.iter().filter(|(s, _)| !fresh(s)) {
            self.value_column(*slot).push(values[i].clone());
        }
        for &slot in nodes {
            self.node_column(slot).push(NULL_NODE);
        }
        for &slot in rels {
            self.rel_column(slot).push(NULL_REL);
        }
        self.len += 1;
        self.assembled = false;
    }

    /// Keeps the selected rows whose `slot` holds a node that `check` passes (none when
    /// there is no check: nothing can match); null goes no further, any other value is an
    /// error, as in the matcher.
    fn keep_nodes(
        &mut self,
        ctx: &Context<'_>,
        slot: usize,
        check: Option<&NodeCheck>,
    ) -> Result<(), ExecError> {
        let mut kept = std::mem::take(&mut self.selected);
        let mut failed = None;
        let values = self.slot(slot);
        kept.retain(|&i| {
            let id = match values {
                SlotValues::Nodes(ids) => Some(ids[i as usize]).filter(|&id| id != NULL_NODE),
                SlotValues::Rels(rels) => node_of(&rel_value(rels[i as usize]), &mut failed),
                SlotValues::Column(values) => node_of(&values[i as usize], &mut failed),
                SlotValues::Constant(v) => node_of(v, &mut failed),
            };
            match (id, check) {
                (Some(id), Some(check)) => match check.matches(ctx.read(), id) {
                    Ok(keep) => keep,
                    Err(e) => {
                        failed.get_or_insert(e);
                        false
                    }
                },
                _ => false,
            }
        });
        self.selected = kept;
        self.assembled = false;
        failed.map_or(Ok(()), Err)
    }

    /// Makes the batch `len` rows long, all selected.
    fn select_all(&mut self, len: usize) {
        self.len = len;
        self.selected.clear();
        self.selected
            .extend((0..len).map(|i| u32::try_from(i).unwrap_or(u32::MAX)));
    }

    /// The node `slot` holds in row `i`, when the slot is a node column.
    fn node(&self, i: u32, slot: usize) -> Option<NodeId> {
        match self.slot(slot) {
            SlotValues::Nodes(ids) => ids.get(i as usize).copied().filter(|&id| id != NULL_NODE),
            SlotValues::Constant(Value::Node(n)) => Some(n.id),
            SlotValues::Column(values) => match values.get(i as usize) {
                Some(Value::Node(n)) => Some(n.id),
                _ => None,
            },
            _ => None,
        }
    }

    /// The relationship `slot` holds in row `i`, when the slot is a relationship column.
    fn rel(&self, i: u32, slot: usize) -> Option<RelId> {
        match self.slot(slot) {
            SlotValues::Rels(rels) => rels
                .get(i as usize)
                .map(|r| r.id)
                .filter(|&id| id != NULL_REL.id),
            _ => None,
        }
    }

    /// The values of `slot`.
    fn slot(&self, slot: usize) -> SlotValues<'_> {
        static NULL: Value = Value::Null;
        if let Some((_, column)) = self.slots.iter().find(|(s, _)| *s == slot) {
            return SlotValues::Column(column);
        }
        if let Some((_, ids)) = self.nodes.iter().find(|(s, _)| *s == slot) {
            return SlotValues::Nodes(ids);
        }
        if let Some((_, rels)) = self.rels.iter().find(|(s, _)| *s == slot) {
            return SlotValues::Rels(rels);
        }
        SlotValues::Constant(self.input.get(slot).unwrap_or(&NULL))
    }

    /// The id of the node or relationship `slot` holds in row `i` (`u64::MAX` for null);
    /// `None` when it holds another value.
    pub(super) fn entity_id(&self, i: u32, slot: usize) -> Option<u64> {
        let value = match self.slot(slot) {
            SlotValues::Nodes(ids) => return Some(ids[i as usize].0),
            SlotValues::Rels(rels) => return Some(rels[i as usize].id.0),
            SlotValues::Column(values) => &values[i as usize],
            SlotValues::Constant(value) => value,
        };
        match value {
            Value::Node(n) => Some(n.id.0),
            Value::Relationship(r) => Some(r.id.0),
            Value::Null => Some(u64::MAX),
            _ => None,
        }
    }

    /// Whether `slot` is null in row `i`.
    pub(super) fn is_null(&self, i: u32, slot: usize) -> bool {
        match self.slot(slot) {
            SlotValues::Constant(v) => v.is_null(),
            SlotValues::Column(c) => c[i as usize].is_null(),
            SlotValues::Nodes(ids) => ids[i as usize] == NULL_NODE,
            SlotValues::Rels(rels) => rels[i as usize].id == NULL_REL.id,
        }
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
                .map(|(s, _)| *s)
                .chain(self.nodes.iter().map(|(s, _)| *s))
                .chain(self.rels.iter().map(|(s, _)| *s))
                .map(|s| s + 1)
                .fold(0, usize::max);
            for &i in &self.selected {
                let i = i as usize;
                let row = &mut self.rows[i];
                if row.len() < width {
                    row.resize(width, Value::Null);
                }
                for (slot, ids) in &self.nodes {
                    match ids[i] {
                        NULL_NODE => row[*slot] = Value::Null,
                        id => set_node_ref(&mut row[*slot], id),
                    }
                }
                for (slot, rels) in &self.rels {
                    let r = rels[i];
                    if r.id == NULL_REL.id {
                        row[*slot] = Value::Null;
                    } else {
                        set_rel_ref(&mut row[*slot], r.id, r.start, r.end);
                    }
                }
                for (slot, column) in &self.slots {
                    row[*slot].clone_from(&column[i]);
                }
            }
            self.assembled = true;
        }
        &mut self.rows
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
            // What the slot held before no longer describes it.
            self.nodes.retain(|(s, _)| s != slot);
            self.rels.retain(|(s, _)| s != slot);
            self.properties.retain(|(s, _, _)| s != slot);
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

    /// The column of property `key` of the node or relationship column `slot`, read for the
    /// selected rows if it has not been read in this batch yet; `None` when the graph has no
    /// such key.
    fn property_column(
        &mut self,
        ctx: &Context<'_>,
        slot: usize,
        key: &str,
    ) -> Result<Option<usize>, ExecError> {
        let Some(k) = ctx.key_id(key) else {
            return Ok(None);
        };
        if let Some(at) = self.property_at(slot, k) {
            return Ok(Some(at));
        }
        let Some(read) = self.read_property(ctx, slot, k, &self.selected)? else {
            return Ok(None);
        };
        let mut column = Vec::new();
        column.resize(self.len, Value::Null);
        for (&i, value) in self.selected.iter().zip(read) {
            column[i as usize] = value;
        }
        self.properties.push((slot, k, column));
        Ok(Some(self.properties.len() - 1))
    }

    /// Where the column of property `k` of `slot` is, if it has been read in this batch.
    fn property_at(&self, slot: usize, k: KeyId) -> Option<usize> {
        self.properties
            .iter()
            .position(|(s, c, _)| *s == slot && *c == k)
    }

    /// Property `k` of the node or relationship column `slot` in `rows`, read from the graph;
    /// `None` when `slot` holds neither.
    fn read_property(
        &self,
        ctx: &Context<'_>,
        slot: usize,
        k: KeyId,
        rows: &[u32],
    ) -> Result<Option<Vec<Value>>, ExecError> {
        let graph = ctx.read();
        let mut read = Vec::with_capacity(rows.len());
        match self.slot(slot) {
            SlotValues::Nodes(ids) => {
                let ids: Vec<NodeId> = rows.iter().map(|&i| ids[i as usize]).collect();
                if ids.contains(&NULL_NODE) {
                    for id in ids {
                        read.push(match id {
                            NULL_NODE => Value::Null,
                            id => graph.node_property(id, k)?,
                        });
                    }
                } else {
                    graph.node_property_of_each(&ids, k, &mut read)?;
                }
            }
            SlotValues::Rels(rels) => {
                for &i in rows {
                    let id = rels[i as usize].id;
                    read.push(match id == NULL_REL.id {
                        true => Value::Null,
                        false => graph.rel_property(id, k)?,
                    });
                }
            }
            _ => return Ok(None),
        }
        Ok(Some(read))
    }
}

/// The node `value` is; `None` for null, and for anything else, with the matcher's error in
/// `failed`.
fn node_of(value: &Value, failed: &mut Option<ExecError>) -> Option<NodeId> {
    match value {
        Value::Node(n) => Some(n.id),
        Value::Null => None,
        other => {
            failed.get_or_insert_with(|| {
                ExecError::Type(format!("expected a node, found {}", other.type_name()))
            });
            None
        }
    }
}

/// The column of `slot` among `columns`, made empty if there is none.
fn column_of<T>(columns: &mut Vec<(usize, Vec<T>)>, slot: usize) -> &mut Vec<T> {
    let at = match columns.iter().position(|(s, _)| *s == slot) {
        Some(at) => at,
        None => {
            columns.push((slot, Vec::new()));
            columns.len() - 1
        }
    };
    &mut columns[at].1
}

/// Whether `expr` is a property of a node or relationship column: the slot and the key.
fn entity_property<'e>(expr: &'e Expr, batch: &Batch) -> Option<(usize, &'e str)> {
    match expr {
        Expr::Property(base, key)
            if let Expr::Slot(slot) = base.as_ref()
                && matches!(
                    batch.slot(*slot),
                    SlotValues::Nodes(_) | SlotValues::Rels(_)
                ) =>
        {
            Some((*slot, key))
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
            _ => None,
        },
        _ => None,
    }
}

/// `x.key = literal` (either way round) for a node or relationship column `x`: the slot, the
/// key and the literal.
fn entity_equality<'e>(
    a: &'e Expr,
    b: &'e Expr,
    batch: &Batch,
) -> Option<(usize, &'e str, &'e Value)> {
    match (a, b) {
        (p, Expr::Literal(v)) | (Expr::Literal(v), p) => {
            let (slot, key) = entity_property(p, batch)?;
            Some((slot, key, v))
        }
        _ => None,
    }
}

/// The rows of the batch at positions `at` of `selected`.
fn positions(selected: &[u32], at: &[usize]) -> Vec<u32> {
    at.iter().map(|&p| selected[p]).collect()
}

/// `f` of the value of `expr` on each of the rows `selected`, in order: read in place when
/// `expr` is a property of a node or relationship column, or a column of values (nothing is
/// copied), evaluated otherwise.
fn with_values<T>(
    ctx: &mut Context<'_>,
    expr: &Expr,
    batch: &mut Batch,
    selected: &[u32],
    mut f: impl FnMut(&Value) -> Result<T, ExecError>,
) -> Result<Vec<T>, ExecError> {
    if let Some((slot, key)) = entity_property(expr, batch) {
        return match batch.property_column(ctx, slot, key)? {
            Some(c) => {
                let column = &batch.properties[c].2;
                selected.iter().map(|&i| f(&column[i as usize])).collect()
            }
            None => selected.iter().map(|_| f(&Value::Null)).collect(),
        };
    }
    if let Expr::Slot(slot) = expr
        && let SlotValues::Column(column) = batch.slot(*slot)
    {
        return selected.iter().map(|&i| f(&column[i as usize])).collect();
    }
    eval_batch(ctx, expr, batch, selected)?
        .iter()
        .map(f)
        .collect()
}

/// `eval_batch` for a few rows of a batch (an aggregation's new groups): a property of a
/// pattern variable is read for those rows alone, not as a column of the whole batch kept for
/// what reads it next.
pub(super) fn eval_few(
    ctx: &mut Context<'_>,
    expr: &Expr,
    batch: &mut Batch,
    rows: &[u32],
) -> Result<Vec<Value>, ExecError> {
    if let Some((slot, key)) = entity_property(expr, batch)
        && let Some(k) = ctx.key_id(key)
        && batch.property_at(slot, k).is_none()
        && let Some(values) = batch.read_property(ctx, slot, k, rows)?
    {
        return Ok(values);
    }
    eval_batch(ctx, expr, batch, rows)
}

/// Evaluates `expr` on the rows `selected` (indexes into the batch), giving one value per
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
            SlotValues::Nodes(ids) => selected
                .iter()
                .map(|&i| node_value(ids[i as usize]))
                .collect(),
            SlotValues::Rels(rels) => selected
                .iter()
                .map(|&i| rel_value(rels[i as usize]))
                .collect(),
        }),
        Expr::Property(..) if let Some((slot, key)) = entity_property(expr, batch) => {
            Ok(match batch.property_column(ctx, slot, key)? {
                Some(c) => {
                    let column = &batch.properties[c].2;
                    selected
                        .iter()
                        .map(|&i| column[i as usize].clone())
                        .collect()
                }
                None => vec![Value::Null; n],
            })
        }
        Expr::Property(base, key) if let Expr::Slot(slot) = base.as_ref() => {
            match batch.slot(*slot) {
                SlotValues::Constant(v) => {
                    let v = property(ctx, v, key)?;
                    Ok(vec![v; n])
                }
                SlotValues::Column(c) => selected
                    .iter()
                    .map(|&i| property(ctx, &c[i as usize], key))
                    .collect(),
                // Node and relationship columns are read above.
                SlotValues::Nodes(_) | SlotValues::Rels(_) => Ok(vec![Value::Null; n]),
            }
        }
        Expr::Binary(BinaryOp::Eq, a, b)
            if let Some((slot, key, value)) = entity_equality(a, b, batch) =>
        {
            // Compared in the column, copying no value (as `eval` does).
            let Some(k) = ctx.key_id(key) else {
                return Ok(vec![Value::Null; n]);
            };
            let graph = ctx.read();
            let equal = |found: Option<bool>| found.map_or(Value::Null, Value::Bool);
            match batch.slot(slot) {
                SlotValues::Nodes(ids) => selected
                    .iter()
                    .map(|&i| match ids[i as usize] {
                        NULL_NODE => Ok(Value::Null),
                        id => Ok(equal(graph.node_property_equals(id, k, value)?)),
                    })
                    .collect(),
                SlotValues::Rels(rels) => selected
                    .iter()
                    .map(|&i| match rels[i as usize].id {
                        id if id == NULL_REL.id => Ok(Value::Null),
                        id => Ok(equal(graph.rel_property_equals(id, k, value)?)),
                    })
                    .collect(),
                _ => Ok(vec![Value::Null; n]),
            }
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
            with_values(ctx, a, batch, selected, |l| ops::binary(*op, l, &right))
        }
        Expr::Binary(op, a, b) if let Some(left) = constant(a, batch) => {
            let left = left.clone();
            with_values(ctx, b, batch, selected, |r| ops::binary(*op, &left, r))
        }
        Expr::Binary(op, a, b) => {
            let left = eval_batch(ctx, a, batch, selected)?;
            let mut left = left.iter();
            with_values(ctx, b, batch, selected, |r| {
                ops::binary(*op, left.next().unwrap_or(&Value::Null), r)
            })
        }
        Expr::Unary(op, inner) => with_values(ctx, inner, batch, selected, |v| ops::unary(*op, v)),
        Expr::IsNull { expr, negated } => with_values(ctx, expr, batch, selected, |v| {
            Ok(Value::Bool(v.is_null() != *negated))
        }),
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

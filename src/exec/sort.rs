//! ORDER BY: rows sorted as they arrive (stable), or with a limit the first k kept in a bounded
//! heap.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use crate::plan::logical::SortKey;
use crate::value::Value;

use super::ExecError;
use super::batch::Batch;
use super::budget::row_size;
use super::context::Context;
use super::eval::{Slots, eval};
use super::run::live_copy;

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

/// Sorts rows as they arrive (stable); with a limit, keeps only the first `limit` in a bounded
/// heap, so ORDER BY ... LIMIT k holds k rows, not all of them.
pub(super) struct Sorter<'k> {
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
    pub(super) fn new(keys: &'k [SortKey], limit: Option<u64>, keep: Option<&'k [usize]>) -> Self {
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

    pub(super) fn add(&mut self, ctx: &mut Context<'_>, row: &mut Slots) -> Result<(), ExecError> {
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

    /// Adds the selected rows of a batch, in order.
    pub(super) fn add_batch(
        &mut self,
        ctx: &mut Context<'_>,
        batch: &mut Batch,
    ) -> Result<(), ExecError> {
        let selected = batch.selected.clone();
        let rows = batch.rows();
        for i in selected {
            self.add(ctx, &mut rows[i as usize])?;
        }
        Ok(())
    }

    pub(super) fn finish(self, ctx: &mut Context<'_>) -> Vec<Slots> {
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

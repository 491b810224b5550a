//! Aggregation: rows find their group (by the ids of the entities their keys are read from,
//! or by the hash of their key values) and feed its accumulators; nothing of a row is kept.
//! Parallel parts aggregate on their own and merge in order (`parts.rs`).

mod parts;

use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};

use crate::plan::logical::{Aggregate, Expr};
use crate::value::Value;

use super::ExecError;
use super::aggregate::{self, Accumulator};

use super::batch::{Batch, eval_batch, eval_few};
use super::budget::{row_size, value_size};
use super::context::Context;
use super::eval::{Slots, eval, null_row};
use super::stream::entity_key;

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
pub(super) struct Aggregator<'p> {
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
    /// Rows come one entity after another (`clustered`): only the last ids are remembered,
    /// not every group's in `by_ids`.
    last_only: bool,
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
    /// The keys of the row being added that are not slots (those are read in place),
    /// reused while rows find groups that exist.
    key: Vec<Value>,
    /// Where each key that is not a slot is in `key`.
    computed_at: Vec<usize>,
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
    pub(super) fn new(
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
            last_only: false,
            groups: Vec::new(),
            key_values: Vec::new(),
            accs: Vec::new(),
            held: 0,
            makers,
            any_distinct: aggregates.iter().any(|a| a.distinct),
            replay: false,
            args: Vec::new(),
            key: Vec::new(),
            computed_at: keys
                .iter()
                .scan(0, |next, (_, expr)| {
                    Some(if matches!(expr, Expr::Slot(_)) {
                        usize::MAX
                    } else {
                        *next += 1;
                        *next - 1
                    })
                })
                .collect(),
        })
    }

    /// Rows will come from a scan of the node in `slot`, one scanned node's rows after
    /// another. When that node is the one entity the keys are read from and the keys do not
    /// identify groups alone, remembering the ids of every group gains little (each node
    /// comes once): only the last ids are kept, and an entity seen again finds its group by
    /// its key, so the result does not depend on the rows coming clustered.
    pub(super) fn clustered(&mut self, slot: Option<usize>) {
        self.last_only = !self.ids_identify && matches!(slot, Some(s) if self.keys_of == [s]);
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

    pub(super) fn add(&mut self, ctx: &mut Context<'_>, row: &mut Slots) -> Result<(), ExecError> {
        let g = self.group_of(ctx, row)?;
        self.update(ctx, g, row)
    }

    /// Adds the selected rows of a batch: each row finds its group, in order, then each
    /// aggregate's arguments are evaluated over the whole batch.
    pub(super) fn add_batch(
        &mut self,
        ctx: &mut Context<'_>,
        batch: &mut Batch,
    ) -> Result<(), ExecError> {
        self.add_selected(ctx, batch, &batch.selected.clone())
    }

    fn add_selected(
        &mut self,
        ctx: &mut Context<'_>,
        batch: &mut Batch,
        selected: &[u32],
    ) -> Result<(), ExecError> {
        let mut groups = Vec::with_capacity(selected.len());
        let single = self.keys.is_empty() && self.keys_of.is_empty();
        if single {
            // One group, whatever the rows hold.
            let g = self.group_of(ctx, &mut Vec::new())?;
            groups.resize(selected.len(), g);
        } else if let Some(found) = self.groups_by_ids(ctx, batch, selected)? {
            groups = found;
        } else {
            let rows = batch.rows();
            for &i in selected {
                groups.push(self.group_of(ctx, &mut rows[i as usize])?);
            }
        }
        let n = self.aggregates.len();
        for (a, agg) in self.aggregates.iter().enumerate() {
            if let Maker::Count = self.makers[a] {
                // Only whether the argument is null counts: a slot is looked at in place.
                let counted: Vec<bool> = match agg.args.as_slice() {
                    [] => vec![true; groups.len()],
                    [Expr::Slot(slot)] => {
                        selected.iter().map(|&i| !batch.is_null(i, *slot)).collect()
                    }
                    [e] => eval_batch(ctx, e, batch, selected)?
                        .iter()
                        .map(|v| !v.is_null())
                        .collect(),
                    _ => unreachable!("a count of more than one argument is not a `Maker::Count`"),
                };
                for (&g, counted) in groups.iter().zip(counted) {
                    if let Acc::Count(count) = &mut self.accs[g * n + a] {
                        *count += u64::from(counted);
                    }
                }
                continue;
            }
            if let ([arg], [g, ..]) = (agg.args.as_slice(), groups.as_slice())
                && single
                && !agg.distinct
                && !retains_values(agg)
                && let Acc::Other(_) = &self.accs[g * n + a]
            {
                // One group takes the whole column at once.
                let column = eval_batch(ctx, arg, batch, selected)?;
                if let Acc::Other(acc) = &mut self.accs[g * n + a] {
                    acc.update_each(&column)?;
                }
                continue;
            }
            let mut columns = Vec::with_capacity(agg.args.len());
            for e in &agg.args {
                columns.push(eval_batch(ctx, e, batch, selected)?.into_iter());
            }
            let mut args = std::mem::take(&mut self.args);
            for &g in &groups {
                args.clear();
                args.extend(columns.iter_mut().map(|c| c.next().unwrap_or(Value::Null)));
                self.feed(ctx, g, a, &args)?;
            }
            self.args = args;
        }
        Ok(())
    }

    /// The group of `row`, made if it is the first of its group.
    fn group_of(&mut self, ctx: &mut Context<'_>, row: &mut Slots) -> Result<usize, ExecError> {
        if self.keys.is_empty() && self.keys_of.is_empty() && !self.groups.is_empty() {
            return Ok(0);
        }
        // Rows with the same entities in the key slots have the same keys (the statement has
        // not written): find their group by ids, without reading the keys.
        let ids = self.entity_ids(row);
        if let Some(ids) = ids
            && let Some(g) = self.known(&ids)
        {
            return Ok(g);
        }
        // Keys that are slots are read in place (a node is not copied to find its group);
        // the others are evaluated into a buffer kept from row to row. A row of a known group
        // allocates nothing.
        let mut computed = std::mem::take(&mut self.key);
        computed.clear();
        for (_, expr) in self.keys {
            if !matches!(expr, Expr::Slot(_)) {
                computed.push(eval(ctx, expr, row)?);
            }
        }
        let keys = self.keys;
        let part = |i: usize| -> &Value {
            match &keys[i].1 {
                Expr::Slot(slot) => row.get(*slot).unwrap_or(&Value::Null),
                _ => &computed[self.computed_at[i]],
            }
        };
        let owned = || (0..keys.len()).map(|i| part(i).clone()).collect::<Vec<_>>();
        if let Some(ids) = ids
            && self.ids_identify
        {
            let key = owned();
            self.key = computed;
            return self.new_group_of_ids(ctx, ids, key);
        }
        let hash = self.hash_values((0..keys.len()).map(part));
        let (found, first) = self.find(hash, |slot, i| *part(i) == *slot);
        let g = match found {
            Some(g) => {
                self.key = computed;
                g
            }
            None => {
                let key = owned();
                self.key = computed;
                self.charge(ctx, row_size(&key) + 16)?;
                let g = self.new_group(key, first);
                self.index.insert(hash, g);
                g
            }
        };
        if let Some(ids) = ids {
            self.remember_ids(ctx, ids, g)?;
        }
        Ok(g)
    }

    /// The group already found for the entities `ids`.
    fn known(&mut self, ids: &EntityIds) -> Option<usize> {
        if let Some((last, g)) = self.last
            && last == *ids
        {
            return Some(g);
        }
        if self.last_only {
            return None;
        }
        let g = *self.by_ids.get(ids)?;
        self.last = Some((*ids, g));
        Some(g)
    }

    /// A new group for the entities `ids`, which identify it, with key `key`.
    fn new_group_of_ids(
        &mut self,
        ctx: &mut Context<'_>,
        ids: EntityIds,
        key: Vec<Value>,
    ) -> Result<usize, ExecError> {
        self.charge(ctx, row_size(&key) + 48)?;
        let g = self.new_group(key, None);
        self.by_ids.insert(ids, g);
        self.last = Some((ids, g));
        Ok(g)
    }

    /// Remembers that the entities `ids` belong to group `g`.
    fn remember_ids(
        &mut self,
        ctx: &mut Context<'_>,
        ids: EntityIds,
        g: usize,
    ) -> Result<(), ExecError> {
        self.last = Some((ids, g));
        if self.last_only {
            return Ok(());
        }
        ctx.budget.charge(48, "aggregation")?;
        self.held += 48;
        self.by_ids.insert(ids, g);
        Ok(())
    }

    /// The groups of the rows `selected` of a batch whose `keys_of` slots are columns of
    /// ids: found by ids, and only a batch with a row of a group not seen yet has its rows
    /// put together. `None` when a slot holds other values.
    fn groups_by_ids(
        &mut self,
        ctx: &mut Context<'_>,
        batch: &mut Batch,
        selected: &[u32],
    ) -> Result<Option<Vec<usize>>, ExecError> {
        if self.keys_of.is_empty() {
            return Ok(None);
        }
        let mut ids = Vec::with_capacity(selected.len());
        for &i in selected {
            let mut row_ids = [0u64; 4];
            for (id, slot) in row_ids.iter_mut().zip(self.keys_of) {
                match batch.entity_id(i, *slot) {
                    Some(found) => *id = found,
                    None => return Ok(None),
                }
            }
            ids.push(row_ids);
        }
        let mut groups = vec![usize::MAX; selected.len()];
        let mut missed = Vec::new();
        for (p, row_ids) in ids.iter().enumerate() {
            match self.known(row_ids) {
                Some(g) => groups[p] = g,
                None => missed.push(p),
            }
        }
        if missed.is_empty() {
            return Ok(Some(groups));
        }
        // The first row of each group not seen yet reads its keys from the batch's columns
        // (the batch is not put together into rows); the group is found or made in the order
        // of those rows, and the rows after it with the same entities join it.
        let mut firsts: Vec<usize> = Vec::new();
        let mut first_of: HashMap<EntityIds, usize> = HashMap::new();
        let mut joins = Vec::with_capacity(missed.len());
        for &p in &missed {
            let f = *first_of.entry(ids[p]).or_insert_with(|| {
                firsts.push(p);
                firsts.len() - 1
            });
            joins.push(f);
        }
        let rows: Vec<u32> = firsts.iter().map(|&p| selected[p]).collect();
        let mut columns = Vec::with_capacity(self.keys.len());
        for (_, expr) in self.keys {
            columns.push(eval_few(ctx, expr, batch, &rows)?.into_iter());
        }
        let mut made = Vec::with_capacity(firsts.len());
        for &p in &firsts {
            let key: Vec<Value> = columns
                .iter_mut()
                .map(|c| c.next().unwrap_or(Value::Null))
                .collect();
            made.push(self.group_of_key(ctx, ids[p], key)?);
        }
        for (p, f) in missed.into_iter().zip(joins) {
            groups[p] = made[f];
        }
        Ok(Some(groups))
    }

    /// The group of the entities `ids`, not seen before, whose key values are `key`: found by
    /// the key, or made.
    fn group_of_key(
        &mut self,
        ctx: &mut Context<'_>,
        ids: EntityIds,
        key: Vec<Value>,
    ) -> Result<usize, ExecError> {
        if self.ids_identify {
            return self.new_group_of_ids(ctx, ids, key);
        }
        let hash = self.key_hash(&key);
        let (found, first) = self.find(hash, |slot, i| key[i] == *slot);
        let g = match found {
            Some(g) => g,
            None => {
                self.charge(ctx, row_size(&key) + 16)?;
                let g = self.new_group(key, first);
                self.index.insert(hash, g);
                g
            }
        };
        self.remember_ids(ctx, ids, g)?;
        Ok(g)
    }

    /// The hash of a group's key as `add` computes it.
    fn key_hash(&self, key: &[Value]) -> u64 {
        self.hash_values(key.iter())
    }

    /// The hash of a key given value by value.
    fn hash_values<'v>(&self, values: impl ExactSizeIterator<Item = &'v Value>) -> u64 {
        use std::hash::{BuildHasher, Hash, Hasher};
        let mut hasher = self.hasher.build_hasher();
        hasher.write_usize(values.len());
        for value in values {
            value.hash(&mut hasher);
        }
        hasher.finish()
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
            self.feed(ctx, g, a, &args)?;
        }
        self.args = args;
        Ok(())
    }

    /// Gives aggregate `a` of group `g` (not a plain count) the arguments of one row.
    fn feed(
        &mut self,
        ctx: &mut Context<'_>,
        g: usize,
        a: usize,
        args: &[Value],
    ) -> Result<(), ExecError> {
        let agg = &self.aggregates[a];
        let mut kept = 0;
        if agg.distinct
            && let Some(seen) = &mut self.groups[g].distinct[a]
        {
            // DISTINCT looks at the first argument; nulls are skipped by the aggregate.
            let (fresh, bytes) = seen.first_sight(args, !ctx.simple);
            kept += bytes;
            if !fresh {
                return Ok(());
            }
        }
        if retains_values(agg) {
            kept += args.first().map_or(0, value_size);
        }
        if let Acc::Other(acc) = &mut self.accs[g * self.aggregates.len() + a] {
            acc.update(args)?;
        }
        if kept > 0 {
            ctx.budget.charge(kept, "aggregation")?;
            self.held += kept;
        }
        Ok(())
    }

    /// The groups as rows, all at once, each only as wide as its slots (they are held).
    pub(super) fn finish(self, ctx: &mut Context<'_>) -> Result<Vec<Slots>, ExecError> {
        self.into_rows(ctx, 0).collect()
    }

    /// The groups as rows, made one at a time as the operators after the aggregation take
    /// them: a top-k sort or a LIMIT after it keeps a few, and the rest are never built at once.
    /// Each row is at least `width` wide.
    pub(super) fn into_rows(mut self, ctx: &mut Context<'_>, width: usize) -> GroupRows<'p> {
        ctx.budget.release(self.held);
        if self.groups.is_empty() && self.keys.is_empty() {
            self.new_group(Vec::new(), None);
        }
        let width = self
            .keys
            .iter()
            .map(|(slot, _)| slot + 1)
            .chain(self.aggregates.iter().map(|a| a.slot + 1))
            .fold(width, usize::max);
        GroupRows {
            keys: self.keys,
            aggregates: self.aggregates,
            width,
            left: self.groups.len(),
            key_values: self.key_values.into_iter(),
            accs: self.accs.into_iter(),
        }
    }
}

/// An aggregation's groups, each made into a row when it is asked for.
pub(super) struct GroupRows<'p> {
    keys: &'p [(usize, Expr)],
    aggregates: &'p [Aggregate],
    /// How wide a row must be to hold every key and aggregate slot.
    width: usize,
    left: usize,
    key_values: std::vec::IntoIter<Value>,
    accs: std::vec::IntoIter<Acc>,
}

impl Iterator for GroupRows<'_> {
    type Item = Result<Slots, ExecError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.left == 0 {
            return None;
        }
        self.left -= 1;
        let mut row = null_row(self.width);
        for ((slot, _), value) in self.keys.iter().zip(self.key_values.by_ref()) {
            row[*slot] = value;
        }
        for (agg, mut acc) in self.aggregates.iter().zip(self.accs.by_ref()) {
            match acc.finish() {
                Ok(value) => row[agg.slot] = value,
                Err(e) => return Some(Err(e)),
            }
        }
        Some(Ok(row))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.left, Some(self.left))
    }
}

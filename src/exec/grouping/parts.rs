//! Aggregation over parts: each thread aggregates its part of a scan or of the input rows on
//! its own, and the parts merge in order, so groups, `collect` lists and ties come out as one
//! thread gives them.

use rayon::prelude::*;

use crate::plan::logical::Operator;
use crate::value::Value;

use super::super::ExecError;
use super::super::batch::BatchRun;
use super::super::budget::{MemoryBudget, row_size};
use super::super::context::{Context, Graph};
use super::super::eval::Slots;
use super::super::matcher::Flow;
use super::super::parallel::Split;
use super::super::run::{push_batch_rows, widen};
use super::super::stream::{StreamState, push};
use super::{Acc, Aggregator, Group, Seen};

impl<'p> Aggregator<'p> {
    /// Runs `streaming` over `input` on several threads, each over its part of the first scan
    /// or of the input rows (`split`) into an aggregator of its own, and merges their groups
    /// into this (empty) one in that order, so groups, `collect` lists and ties come out as
    /// one thread would give them.
    pub(in super::super) fn absorb_parallel(
        &mut self,
        ctx: &mut Context<'_>,
        streaming: &'p [Operator],
        input: &[Slots],
        split: Split,
        disjoint: bool,
    ) -> Result<(), ExecError> {
        let parts = match split {
            Split::None => return Ok(()),
            Split::Scan(n) | Split::Input(n) => n,
        };
        let share = ctx
            .budget
            .remaining()
            .map(|r| r / u64::try_from(parts).unwrap_or(1));
        let graph = ctx
            .read()
            .as_sync()
            .ok_or(ExecError::Storage(crate::storage::StorageError::ReadOnly))?;
        let (keys, aggregates, keys_of) = (self.keys, self.aggregates, self.keys_of);
        let procedures = ctx.procedures;
        let (params, now) = (&ctx.params, &ctx.now);
        let (interrupt, cancel) = (&ctx.interrupt, &ctx.cancel);
        let (import_dir, row_width) = (&ctx.import_dir, ctx.row_width);
        // On rayon's pool: its threads, and their allocators' memory, live on between
        // statements, so a statement pays neither thread starts nor fresh pages.
        let results: Vec<Result<Aggregator<'p>, ExecError>> = (0..parts)
            .into_par_iter()
            .map(|part| {
                let (rows, scan_part) = match split {
                    Split::Input(_) => {
                        let n = input.len();
                        (&input[n * part / parts..n * (part + 1) / parts], None)
                    }
                    _ => (input, Some((part, parts))),
                };
                let _memo = crate::storage::MemoScope::enter();
                let mut wctx =
                    Context::new(Graph::Read(graph), params.clone(), now.clone(), procedures);
                wctx.interrupt.clone_from(interrupt);
                wctx.cancel.clone_from(cancel);
                wctx.import_dir.clone_from(import_dir);
                wctx.row_width = row_width;
                wctx.budget = MemoryBudget::new(share);
                wctx.scan_part = scan_part;
                let mut aggregator = Aggregator::new(keys, aggregates, keys_of)?;
                aggregator.replay = !disjoint;
                let mut state = StreamState::new(streaming.len());
                if let Some(run) = BatchRun::of(streaming) {
                    aggregator.clustered(run.scanned_slot());
                    let mut levels = Vec::new();
                    let rest_at = run.rest_at();
                    let rows = rows.iter().map(|row| {
                        let mut row = row.clone();
                        widen(&mut row, row_width);
                        row
                    });
                    run.run(&mut wctx, rows, &mut levels, &mut |c, b| {
                        if rest_at >= streaming.len() {
                            return aggregator.add_batch(c, b);
                        }
                        // Each row on through what the batch did not run.
                        push_batch_rows(c, streaming, rest_at, &mut state, b, &mut |c, r| {
                            aggregator.add(c, r)
                        })
                    })?;
                    return Ok(aggregator);
                }
                for row in rows {
                    let mut row = row.clone();
                    widen(&mut row, row_width);
                    push(
                        &mut wctx,
                        streaming,
                        0,
                        &mut state,
                        &mut row,
                        &mut |c, r: &mut Slots| {
                            aggregator.add(c, r)?;
                            Ok(Flow::Continue)
                        },
                    )?;
                }
                Ok(aggregator)
            })
            .collect();
        for part in results {
            if disjoint {
                self.append(part?);
            } else {
                self.merge(part?)?;
            }
        }
        ctx.budget.charge(self.held, "aggregation")?;
        Ok(())
    }

    /// Takes in the groups of `later`, fed the rows after this one's, when no group can be in
    /// both (`parts_disjoint`): they are added after this one's, unindexed, so the aggregator
    /// takes no more rows, only `finish`.
    fn append(&mut self, later: Aggregator<'p>) {
        if self.groups.is_empty() {
            let held = self.held;
            *self = later;
            self.held += held;
            return;
        }
        self.index.clear();
        self.by_ids.clear();
        self.last = None;
        self.key_values.extend(later.key_values);
        self.accs.extend(later.accs);
        self.groups
            .extend(later.groups.into_iter().map(|group| Group {
                next: None,
                ..group
            }));
        self.held += later.held;
    }

    /// `merge` when both sides found every group by the ids of its entities (`by_ids` holds
    /// each group once): groups meet by ids, with no key hashed or compared.
    fn merge_by_ids(&mut self, later: Aggregator<'p>) -> Result<(), ExecError> {
        let (k, n) = (self.keys.len(), self.aggregates.len());
        let mut ids_of = vec![[0u64; 4]; later.groups.len()];
        for (ids, &g) in &later.by_ids {
            ids_of[g] = *ids;
        }
        self.last = None;
        let mut key_values = later.key_values.into_iter();
        let mut accs = later.accs.into_iter();
        for (group, ids) in later.groups.into_iter().zip(ids_of) {
            match self.by_ids.get(&ids) {
                Some(&g) => {
                    key_values.by_ref().take(k).for_each(drop);
                    self.merge_group(g, group, accs.by_ref().take(n))?;
                }
                None => {
                    self.by_ids.insert(ids, self.groups.len());
                    self.key_values.extend(key_values.by_ref().take(k));
                    self.accs.extend(accs.by_ref().take(n));
                    self.groups.push(Group {
                        next: None,
                        ..group
                    });
                }
            }
        }
        self.held += later.held;
        Ok(())
    }

    /// Takes in the groups of `later`, fed the rows after this one's: a group both have
    /// merges its accumulators, a new one is added after this one's.
    fn merge(&mut self, mut later: Aggregator<'p>) -> Result<(), ExecError> {
        if self.groups.is_empty() {
            later.held += self.held;
            *self = later;
            return Ok(());
        }
        if self.ids_identify
            && later.ids_identify
            && self.by_ids.len() == self.groups.len()
            && later.by_ids.len() == later.groups.len()
        {
            self.merge_by_ids(later)?;
            return Ok(());
        }
        if self.ids_identify {
            // Groups were found by ids alone; index them by key for the merge.
            self.ids_identify = false;
            self.by_ids.clear();
            self.last = None;
            for g in 0..self.groups.len() {
                let hash = self.key_hash(self.key_of(g));
                self.groups[g].next = self.index.insert(hash, g);
            }
        }
        let (k, n) = (self.keys.len(), self.aggregates.len());
        let mut key_values = later.key_values.into_iter();
        let mut accs = later.accs.into_iter();
        for group in later.groups {
            let key: Vec<Value> = key_values.by_ref().take(k).collect();
            let hash = self.key_hash(&key);
            match self.find(hash, |value, i| *value == key[i]) {
                (Some(g), _) => self.merge_group(g, group, accs.by_ref().take(n))?,
                (None, first) => {
                    let g = self.groups.len();
                    self.key_values.extend(key);
                    self.accs.extend(accs.by_ref().take(n));
                    self.groups.push(Group {
                        next: first,
                        distinct: group.distinct,
                    });
                    self.index.insert(hash, g);
                }
            }
        }
        self.held += later.held;
        Ok(())
    }

    /// Takes into group `g` the group `later` of a later part, with its accumulators: they
    /// merge, but a DISTINCT aggregate's is dropped and the later part's distinct values are
    /// replayed in order, those this group has not seen going to its own accumulator.
    fn merge_group(
        &mut self,
        g: usize,
        mut later: Group,
        accs: impl Iterator<Item = Acc>,
    ) -> Result<(), ExecError> {
        let n = self.aggregates.len();
        for (a, theirs) in accs.enumerate() {
            if !self.aggregates[a].distinct {
                self.accs[g * n + a].merge(theirs)?;
                continue;
            }
            let replayed = later.distinct.get_mut(a).and_then(Option::take);
            let (Some(replayed), Some(Some(seen)), Acc::Other(acc)) = (
                replayed,
                self.groups[g].distinct.get_mut(a),
                &mut self.accs[g * n + a],
            ) else {
                return Err(ExecError::Argument(
                    "merging DISTINCT aggregates that kept nothing".into(),
                ));
            };
            match replayed {
                Seen {
                    order: Some(order), ..
                } => {
                    for args in order {
                        let (fresh, kept) = seen.first_sight(&args, true);
                        self.held += kept;
                        if fresh {
                            acc.update(&args)?;
                        }
                    }
                }
                // A count does not depend on the order: the later part's sets are enough.
                Seen {
                    values, entities, ..
                } if self.aggregates[a].name == "count" => {
                    for id in entities {
                        if seen.entities.insert(id) {
                            acc.update(&[Value::Bool(true)])?;
                        }
                    }
                    for key in values {
                        if !seen.values.contains(&key) {
                            self.held += row_size(&key);
                            acc.update(&key)?;
                            seen.values.insert(key);
                        }
                    }
                }
                Seen { .. } => {
                    return Err(ExecError::Argument(
                        "merging DISTINCT aggregates that kept no order".into(),
                    ));
                }
            }
        }
        Ok(())
    }
}

//! OPTIONAL MATCH inside a batched run: the rows it matched, and a null row for each row that
//! reached it and matched nothing, merged in the order a row at a time gives them.

use super::super::super::ExecError;
use super::super::{BATCH, Batch};
use super::{BatchRun, Run, Step};

/// An OPTIONAL MATCH in progress: the rows that reached its beginning (`entry`, the columns
/// of that batch), and how far its output has got through them.
#[derive(Default)]
pub(super) struct Merge {
    entry: Batch,
    /// The position in `entry.selected` of the row whose rows are coming out now.
    cursor: usize,
    /// Whether that row has had a row out already (else it gets a null row).
    matched: bool,
}

impl Merge {
    /// Begins an OPTIONAL MATCH with the selected rows of `batch`, which from here on
    /// know their own row (`Batch::origin`) as they go through its hops.
    pub(super) fn begin(&mut self, batch: &mut Batch) {
        self.entry.copy_columns(batch);
        self.cursor = 0;
        self.matched = false;
        batch.origin = (0..batch.len).map(|i| i as u32).collect();
    }
}

impl BatchRun<'_> {
    /// At the end of OPTIONAL MATCH `optional` (step `end`): the selected rows of
    /// `levels[0]` matched; each goes into the merged batch `levels[1]`, after a null row for
    /// each row before it that reached the beginning and matched nothing.
    pub(super) fn merge(
        &self,
        run: &mut Run<'_, '_, '_>,
        levels: &mut [Batch],
        end: usize,
        optional: usize,
        fresh: (&[usize], &[usize]),
    ) -> Result<(), ExecError> {
        let mut merge = std::mem::take(&mut run.merges[optional]);
        let result = (|| {
            let Some((matched, deeper)) = levels.split_first_mut() else {
                return Ok(());
            };
            for &i in &matched.selected {
                let origin = Some(matched.origin[i as usize]);
                self.null_rows(run, &mut merge, origin, deeper, end, fresh)?;
                deeper[0].push_row(matched, i);
                merge.matched = true;
                self.flush_full(run, deeper, end)?;
            }
            Ok(())
        })();
        run.merges[optional] = merge;
        result
    }

    /// Moves `merge` on to the row `until` of the batch where its OPTIONAL MATCH began (to
    /// the end of it when `None`), with a null row into `merged[0]` for each row passed that
    /// matched nothing.
    fn null_rows(
        &self,
        run: &mut Run<'_, '_, '_>,
        merge: &mut Merge,
        until: Option<u32>,
        merged: &mut [Batch],
        end: usize,
        fresh: (&[usize], &[usize]),
    ) -> Result<(), ExecError> {
        while let Some(&row) = merge.entry.selected.get(merge.cursor)
            && Some(row) != until
        {
            if !merge.matched {
                merged[0].push_null_row(&merge.entry, row, fresh);
                self.flush_full(run, merged, end)?;
            }
            merge.cursor += 1;
            merge.matched = false;
        }
        Ok(())
    }

    /// At the end of the rows that reached the beginning of OPTIONAL MATCH `optional`: a
    /// null row for each of the last that matched nothing, then the rest of the merged batch
    /// (`merged[0]`) goes on.
    pub(super) fn finish_optional(
        &self,
        run: &mut Run<'_, '_, '_>,
        merged: &mut [Batch],
        end: usize,
        optional: usize,
    ) -> Result<(), ExecError> {
        let Some(Step::OptionalEnd {
            fresh_nodes,
            fresh_rels,
            ..
        }) = self.steps.get(end)
        else {
            return Ok(());
        };
        let fresh = (fresh_nodes.as_slice(), fresh_rels.as_slice());
        let mut merge = std::mem::take(&mut run.merges[optional]);
        let result = (|| {
            self.null_rows(run, &mut merge, None, merged, end, fresh)?;
            if merged[0].len > 0 {
                self.flush_merged(run, merged, end)?;
            }
            Ok(())
        })();
        run.merges[optional] = merge;
        result
    }

    /// Sends the merged batch `merged[0]` on when it is full.
    fn flush_full(
        &self,
        run: &mut Run<'_, '_, '_>,
        merged: &mut [Batch],
        end: usize,
    ) -> Result<(), ExecError> {
        if merged[0].len < BATCH {
            return Ok(());
        }
        self.flush_merged(run, merged, end)
    }

    /// Runs the steps after the end of an OPTIONAL MATCH (step `end`) on the merged batch
    /// `merged[0]`; it is then empty for the next rows.
    fn flush_merged(
        &self,
        run: &mut Run<'_, '_, '_>,
        merged: &mut [Batch],
        end: usize,
    ) -> Result<(), ExecError> {
        let batch = &mut merged[0];
        let len = batch.len;
        batch.select_all(len);
        let result = self.go_on(run, merged, end + 1);
        merged[0].clear(0);
        result
    }
}

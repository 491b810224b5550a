//! Liveness of row slots. For every point of a pipeline, the slots that something after that
//! point reads: the operators that follow, and the pipeline's consumer (the output columns of
//! a query branch, the collected expression of a pattern comprehension). The executor copies
//! only live slots when it holds rows (sort, eager barriers, result buffers), so a value that
//! no later clause reads is never copied: collecting rows and unwinding them again costs
//! memory linear in their number, not quadratic.
//!
//! The analysis is conservative: a slot read anywhere later is live, even where a later
//! operator writes it first. It knows nothing of execution; `tests/memory.rs` holds the
//! memory tests that depend on it.

use crate::plan::catalog::Catalog;
use crate::plan::error::PlanError;
use crate::plan::logical::slots_of;
use crate::plan::logical::{
    CreatePattern, Expr, MatchStep, NodeSource, Operator, Pattern, Pipeline, QueryPlan, SetOp, Slot,
};

/// Fills in `live` for every pipeline of the plan, subqueries included.
pub(crate) fn run(mut plan: QueryPlan, _: &dyn Catalog) -> Result<QueryPlan, PlanError> {
    for (branch, columns) in plan.branches.iter_mut().zip(&plan.columns) {
        let consumer: Vec<Slot> = columns.iter().map(|(_, slot)| *slot).collect();
        annotate_pipeline(branch, consumer);
    }
    Ok(plan)
}

fn annotate_pipeline(pipeline: &mut Pipeline, consumer: Vec<Slot>) {
    for op in &mut pipeline.operators {
        each_expr_mut(op, &mut annotate_subqueries);
    }
    let n = pipeline.operators.len();
    let mut live = vec![Vec::new(); n + 1];
    let mut current = consumer;
    current.sort_unstable();
    current.dedup();
    live[n].clone_from(&current);
    for (k, op) in pipeline.operators.iter().enumerate().rev() {
        let mut reads = Vec::new();
        operator_reads(op, &mut reads);
        if matches!(op, Operator::Aggregate { .. }) {
            // An aggregate's output rows are new: only what it reads lives before it.
            current = reads;
        } else {
            current.extend(reads);
        }
        current.sort_unstable();
        current.dedup();
        live[k].clone_from(&current);
    }
    pipeline.live = live;
}

fn annotate_subqueries(expr: &mut Expr) {
    if let Expr::Subquery(sub) = expr {
        let mut consumer = Vec::new();
        if let Some(map) = &sub.map {
            expr_reads(map, &mut consumer);
        }
        annotate_pipeline(&mut sub.pipeline, consumer);
    } else {
        expr.for_each_child_mut(&mut annotate_subqueries);
    }
}

/// Calls `f` on each top-level expression an operator holds.
pub(crate) fn each_expr_mut(op: &mut Operator, f: &mut dyn FnMut(&mut Expr)) {
    fn pattern(p: &mut Pattern, f: &mut dyn FnMut(&mut Expr)) {
        for n in &mut p.nodes {
            n.properties.iter_mut().for_each(&mut *f);
        }
        for r in &mut p.rels {
            r.properties.iter_mut().for_each(&mut *f);
        }
        for step in &mut p.steps {
            match step {
                MatchStep::Filter(e)
                | MatchStep::Start {
                    source: NodeSource::Seek { value: e, .. },
                    ..
                } => f(e),
                _ => {}
            }
        }
    }
    fn create(c: &mut CreatePattern, f: &mut dyn FnMut(&mut Expr)) {
        for n in &mut c.nodes {
            n.properties.iter_mut().for_each(&mut *f);
        }
        for r in &mut c.rels {
            r.properties.iter_mut().for_each(&mut *f);
        }
    }
    fn set(ops: &mut [SetOp], f: &mut dyn FnMut(&mut Expr)) {
        for op in ops {
            match op {
                SetOp::Property { target, value, .. } => {
                    f(target);
                    f(value);
                }
                SetOp::Replace { value, .. } | SetOp::Merge { value, .. } => f(value),
                SetOp::RemoveProperty { target, .. } => f(target),
                SetOp::Labels { .. } | SetOp::RemoveLabels { .. } => {}
            }
        }
    }
    match op {
        Operator::Match { pattern: p, .. } => pattern(p, f),
        Operator::Unwind { expr, .. } => f(expr),
        Operator::Filter(e) | Operator::Skip(e) | Operator::Limit(e) => f(e),
        Operator::Project { items, .. } => items.iter_mut().for_each(|(_, e)| f(e)),
        Operator::Aggregate {
            keys, aggregates, ..
        } => {
            keys.iter_mut().for_each(|(_, e)| f(e));
            for a in aggregates {
                a.args.iter_mut().for_each(&mut *f);
            }
        }
        Operator::Sort { keys } => keys.iter_mut().for_each(|k| f(&mut k.expr)),
        Operator::Create(c) => create(c, f),
        Operator::Merge {
            pattern: p,
            create: c,
            on_create,
            on_match,
        } => {
            pattern(p, f);
            create(c, f);
            set(on_create, f);
            set(on_match, f);
        }
        Operator::Set(ops) => set(ops, f),
        Operator::Delete { exprs, .. } => exprs.iter_mut().for_each(f),
        Operator::Call { args, filter, .. } => {
            args.iter_mut().for_each(&mut *f);
            filter.iter_mut().for_each(f);
        }
        Operator::LoadCsv { source, .. } => f(source),
        Operator::Distinct { .. } | Operator::Eager | Operator::StoreCount { .. } => {}
    }
}

/// Every slot an expression reads, subquery pipelines included (conservatively: every slot
/// they name).
fn expr_reads(expr: &Expr, out: &mut Vec<Slot>) {
    slots_of(expr, out);
}

fn pattern_reads(p: &Pattern, out: &mut Vec<Slot>) {
    // Every node and relationship slot: bound ones are read, and the rest are written before
    // anything after the match reads them.
    out.extend(p.nodes.iter().map(|n| n.slot));
    out.extend(p.rels.iter().map(|r| r.slot));
    for n in &p.nodes {
        n.properties.iter().for_each(|e| expr_reads(e, out));
    }
    for r in &p.rels {
        r.properties.iter().for_each(|e| expr_reads(e, out));
    }
    for step in &p.steps {
        match step {
            MatchStep::Filter(e)
            | MatchStep::Start {
                source: NodeSource::Seek { value: e, .. },
                ..
            } => expr_reads(e, out),
            _ => {}
        }
    }
}

fn create_reads(c: &CreatePattern, out: &mut Vec<Slot>) {
    out.extend(c.nodes.iter().filter(|n| n.bound).map(|n| n.slot));
    for n in &c.nodes {
        n.properties.iter().for_each(|e| expr_reads(e, out));
    }
    for r in &c.rels {
        r.properties.iter().for_each(|e| expr_reads(e, out));
    }
}

fn set_reads(ops: &[SetOp], out: &mut Vec<Slot>) {
    for op in ops {
        match op {
            SetOp::Property { target, value, .. } => {
                expr_reads(target, out);
                expr_reads(value, out);
            }
            SetOp::Replace { slot, value } | SetOp::Merge { slot, value } => {
                out.push(*slot);
                expr_reads(value, out);
            }
            SetOp::RemoveProperty { target, .. } => expr_reads(target, out),
            SetOp::Labels { slot, .. } | SetOp::RemoveLabels { slot, .. } => out.push(*slot),
        }
    }
}

/// Every slot an operator reads.
pub(crate) fn operator_reads(op: &Operator, out: &mut Vec<Slot>) {
    match op {
        Operator::Match { pattern, .. } => pattern_reads(pattern, out),
        Operator::Unwind { expr, .. } => expr_reads(expr, out),
        Operator::Filter(e) | Operator::Skip(e) | Operator::Limit(e) => expr_reads(e, out),
        Operator::Project { items, .. } => items.iter().for_each(|(_, e)| expr_reads(e, out)),
        Operator::Aggregate {
            keys,
            aggregates,
            keys_of,
        } => {
            keys.iter().for_each(|(_, e)| expr_reads(e, out));
            for a in aggregates {
                a.args.iter().for_each(|e| expr_reads(e, out));
            }
            out.extend(keys_of);
        }
        Operator::Distinct { slots } => out.extend(slots),
        Operator::Sort { keys } => keys.iter().for_each(|k| expr_reads(&k.expr, out)),
        Operator::Create(c) => create_reads(c, out),
        Operator::Merge {
            pattern,
            create,
            on_create,
            on_match,
        } => {
            pattern_reads(pattern, out);
            create_reads(create, out);
            set_reads(on_create, out);
            set_reads(on_match, out);
        }
        Operator::Set(ops) => set_reads(ops, out),
        Operator::Delete { exprs, .. } => exprs.iter().for_each(|e| expr_reads(e, out)),
        Operator::Call { args, filter, .. } => {
            args.iter().for_each(|e| expr_reads(e, out));
            filter.iter().for_each(|e| expr_reads(e, out));
        }
        Operator::LoadCsv { source, .. } => expr_reads(source, out),
        Operator::Eager | Operator::StoreCount { .. } => {}
    }
}

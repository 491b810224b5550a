//! Literal lists and maps become literal values: `o.status IN ['won', 'lost']` or a pattern's
//! `{status: 'fulfilled'}` is built once, when the plan is, not for every row; evaluating the
//! literal then copies a pointer (lists and maps are shared values).
//!
//! A list or map is folded when every item is a literal, innermost first, so nested literals
//! fold too. Evaluating the folded literal gives the value evaluating the items would.

use super::live_slots::each_expr_mut;
use crate::plan::bind::Catalog;
use crate::plan::error::PlanError;
use crate::plan::logical::{Expr, Pipeline, QueryPlan};
use crate::value::Value;

pub(crate) fn run(mut plan: QueryPlan, _: &dyn Catalog) -> Result<QueryPlan, PlanError> {
    for branch in &mut plan.branches {
        fold_pipeline(branch);
    }
    Ok(plan)
}

fn fold_pipeline(pipeline: &mut Pipeline) {
    for op in &mut pipeline.operators {
        each_expr_mut(op, &mut fold);
    }
}

fn literal(expr: &Expr) -> Option<&Value> {
    match expr {
        Expr::Literal(value) => Some(value),
        _ => None,
    }
}

fn fold(expr: &mut Expr) {
    expr.for_each_child_mut(&mut fold);
    match expr {
        Expr::Subquery(sub) => {
            fold_pipeline(&mut sub.pipeline);
            if let Some(map) = &mut sub.map {
                fold(map);
            }
        }
        Expr::List(items) => {
            if let Some(values) = items.iter().map(literal).collect::<Option<Vec<_>>>() {
                *expr = Expr::Literal(Value::List(values.into_iter().cloned().collect()));
            }
        }
        Expr::Map(entries) if entries.iter().all(|(_, e)| literal(e).is_some()) => {
            let map = entries
                .iter()
                .filter_map(|(k, e)| Some((k.clone(), literal(e)?.clone())))
                .collect();
            *expr = Expr::Literal(Value::Map(map));
        }
        _ => {}
    }
}

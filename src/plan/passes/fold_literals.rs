//! Literal lists and maps become literal values: `o.status IN ['won', 'lost']` or a pattern's
//! `{status: 'fulfilled'}` is built once, when the plan is, not for every row; evaluating the
//! literal then copies a pointer (lists and maps are shared values).
//!
//! A list or map is folded when every item is a literal, innermost first, so nested literals
//! fold too. Evaluating the folded literal gives the value evaluating the items would.
//!
//! A temporal constructor of a literal string (`datetime('2024-01-01T00:00:00Z')`, `date(...)`,
//! `duration('P30D')`, ...) is parsed once too: with a string it reads no clock, so its value
//! does not depend on when the row is evaluated. A string that does not parse is left for the
//! executor, so the error comes when (and only if) a row evaluates it, as before.

use super::live_slots::each_expr_mut;
use crate::plan::catalog::Catalog;
use crate::plan::error::PlanError;
use crate::plan::logical::{Expr, Pipeline, QueryPlan};
use crate::value::{Date, DateTime, Duration, LocalDateTime, LocalTime, Time, Value};

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
        Expr::Function { name, args } => {
            if let [Expr::Literal(text @ Value::String(_))] = args.as_slice()
                && let Some(value) = temporal_of_string(name, text)
            {
                *expr = Expr::Literal(value);
            }
        }
        _ => {}
    }
}

/// The value of the temporal constructor `name` applied to the string `text`; `None` for any
/// other function or a string it refuses.
fn temporal_of_string(name: &str, text: &Value) -> Option<Value> {
    Some(match name {
        "date" => Value::Date(Date::from_value(text).ok()?),
        "localtime" => Value::LocalTime(LocalTime::from_value(text).ok()?),
        "time" => Value::Time(Time::from_value(text).ok()?),
        "localdatetime" => Value::LocalDateTime(LocalDateTime::from_value(text).ok()?),
        "datetime" => Value::DateTime(DateTime::from_value(text).ok()?),
        "duration" => Value::Duration(Duration::from_value(text).ok()?),
        _ => return None,
    })
}

//! The churn procedures: customers showing warning signs (`crm.atRisk`) and customers already
//! lost, with why and to whom (`crm.lostCustomers`). Knows nothing of the query language.

use std::collections::BTreeSet;

use chrono::NaiveDateTime;

use crate::procedure::{ProcedureContext, ProcedureError};
use crate::value::ExactSum;
use crate::value::Value;

use super::view::{Options, View, date_value, float_or_null, node, strings};

type Rows = Result<Vec<Vec<Value>>, ProcedureError>;

/// `crm.atRisk({days, spendDays, dropPct, npsDays, complaintDays, minSignals})`.
pub fn at_risk(args: &[Value], ctx: &mut dyn ProcedureContext) -> Rows {
    let opts = Options::parse(
        "crm.atRisk",
        args,
        0,
        &[
            "days",
            "spendDays",
            "dropPct",
            "npsDays",
            "complaintDays",
            "minSignals",
        ],
    )?;
    let days = opts.int("days", 90)?;
    let spend_days = opts.int("spendDays", 180)?;
    let drop_pct = opts.int("dropPct", 30)?;
    let nps_days = opts.int("npsDays", 365)?;
    let complaint_days = opts.int("complaintDays", 14)?;
    let min_signals = opts.int("minSignals", 2)?;
    let clock = opts.clock(ctx)?;
    let touch_since = clock.instant_days_ago(days);
    let half = clock.days_ago(spend_days);
    let window = clock.days_ago(spend_days.saturating_mul(2));
    let nps_since = clock.instant_days_ago(nps_days);
    let stale_before = clock.instant_days_ago(complaint_days);
    let keep = (100.0 - drop_pct as f64) / 100.0;
    let view = View::new(ctx.graph());
    let mut rows: Vec<((i64, f64), Vec<Value>)> = Vec::new();
    for c in view.active_customers()? {
        let mut last_touch: Option<(NaiveDateTime, Value)> = None;
        for i in view.out(c, "HAS_INTERACTION")? {
            if !view.has_label(i, "Interaction")? {
                continue;
            }
            let v = view.prop(i, "at")?;
            if let Value::DateTime(d) = &v {
                let at = d.utc();
                if last_touch.as_ref().is_none_or(|(l, _)| at > *l) {
                    last_touch = Some((at, v));
                }
            }
        }
        let (mut last, mut prior) = (ExactSum::default(), ExactSum::default());
        for (_, on, amount) in view.fulfilled_orders(c, None)? {
            let Some(on) = on else { continue };
            if on <= window {
                continue;
            }
            let amount = amount.unwrap_or(0.0);
            if on > half {
                last += amount;
            } else {
                prior += amount;
            }
        }
        let (last, prior) = (last.total(), prior.total());
        let mut worst_nps: Option<f64> = None;
        for f in view.out(c, "GAVE")? {
            if view.has_label(f, "Feedback")?
                && view.is(f, "kind", "nps")?
                && view.instant_prop(f, "at")?.is_some_and(|at| at > nps_since)
                && let Some(score) = view.num_prop(f, "score")?
            {
                worst_nps = Some(worst_nps.map_or(score, |w: f64| w.min(score)));
            }
        }
        let mut stale = 0;
        for t in view.out(c, "RAISED")? {
            if view.has_label(t, "Ticket")?
                && view.is(t, "type", "complaint")?
                && view.prop(t, "closedAt")?.is_null()
                && view
                    .instant_prop(t, "openedAt")?
                    .is_some_and(|at| at < stale_before)
            {
                stale += 1;
            }
        }
        let mut signals = Vec::new();
        if last_touch.as_ref().is_none_or(|(l, _)| *l < touch_since) {
            signals.push(format!("no_touch_{days}d"));
        }
        if prior > 0.0 && last < keep * prior {
            signals.push(format!("spend_down_{drop_pct}pct"));
        }
        if worst_nps.is_some_and(|w| w <= 6.0) {
            signals.push("detractor".to_owned());
        }
        if stale > 0 {
            signals.push(format!("complaint_open_{complaint_days}d"));
        }
        let score = i64::try_from(signals.len()).unwrap_or(0);
        if score < min_signals {
            continue;
        }
        rows.push((
            (score, prior),
            vec![
                node(c),
                Value::Int(score),
                strings(signals),
                last_touch.map_or(Value::Null, |l| l.1),
                Value::Float(prior),
                Value::Float(last),
            ],
        ));
    }
    rows.sort_by(|a, b| b.0.0.cmp(&a.0.0).then(b.0.1.total_cmp(&a.0.1)));
    Ok(rows.into_iter().map(|r| r.1).collect())
}

/// `crm.lostCustomers({days})`.
pub fn lost_customers(args: &[Value], ctx: &mut dyn ProcedureContext) -> Rows {
    let opts = Options::parse("crm.lostCustomers", args, 0, &["days"])?;
    let days = opts.int("days", 365)?;
    let clock = opts.clock(ctx)?;
    let since = clock.days_ago(days);
    let view = View::new(ctx.graph());
    let mut rows = Vec::new();
    for c in view.nodes("Customer")? {
        let Some(churned) = view.date_prop(c, "churnedOn")? else {
            continue;
        };
        if churned < since {
            continue;
        }
        // The latest NPS answer; of answers given at the same instant, the lowest score.
        let mut last_nps: Option<(NaiveDateTime, Option<f64>)> = None;
        for f in view.out(c, "GAVE")? {
            if !view.has_label(f, "Feedback")? || !view.is(f, "kind", "nps")? {
                continue;
            }
            let Some(at) = view.instant_prop(f, "at")? else {
                continue;
            };
            let score = view.num_prop(f, "score")?;
            let better = match &last_nps {
                None => true,
                Some((l, s)) => at > *l || (at == *l && lower(score, *s)),
            };
            if better {
                last_nps = Some((at, score));
            }
        }
        let complaints_from = churned
            .checked_sub_months(chrono::Months::new(6))
            .unwrap_or(chrono::NaiveDate::MIN);
        let mut complaints = 0i64;
        for t in view.out(c, "RAISED")? {
            if view.has_label(t, "Ticket")?
                && view.is(t, "type", "complaint")?
                && view
                    .instant_prop(t, "openedAt")?
                    .is_some_and(|at| at.date() >= complaints_from)
            {
                complaints += 1;
            }
        }
        let uses_from = churned
            .checked_sub_months(chrono::Months::new(3))
            .unwrap_or(chrono::NaiveDate::MIN);
        let mut now_using = BTreeSet::new();
        for e in view.edges(c, "USES", crate::storage::Direction::Outgoing)? {
            if !view.has_label(e.other, "CompetitorProduct")? {
                continue;
            }
            let recent = matches!(view.rel_prop(&e, "since")?, Value::Date(d) if d.0 >= uses_from);
            if !recent {
                continue;
            }
            for k in view.inc(e.other, "OFFERS")? {
                if view.has_label(k, "Competitor")?
                    && let Some(name) = view.str_prop(k, "name")?
                {
                    now_using.insert(name);
                }
            }
        }
        rows.push((
            churned,
            vec![
                node(c),
                date_value(churned),
                view.prop(c, "churnReason")?,
                float_or_null(last_nps.and_then(|l| l.1)),
                Value::Int(complaints),
                strings(now_using),
            ],
        ));
    }
    rows.sort_by_key(|r| std::cmp::Reverse(r.0));
    Ok(rows.into_iter().map(|r| r.1).collect())
}

/// Whether score `a` sorts before `b` ascending, nulls last.
fn lower(a: Option<f64>, b: Option<f64>) -> bool {
    match (a, b) {
        (Some(x), Some(y)) => x < y,
        (Some(_), None) => true,
        _ => false,
    }
}

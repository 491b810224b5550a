//! The service procedures: whether staff keep their word (`crm.promisesKept`), how complaints
//! are handled (`crm.complaints`) and what customers say in surveys (`crm.nps`). Knows nothing
//! of the query language.

use std::collections::{BTreeMap, BTreeSet};

use crate::procedure::{ProcedureContext, ProcedureError};
use crate::value::{NodeId, Value};

use super::view::{Options, View, node, pct1, round_half_up};

type Rows = Result<Vec<Vec<Value>>, ProcedureError>;

/// `crm.promisesKept({days})`: commitments owed to customers that fell due in the last `days`
/// (before today, not cancelled), per staff member who made them.
pub fn promises_kept(args: &[Value], ctx: &mut dyn ProcedureContext) -> Rows {
    let opts = Options::parse("crm.promisesKept", args, 0, &["days"])?;
    let days = opts.int("days", 90)?;
    let clock = opts.clock(ctx)?;
    let since = clock.days_ago(days);
    let view = View::new(ctx.graph());
    let mut rows: Vec<(f64, i64, Vec<Value>)> = Vec::new();
    for s in view.nodes("Staff")? {
        let (mut due, mut kept, mut late, mut overdue, mut unannounced) = (0i64, 0, 0, 0, 0);
        let made: BTreeSet<NodeId> = view.out(s, "MADE")?.into_iter().collect();
        for p in made {
            if !view.has_label(p, "Commitment")? {
                continue;
            }
            let Some(due_on) = view.date_prop(p, "dueOn")? else {
                continue;
            };
            if due_on < since || due_on >= clock.today {
                continue;
            }
            match view.str_prop(p, "status")? {
                Some(status) if status != "cancelled" => {}
                _ => continue,
            }
            let mut owed = false;
            for c in view.out(p, "OWED_TO")? {
                owed |= view.has_label(c, "Customer")?;
            }
            if !owed {
                continue;
            }
            due += 1;
            match view.date_prop(p, "doneOn")? {
                Some(done) if done <= due_on => {
                    kept += 1;
                    continue;
                }
                Some(_) => late += 1,
                None => overdue += 1,
            }
            let warned = view
                .date_prop(p, "delayNotifiedOn")?
                .is_some_and(|d| d <= due_on);
            unannounced += i64::from(!warned);
        }
        if due == 0 {
            continue;
        }
        let kept_pct = round_half_up(1000.0 * kept as f64 / due as f64) / 10.0;
        rows.push((
            kept_pct,
            late + overdue,
            vec![
                node(s),
                Value::Int(due),
                Value::Int(kept),
                Value::Int(late),
                Value::Int(overdue),
                Value::Int(unannounced),
                pct1(kept as f64, due as f64),
            ],
        ));
    }
    rows.sort_by(|a, b| a.0.total_cmp(&b.0).then(b.1.cmp(&a.1)));
    Ok(rows.into_iter().map(|r| r.2).collect())
}

/// `percentileCont` over sorted values.
fn percentile(sorted: &[f64], p: f64) -> Option<f64> {
    if sorted.is_empty() {
        return None;
    }
    let index = p * (sorted.len() - 1) as f64;
    let lower = index.floor() as usize;
    let upper = (index.ceil() as usize).min(sorted.len() - 1);
    Some(if lower == upper {
        sorted[lower]
    } else {
        sorted[lower] * (upper as f64 - index) + sorted[upper] * (index - lower as f64)
    })
}

/// `crm.complaints({days})`: complaint tickets per product they are about (null: about no
/// product): open now, the oldest open one's age, opened in the last `days` and in the `days`
/// before (a rising count shows), and resolution-time percentiles of those opened in the
/// window and closed.
pub fn complaints(args: &[Value], ctx: &mut dyn ProcedureContext) -> Rows {
    let opts = Options::parse("crm.complaints", args, 0, &["days"])?;
    let days = opts.int("days", 365)?;
    let clock = opts.clock(ctx)?;
    let since = clock.instant_days_ago(days);
    let before = clock.instant_days_ago(days.saturating_mul(2));
    let view = View::new(ctx.graph());
    #[derive(Default)]
    struct Group {
        open: i64,
        oldest_open_days: Option<i64>,
        opened: i64,
        opened_before: i64,
        hours: Vec<f64>,
    }
    let mut groups: BTreeMap<Option<NodeId>, Group> = BTreeMap::new();
    for t in view.nodes("Ticket")? {
        if !view.is(t, "type", "complaint")? {
            continue;
        }
        let opened_at = view.instant_prop(t, "openedAt")?;
        let closed_at = view.instant_prop(t, "closedAt")?;
        let closed = !view.prop(t, "closedAt")?.is_null();
        let mut products: Vec<Option<NodeId>> = Vec::new();
        for p in view.out(t, "ABOUT")? {
            if view.has_label(p, "Product")? {
                products.push(Some(p));
            }
        }
        if products.is_empty() {
            products.push(None);
        }
        for p in products {
            let g = groups.entry(p).or_default();
            if !closed {
                g.open += 1;
                if let Some(o) = opened_at {
                    let age = (clock.now - o).num_days();
                    g.oldest_open_days = Some(g.oldest_open_days.map_or(age, |a| a.max(age)));
                }
            }
            let Some(o) = opened_at else { continue };
            if o >= since {
                g.opened += 1;
                if let Some(c) = closed_at {
                    g.hours.push((c - o).num_seconds() as f64 / 3600.0);
                }
            } else if o >= before {
                g.opened_before += 1;
            }
        }
    }
    let mut rows: Vec<(i64, Vec<Value>)> = Vec::new();
    for (p, mut g) in groups {
        g.hours.sort_by(f64::total_cmp);
        rows.push((
            g.opened - g.opened_before,
            vec![
                p.map_or(Value::Null, node),
                Value::Int(g.open),
                g.oldest_open_days.map_or(Value::Null, Value::Int),
                Value::Int(g.opened),
                Value::Int(g.opened_before),
                percentile(&g.hours, 0.5).map_or(Value::Null, Value::Float),
                percentile(&g.hours, 0.9).map_or(Value::Null, Value::Float),
            ],
        ));
    }
    rows.sort_by_key(|r| std::cmp::Reverse(r.0));
    Ok(rows.into_iter().map(|r| r.1).collect())
}

/// `crm.nps({days, by})`: Net Promoter Score of the NPS answers customers gave in the last
/// `days`, grouped by the customer property `by`.
pub fn nps(args: &[Value], ctx: &mut dyn ProcedureContext) -> Rows {
    let opts = Options::parse("crm.nps", args, 0, &["days", "by"])?;
    let days = opts.int("days", 90)?;
    let by = opts.string("by", "segment")?;
    let clock = opts.clock(ctx)?;
    let since = clock.instant_days_ago(days);
    let view = View::new(ctx.graph());
    let key = view.graph.key_id(&by);
    // group value -> (responses, promoters, detractors); groups by the value's equivalence.
    let mut groups: Vec<(Value, i64, i64, i64)> = Vec::new();
    for c in view.nodes("Customer")? {
        let mut answers = Vec::new();
        for f in view.out(c, "GAVE")? {
            if view.has_label(f, "Feedback")?
                && view.is(f, "kind", "nps")?
                && view.instant_prop(f, "at")?.is_some_and(|at| at >= since)
            {
                answers.push(view.num_prop(f, "score")?);
            }
        }
        if answers.is_empty() {
            continue;
        }
        let group = match key {
            Some(k) => view.graph.node_property(c, k)?,
            None => Value::Null,
        };
        let slot = match groups.iter().position(|g| g.0 == group) {
            Some(i) => i,
            None => {
                groups.push((group, 0, 0, 0));
                groups.len() - 1
            }
        };
        for score in answers {
            let g = &mut groups[slot];
            g.1 += 1;
            g.2 += i64::from(score.is_some_and(|s| s >= 9.0));
            g.3 += i64::from(score.is_some_and(|s| s <= 6.0));
        }
    }
    let mut rows: Vec<(f64, Vec<Value>)> = groups
        .into_iter()
        .map(|(group, n, p, d)| {
            let score = round_half_up(100.0 * (p - d) as f64 / n as f64);
            (
                score,
                vec![
                    group,
                    Value::Int(n),
                    Value::Int(p),
                    Value::Int(d),
                    Value::Float(score),
                ],
            )
        })
        .collect();
    rows.sort_by(|a, b| a.0.total_cmp(&b.0));
    Ok(rows.into_iter().map(|r| r.1).collect())
}

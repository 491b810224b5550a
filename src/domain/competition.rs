//! The competition procedures: what customers say about each competitor and what we lose to
//! them (`crm.competitorPressure`), and our record in deals against them (`crm.winLoss`).
//! Knows nothing of the query language.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::procedure::{ProcedureContext, ProcedureError};
use crate::storage::Direction;
use crate::value::ExactSum;
use crate::value::{Map, NodeId, Value};

use super::view::{Options, View, node, pct1, strings};

type Rows = Result<Vec<Vec<Value>>, ProcedureError>;

/// `[{<name>: key, <count>: n}, ...]` for the `limit` most frequent keys, ties by key.
fn top(counts: &HashMap<String, i64>, name: &str, count: &str, limit: usize) -> Value {
    let mut items: Vec<(&String, &i64)> = counts.iter().collect();
    items.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    Value::List(
        items
            .into_iter()
            .take(limit)
            .map(|(k, n)| {
                let mut m = Map::new();
                m.insert(name.to_owned(), Value::String(k.clone().into()));
                m.insert(count.to_owned(), Value::Int(*n));
                Value::Map(m.into())
            })
            .collect(),
    )
}

/// `crm.winLoss({days})`.
pub fn win_loss(args: &[Value], ctx: &mut dyn ProcedureContext) -> Rows {
    let opts = Options::parse("crm.winLoss", args, 0, &["days"])?;
    let days = opts.int("days", 365)?;
    let clock = opts.clock(ctx)?;
    let since = clock.days_ago(days);
    let view = View::new(ctx.graph());
    #[derive(Default)]
    struct Record {
        decided: i64,
        won: i64,
        lost: i64,
        lost_revenue: ExactSum,
        reasons: HashMap<String, i64>,
    }
    let mut per: BTreeMap<NodeId, Record> = BTreeMap::new();
    for o in view.nodes("Opportunity")? {
        let won = view.is(o, "status", "won")?;
        if !won && !view.is(o, "status", "lost")? {
            continue;
        }
        if view.date_prop(o, "closedOn")?.is_none_or(|d| d < since) {
            continue;
        }
        let competitors: BTreeSet<NodeId> = view
            .out(o, "COMPETED_WITH")?
            .into_iter()
            .filter(|k| view.has_label(*k, "Competitor").unwrap_or(false))
            .collect();
        if competitors.is_empty() {
            continue;
        }
        let lost_to = view.edges(o, "LOST_TO", Direction::Outgoing)?;
        let amount = view.num_prop(o, "amountBase")?.unwrap_or(0.0);
        for k in competitors {
            let r = per.entry(k).or_default();
            r.decided += 1;
            r.won += i64::from(won);
            let mut lost = false;
            for e in lost_to.iter().filter(|e| e.other == k) {
                lost = true;
                if let Value::String(reason) = view.rel_prop(e, "reason")? {
                    *r.reasons.entry(reason.to_string()).or_default() += 1;
                }
            }
            if lost {
                r.lost += 1;
                r.lost_revenue += amount;
            }
        }
    }
    let mut rows: Vec<(f64, Vec<Value>)> = per
        .into_iter()
        .map(|(k, r)| {
            (
                r.lost_revenue.total(),
                vec![
                    node(k),
                    Value::Int(r.decided),
                    Value::Int(r.won),
                    Value::Int(r.lost),
                    pct1(r.won as f64, r.decided as f64),
                    Value::Float(r.lost_revenue.total()),
                    top(&r.reasons, "reason", "deals", 3),
                ],
            )
        })
        .collect();
    rows.sort_by(|a, b| b.0.total_cmp(&a.0));
    Ok(rows.into_iter().map(|r| r.1).collect())
}

/// `crm.competitorPressure({days})`: one row per competitor.
pub fn competitor_pressure(args: &[Value], ctx: &mut dyn ProcedureContext) -> Rows {
    let opts = Options::parse("crm.competitorPressure", args, 0, &["days"])?;
    let days = opts.int("days", 365)?;
    let clock = opts.clock(ctx)?;
    let since_at = clock.instant_days_ago(days);
    let since_day = clock.days_ago(days);
    let view = View::new(ctx.graph());
    let mut rows: Vec<((f64, i64), Vec<Value>)> = Vec::new();
    for k in view.nodes("Competitor")? {
        let (mut mentions, mut better, mut worse) = (0i64, 0i64, 0i64);
        let mut topics: HashMap<String, i64> = HashMap::new();
        let mut customers: BTreeSet<NodeId> = BTreeSet::new();
        for e in view.edges(k, "MENTIONS", Direction::Incoming)? {
            let src = e.other;
            if !(view.has_label(src, "Interaction")? || view.has_label(src, "Feedback")?) {
                continue;
            }
            if view.instant_prop(src, "at")?.is_none_or(|at| at < since_at) {
                continue;
            }
            mentions += 1;
            match view.rel_prop(&e, "verdict")? {
                Value::String(v) if &*v == "competitor_better" => better += 1,
                Value::String(v) if &*v == "we_better" => worse += 1,
                _ => {}
            }
            if let Value::String(t) = view.rel_prop(&e, "topic")? {
                *topics.entry(t.to_string()).or_default() += 1;
            }
            for rel in ["HAS_INTERACTION", "GAVE"] {
                for c in view.inc(src, rel)? {
                    if view.has_label(c, "Customer")? {
                        customers.insert(c);
                    }
                }
            }
        }
        let (mut losses, mut lost_revenue) = (0i64, ExactSum::default());
        let lost_opps: BTreeSet<NodeId> = view.inc(k, "LOST_TO")?.into_iter().collect();
        for o in lost_opps {
            if view.has_label(o, "Opportunity")?
                && view
                    .date_prop(o, "closedOn")?
                    .is_some_and(|d| d >= since_day)
            {
                losses += 1;
                lost_revenue += view.num_prop(o, "amountBase")?.unwrap_or(0.0);
            }
        }
        let mut users: BTreeSet<NodeId> = BTreeSet::new();
        let mut rivalled: BTreeSet<String> = BTreeSet::new();
        for cp in view.out(k, "OFFERS")? {
            if !view.has_label(cp, "CompetitorProduct")? {
                continue;
            }
            for e in view.edges(cp, "USES", Direction::Incoming)? {
                if view.rel_prop(&e, "until")?.is_null() && view.has_label(e.other, "Customer")? {
                    users.insert(e.other);
                }
            }
            for p in view.out(cp, "RIVALS")? {
                if view.has_label(p, "Product")?
                    && let Some(name) = view.str_prop(p, "name")?
                {
                    rivalled.insert(name);
                }
            }
        }
        let lost_revenue = lost_revenue.total();
        rows.push((
            (lost_revenue, mentions),
            vec![
                node(k),
                Value::Int(mentions),
                Value::Int(i64::try_from(customers.len()).unwrap_or(i64::MAX)),
                top(&topics, "topic", "mentions", usize::MAX),
                Value::Int(better),
                Value::Int(worse),
                Value::Int(losses),
                Value::Float(lost_revenue),
                Value::Int(i64::try_from(users.len()).unwrap_or(i64::MAX)),
                strings(rivalled),
            ],
        ));
    }
    rows.sort_by(|a, b| b.0.0.total_cmp(&a.0.0).then(b.0.1.cmp(&a.0.1)));
    Ok(rows.into_iter().map(|r| r.1).collect())
}

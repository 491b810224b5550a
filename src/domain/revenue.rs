//! The value procedures: what customers are worth and whether we keep them
//! (`crm.lifetimeValue`, `crm.rfm`, `crm.retention`), whether loyalty is rewarded
//! (`crm.loyaltyFairness`) and who brings new customers (`crm.advocates`). Revenue is always
//! `sum(amountBase)` over fulfilled orders. Knows nothing of the query language.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;

use crate::procedure::{ProcedureContext, ProcedureError};
use crate::storage::Direction;
use crate::value::ExactSum;
use crate::value::{NodeId, Value};

use super::view::{Options, View, date_value, node, pct1};

type Rows = Result<Vec<Vec<Value>>, ProcedureError>;

/// `crm.lifetimeValue({})`: every customer with a fulfilled order, highest margin first.
pub fn lifetime_value(args: &[Value], ctx: &mut dyn ProcedureContext) -> Rows {
    let opts = Options::parse("crm.lifetimeValue", args, 0, &[])?;
    let clock = opts.clock(ctx)?;
    let view = View::new(ctx.graph());
    let mut rows: Vec<(f64, Vec<Value>)> = Vec::new();
    for c in view.nodes("Customer")? {
        let orders = view.fulfilled_orders(c, None)?;
        if orders.is_empty() {
            continue;
        }
        // Summed exactly, as `sum()` in a query sums.
        let mut revenue = ExactSum::default();
        let mut margin = ExactSum::default();
        let mut first: Option<NaiveDate> = None;
        for (o, on, amount) in &orders {
            revenue += amount.unwrap_or(0.0);
            margin += view.num_prop(*o, "margin")?.unwrap_or(0.0);
            if let Some(d) = on {
                first = Some(first.map_or(*d, |f| f.min(*d)));
            }
        }
        let (revenue, margin) = (revenue.total(), margin.total());
        let end = view.date_prop(c, "churnedOn")?.unwrap_or(clock.today);
        let tenure = first.map(|f| (end - f).num_days() as f64 / 365.25);
        let per_year = tenure.map(|t| if t < 1.0 { margin } else { margin / t });
        rows.push((
            margin,
            vec![
                node(c),
                Value::Int(i64::try_from(orders.len()).unwrap_or(i64::MAX)),
                Value::Float(revenue),
                Value::Float(margin),
                first.map_or(Value::Null, date_value),
                tenure.map_or(Value::Null, Value::Float),
                per_year.map_or(Value::Null, Value::Float),
            ],
        ));
    }
    rows.sort_by(|a, b| b.0.total_cmp(&a.0));
    Ok(rows.into_iter().map(|r| r.1).collect())
}

/// Quintile scores 1..=5: a value scores `1 + 5 * below / n`, where `below` counts the values
/// strictly worse than it, so equal values always score alike.
fn quintiles(values: &[f64], higher_is_better: bool) -> Vec<i64> {
    let mut sorted: Vec<f64> = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let n = values.len().max(1);
    values
        .iter()
        .map(|v| {
            let below = if higher_is_better {
                sorted.partition_point(|x| x < v)
            } else {
                n - sorted.partition_point(|x| x <= v)
            };
            i64::try_from(1 + 5 * below / n).unwrap_or(1)
        })
        .collect()
}

/// The RFM segment of scores, in the usual names.
fn segment(r: i64, f: i64, m: i64) -> &'static str {
    match (r, f, m) {
        (4..=5, 4..=5, 4..=5) => "champion",
        (3..=5, 4..=5, _) => "loyal",
        (4..=5, 1..=2, _) => "new_or_promising",
        (1..=2, 4..=5, _) | (1..=2, _, 4..=5) => "at_risk_valuable",
        (1..=2, 1..=2, _) => "hibernating",
        _ => "needs_attention",
    }
}

/// `crm.rfm({days})`: recency, frequency and monetary value over the fulfilled orders of the
/// last `days` (default: all history), with quintile scores among the customers listed.
pub fn rfm(args: &[Value], ctx: &mut dyn ProcedureContext) -> Rows {
    let opts = Options::parse("crm.rfm", args, 0, &["days"])?;
    let days = opts.int("days", 0)?;
    let clock = opts.clock(ctx)?;
    let since = (days > 0).then(|| clock.days_ago(days));
    let view = View::new(ctx.graph());
    let mut facts: Vec<(NodeId, f64, f64, f64)> = Vec::new();
    for c in view.nodes("Customer")? {
        let orders = view.fulfilled_orders(c, since)?;
        let Some(last) = orders.iter().filter_map(|o| o.1).max() else {
            continue;
        };
        let recency = (clock.today - last).num_days() as f64;
        let monetary = orders.iter().filter_map(|o| o.2).sum::<ExactSum>().total();
        facts.push((c, recency, orders.len() as f64, monetary));
    }
    let r = quintiles(&facts.iter().map(|f| f.1).collect::<Vec<_>>(), false);
    let f = quintiles(&facts.iter().map(|f| f.2).collect::<Vec<_>>(), true);
    let m = quintiles(&facts.iter().map(|f| f.3).collect::<Vec<_>>(), true);
    let mut rows: Vec<(i64, f64, Vec<Value>)> = Vec::new();
    for (i, (c, recency, frequency, monetary)) in facts.into_iter().enumerate() {
        rows.push((
            r[i] + f[i] + m[i],
            monetary,
            vec![
                node(c),
                Value::Int(recency as i64),
                Value::Int(frequency as i64),
                Value::Float(monetary),
                Value::Int(r[i]),
                Value::Int(f[i]),
                Value::Int(m[i]),
                Value::String(segment(r[i], f[i], m[i]).into()),
            ],
        ));
    }
    rows.sort_by(|a, b| b.0.cmp(&a.0).then(b.1.total_cmp(&a.1)));
    Ok(rows.into_iter().map(|r| r.2).collect())
}

/// `crm.retention({days} | {from, to})`: one row over the period.
pub fn retention(args: &[Value], ctx: &mut dyn ProcedureContext) -> Rows {
    let opts = Options::parse("crm.retention", args, 0, &["days", "from", "to"])?;
    let days = opts.int("days", 365)?;
    let clock = opts.clock(ctx)?;
    let end = opts.date("to")?.unwrap_or(clock.today);
    let start = opts
        .date("from")?
        .unwrap_or_else(|| super::view::before(end, days));
    if start > end {
        return Err(ProcedureError::Argument(format!(
            "crm.retention() needs 'from' ({start}) on or before 'to' ({end})"
        )));
    }
    let view = View::new(ctx.graph());
    let (mut s, mut n, mut e, mut kept) = (0i64, 0i64, 0i64, 0i64);
    for c in view.nodes("Customer")? {
        let Some(since) = view.date_prop(c, "since")? else {
            continue;
        };
        let churned = view.date_prop(c, "churnedOn")?;
        let present = |day: NaiveDate| since <= day && churned.is_none_or(|ch| ch > day);
        let at_start = present(start);
        let at_end = present(end);
        s += i64::from(at_start);
        e += i64::from(at_end);
        n += i64::from(since > start && since <= end);
        kept += i64::from(at_start && at_end);
    }
    Ok(vec![vec![
        date_value(start),
        date_value(end),
        Value::Int(s),
        Value::Int(n),
        Value::Int(e),
        Value::Int(kept),
        pct1((e - n) as f64, s as f64),
        pct1(kept as f64, s as f64),
    ]])
}

/// `crm.loyaltyFairness({days})`: products whose lines on customers' first orders carried a
/// larger average discount than lines on later orders, over the last `days`.
pub fn loyalty_fairness(args: &[Value], ctx: &mut dyn ProcedureContext) -> Rows {
    let opts = Options::parse("crm.loyaltyFairness", args, 0, &["days"])?;
    let days = opts.int("days", 365)?;
    let clock = opts.clock(ctx)?;
    let since = clock.days_ago(days);
    let view = View::new(ctx.graph());
    // product -> [(discount sum, lines) for new, for existing]
    let mut per_product: BTreeMap<NodeId, [(ExactSum, i64); 2]> = BTreeMap::new();
    for c in view.nodes("Customer")? {
        let orders = view.fulfilled_orders(c, None)?;
        let Some(first) = orders.iter().filter_map(|o| o.1).min() else {
            continue;
        };
        for (o, on, _) in &orders {
            let Some(on) = on else { continue };
            if *on < since {
                continue;
            }
            let cohort = usize::from(*on != first);
            for line in view.edges(*o, "INCLUDES", Direction::Outgoing)? {
                if !view.has_label(line.other, "Product")? {
                    continue;
                }
                let discount = super::view::number(&view.rel_prop(&line, "discountPct")?);
                let slot = &mut per_product.entry(line.other).or_default()[cohort];
                slot.0 += discount.unwrap_or(0.0);
                slot.1 += 1;
            }
        }
    }
    let mut rows: Vec<(f64, Vec<Value>)> = Vec::new();
    for (p, [new, existing]) in per_product {
        if new.1 == 0 || existing.1 == 0 {
            continue;
        }
        let avg_new = new.0.total() / new.1 as f64;
        let avg_existing = existing.0.total() / existing.1 as f64;
        if avg_new <= avg_existing {
            continue;
        }
        rows.push((
            avg_new - avg_existing,
            vec![
                node(p),
                Value::Float(avg_new),
                Value::Float(avg_existing),
                Value::Int(new.1),
                Value::Int(existing.1),
            ],
        ));
    }
    rows.sort_by(|a, b| b.0.total_cmp(&a.0));
    Ok(rows.into_iter().map(|r| r.1).collect())
}

/// `crm.advocates({days})`: customers who referred others, directly or at one remove, with
/// the referred customers' revenue over the last `days`.
pub fn advocates(args: &[Value], ctx: &mut dyn ProcedureContext) -> Rows {
    let opts = Options::parse("crm.advocates", args, 0, &["days"])?;
    let days = opts.int("days", 730)?;
    let clock = opts.clock(ctx)?;
    let since = clock.days_ago(days);
    let view = View::new(ctx.graph());
    let mut revenue: HashMap<NodeId, f64> = HashMap::new();
    let mut revenue_of = |c: NodeId| -> Result<f64, ProcedureError> {
        if let Some(r) = revenue.get(&c) {
            return Ok(*r);
        }
        let r = view.revenue(c, Some(since))?;
        revenue.insert(c, r);
        Ok(r)
    };
    let mut rows: Vec<(f64, Vec<Value>)> = Vec::new();
    for src in view.nodes("Customer")? {
        let direct_edges = view.edges(src, "REFERRED", Direction::Outgoing)?;
        if direct_edges.is_empty() {
            continue;
        }
        // Referred customer -> its shortest depth (1 or 2); the source itself never counts.
        let mut depth: BTreeMap<NodeId, u8> = BTreeMap::new();
        let mut rewarded = 0i64;
        for e in &direct_edges {
            if !view.has_label(e.other, "Customer")? {
                continue;
            }
            if matches!(view.rel_prop(e, "rewarded")?, Value::Bool(true)) {
                rewarded += 1;
            }
            if e.other != src {
                depth.insert(e.other, 1);
            }
        }
        for e in &direct_edges {
            // A two-step chain may pass through any node, as `*1..2` does.
            for e2 in view.edges(e.other, "REFERRED", Direction::Outgoing)? {
                if e2.rel == e.rel || e2.other == src || !view.has_label(e2.other, "Customer")? {
                    continue;
                }
                depth.entry(e2.other).or_insert(2);
            }
        }
        if depth.is_empty() {
            continue;
        }
        let (mut d1, mut d2) = (0i64, 0i64);
        let (mut direct_rev, mut network_rev) = (ExactSum::default(), ExactSum::default());
        for (r, d) in depth {
            let rev = revenue_of(r)?;
            network_rev += rev;
            if d == 1 {
                d1 += 1;
                direct_rev += rev;
            } else {
                d2 += 1;
            }
        }
        let (direct_rev, network_rev) = (direct_rev.total(), network_rev.total());
        rows.push((
            network_rev,
            vec![
                node(src),
                Value::Int(d1),
                Value::Int(d2),
                Value::Float(direct_rev),
                Value::Float(network_rev),
                Value::Int(rewarded),
            ],
        ));
    }
    rows.sort_by(|a, b| b.0.total_cmp(&a.0));
    Ok(rows.into_iter().map(|r| r.1).collect())
}

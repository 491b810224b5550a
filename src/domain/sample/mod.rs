//! The bundled sample company that backs `cordial demo`: Northwind Instruments, a maker of
//! sensing hardware and software, with a few hundred customers and two years of history in the
//! standard schema, written in the write transaction it is given. Named storylines make every analyst question
//! and every `crm.*` procedure answer something worth reading; the rest is filled in by a
//! seeded generator, so the data is the same on every run. All dates are relative to the day it
//! is given (`Database::today`, the statement clock's date), so the questions stay current; pin
//! the clock (`Database::with_now`, `--now`) to reproduce an answer exactly. Knows nothing of
//! the CLI.

use std::collections::HashMap;

use chrono::{Duration, NaiveDate, NaiveDateTime};

use crate::error::Result;
use crate::storage::GraphWrite;
use crate::value::{Date, DateTime, NodeId, Value};

mod company;
mod data;
mod history;
mod storylines;

use company::{catalogue, customers};
use data::{FIRST, LAST};
use history::history;
use storylines::storylines;

/// Questions to try on the sample company: what each asks, and the query.
pub const QUESTIONS: &[(&str, &str)] = &[
    (
        "Which customers hang on one member of our staff, and what leaves with them?",
        "CALL crm.keyPersonRisk() YIELD customer, staff, revenue, openPipeline \
         RETURN customer.name AS customer, staff.name AS onlyContact, round(revenue) AS revenue12m, \
         openPipeline ORDER BY revenue12m DESC LIMIT 10",
    ),
    (
        "Which active customers show two or more churn signals?",
        "CALL crm.atRisk() YIELD customer, score, signals, priorSpend, recentSpend \
         RETURN customer.name AS customer, score, signals, round(priorSpend) AS prior6m, \
         round(recentSpend) AS last6m ORDER BY score DESC, prior6m DESC LIMIT 10",
    ),
    (
        "Why did the customers we lost this year leave, and to whom?",
        "CALL crm.lostCustomers() YIELD customer, churnedOn, reason, lastNps, nowUsing \
         RETURN customer.name AS customer, churnedOn, reason, lastNps, nowUsing ORDER BY churnedOn DESC",
    ),
    (
        "Against which competitor do we lose, and why?",
        "CALL crm.winLoss() YIELD competitor, decided, won, winRatePct, lostRevenue, topLossReasons \
         RETURN competitor.name AS competitor, decided, won, winRatePct, round(lostRevenue) AS lostRevenue, \
         topLossReasons ORDER BY lostRevenue DESC",
    ),
    (
        "Which product draws more and more complaints?",
        "CALL crm.complaints() YIELD product, open, opened, openedBefore, medianResolutionHours \
         RETURN product.name AS product, open, opened, openedBefore, round(medianResolutionHours) AS medianHours \
         ORDER BY opened - openedBefore DESC",
    ),
    (
        "Who keeps their promises to customers?",
        "CALL crm.promisesKept() YIELD staff, due, kept, late, overdue, missedWithoutNotice, keptPct \
         RETURN staff.name AS staff, due, kept, late, overdue, missedWithoutNotice, keptPct ORDER BY keptPct",
    ),
    (
        "Who are our best advocates?",
        "CALL crm.advocates() YIELD customer, directReferrals, secondLevel, networkRevenue \
         RETURN customer.name AS advocate, directReferrals, secondLevel, round(networkRevenue) AS networkRevenue \
         ORDER BY networkRevenue DESC LIMIT 5",
    ),
    (
        "NPS by segment over the last quarter",
        "CALL crm.nps({days: 90}) YIELD group, responses, nps RETURN group AS segment, responses, nps ORDER BY nps",
    ),
    (
        "Who in our company can introduce us to Elena Voss at Northgate Capital?",
        "CALL crm.warmPath('con-elena-voss') YIELD staff, hops, path \
         RETURN staff.name AS staff, hops, [n IN nodes(path) | coalesce(n.name, n.subject)] AS via",
    ),
    (
        "Which customers did the departed account manager leave without cover?",
        "MATCH (s:Staff {active: false})-[sv:SERVES]->(c:Customer {status: 'active'}) \
         WHERE NOT EXISTS { MATCH (:Staff {active: true})-[now:SERVES]->(c) WHERE now.until IS NULL } \
         RETURN s.name AS departed, c.name AS customer, sv.until AS coveredUntil ORDER BY customer",
    ),
];

/// A small deterministic generator (SplitMix64): the sample must be the same on every run and
/// every platform, so no outside randomness is used.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n > 0`).
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + i64::try_from(self.below(u64::try_from(hi - lo + 1).unwrap_or(1))).unwrap_or(0)
    }

    /// True with probability `p`.
    fn chance(&mut self, p: f64) -> bool {
        (self.below(1_000_000) as f64) < p * 1_000_000.0
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[usize::try_from(self.below(items.len() as u64)).unwrap_or(0)]
    }

    fn word(&mut self, items: &[&'static str]) -> &'static str {
        let i = usize::try_from(self.below(items.len() as u64)).unwrap_or(0);
        items[i]
    }

    fn float(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * (self.below(1_000_000) as f64 / 1_000_000.0)
    }
}

fn s(v: &str) -> Value {
    Value::String(v.into())
}

fn d(v: NaiveDate) -> Value {
    Value::Date(Date(v))
}

fn dt(v: NaiveDateTime) -> Value {
    DateTime::from_epoch(v.and_utc().timestamp(), 0, None).map_or(Value::Null, Value::DateTime)
}

fn money(x: f64) -> Value {
    Value::Float((x * 100.0).round() / 100.0)
}

/// How a generated or storyline customer behaves over the two years.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Story {
    Ordinary,
    /// Orders well in the older half, little in the recent one; quiet and unhappy lately.
    Drifting,
    /// Everything runs through one salesperson.
    KeyPerson,
    /// Several contacts on file, one who ever shows up.
    SingleThread,
    /// Left for Brightwave on price.
    LostOnPrice,
}

struct Customer {
    node: NodeId,
    id: String,
    segment: &'static str,
    status: &'static str,
    since: Option<NaiveDate>,
    churned: Option<NaiveDate>,
    contacts: Vec<NodeId>,
    staff: Vec<NodeId>,
    story: Story,
}

struct Writer<'t> {
    tx: &'t mut dyn GraphWrite,
    rng: Rng,
    today: NaiveDate,
    counters: HashMap<&'static str, u32>,
    staff: HashMap<&'static str, NodeId>,
    staff_order: Vec<(&'static str, &'static str)>,
    products: Vec<NodeId>,
    competitors: Vec<NodeId>,
    competitor_products: Vec<(usize, NodeId)>,
}

impl Writer<'_> {
    fn next_id(&mut self, prefix: &'static str) -> String {
        let n = self.counters.entry(prefix).or_insert(0);
        *n += 1;
        format!("{prefix}-{n:05}")
    }

    fn ago(&self, days: i64) -> NaiveDate {
        self.today - Duration::days(days)
    }

    /// An instant on `day` during working hours.
    fn at(&mut self, day: NaiveDate) -> NaiveDateTime {
        let minutes = self.rng.range(8 * 60, 17 * 60);
        day.and_hms_opt(0, 0, 0).unwrap_or_default() + Duration::minutes(minutes)
    }

    fn node(&mut self, label: &str, props: &[(&str, Value)]) -> Result<NodeId> {
        let labels = [self.tx.intern_label(label)?];
        let props = self.props(props)?;
        Ok(self.tx.create_node(&labels, props)?)
    }

    fn rel(&mut self, t: &str, a: NodeId, b: NodeId, props: &[(&str, Value)]) -> Result<()> {
        let rel_type = self.tx.intern_type(t)?;
        let props = self.props(props)?;
        self.tx.create_relationship(rel_type, a, b, props)?;
        Ok(())
    }

    /// Properties by key id.
    fn props(&mut self, props: &[(&str, Value)]) -> Result<Vec<(u32, Value)>> {
        props
            .iter()
            .map(|(k, v)| Ok((self.tx.intern_key(k)?, v.clone())))
            .collect()
    }

    fn staff(&self, key: &str) -> NodeId {
        self.staff[key]
    }

    /// A random active staff member of a department.
    fn staff_of(&mut self, department: &str) -> NodeId {
        let candidates: Vec<&'static str> = self
            .staff_order
            .iter()
            .filter(|(k, dep)| *dep == department && *k != "stf-tom")
            .map(|(k, _)| *k)
            .collect();
        let key = *self.rng.pick(&candidates);
        self.staff[key]
    }

    fn person(&mut self) -> String {
        let first = *self.rng.pick(FIRST);
        let last = *self.rng.pick(LAST);
        format!("{first} {last}")
    }
}

/// Writes the sample company in `tx` (a `WriteTxn`), dated relative to `today`
/// (`Database::today` gives the statement clock's date, so `--now` pins it). The caller
/// commits, or rolls back.
pub fn install(tx: &mut dyn GraphWrite, today: NaiveDate) -> Result<()> {
    let mut w = Writer {
        tx,
        rng: Rng(0x5EED_C0DE),
        today,
        counters: HashMap::new(),
        staff: HashMap::new(),
        staff_order: Vec::new(),
        products: Vec::new(),
        competitors: Vec::new(),
        competitor_products: Vec::new(),
    };
    catalogue(&mut w)?;
    let customers = customers(&mut w)?;
    for c in &customers {
        history(&mut w, c)?;
    }
    storylines(&mut w, &customers)
}

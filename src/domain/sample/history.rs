//! Two years of each customer's history: orders, interactions, opportunities, tickets,
//! feedback and commitments.

use chrono::{Duration, NaiveDate};

use crate::error::Result;
use crate::value::{NodeId, Value};

use super::data::{COMPETITORS, PRODUCTS};
use super::{Customer, Story, Writer, d, dt, money, s};

/// Interactions, orders, opportunities, tickets, feedback and commitments of one customer
/// over the last two years (or from when they became a customer, until they churned).
pub(super) fn history(w: &mut Writer<'_>, c: &Customer) -> Result<()> {
    let Some(since) = c.since else {
        return Ok(());
    };
    let start = since.max(w.ago(730));
    let end = c.churned.unwrap_or(w.today);
    if start >= end {
        return Ok(());
    }
    let base = match c.segment {
        "enterprise" => 9000.0,
        "mid_market" => 3500.0,
        _ => 1200.0,
    };
    let half = w.ago(180);
    // Orders.
    let mut day = start + Duration::days(w.rng.range(0, 30));
    let mut first = true;
    while day < end {
        let mut amount_scale = 1.0;
        if c.story == Story::Drifting && day > half {
            amount_scale = 0.3;
        }
        let recent_new = first && since > w.ago(365);
        order(w, c, day, base * amount_scale, first, recent_new)?;
        first = false;
        let gap = match (c.story, day > half) {
            (Story::Drifting, true) => w.rng.range(80, 120),
            _ => w.rng.range(30, 75),
        };
        day += Duration::days(gap);
    }
    // Interactions: regular touches; the drifting go quiet in the last four months.
    let mut day = start + Duration::days(w.rng.range(0, 20));
    let quiet_from = w.ago(130);
    while day < end {
        if c.story == Story::Drifting && day > quiet_from {
            break;
        }
        interaction(w, c, day)?;
        day += Duration::days(w.rng.range(12, 45));
    }
    // Opportunities.
    let n_opps = w.rng.range(1, 3);
    for _ in 0..n_opps {
        let created = start + Duration::days(w.rng.range(0, (end - start).num_days().max(1)));
        opportunity(w, c, created, None)?;
    }
    // Tickets.
    let n_tickets = w.rng.range(0, 4);
    for _ in 0..n_tickets {
        let opened = start + Duration::days(w.rng.range(0, (end - start).num_days().max(1)));
        let kind = *w.rng.pick(&[
            "question",
            "question",
            "incident",
            "complaint",
            "suggestion",
            "feature_request",
        ]);
        let product = w.rng.below(PRODUCTS.len() as u64) as usize;
        // Relay Gateway complaints are handled elsewhere (its storyline).
        let product = if product == 2 { 1 } else { product };
        ticket(
            w,
            c,
            opened,
            kind,
            product,
            kind == "complaint" && c.story == Story::Drifting,
        )?;
    }
    // NPS about twice a year; the drifting turned detractors lately.
    let mut day = start + Duration::days(w.rng.range(20, 120));
    while day < end {
        let score = match (c.story, day > w.ago(200)) {
            (Story::Drifting, true) => w.rng.range(2, 5),
            (Story::LostOnPrice, _) => w.rng.range(4, 7),
            _ => match c.segment {
                "enterprise" => w.rng.range(7, 10),
                "mid_market" => w.rng.range(5, 10),
                _ => w.rng.range(3, 10),
            },
        };
        feedback(w, c, day, score)?;
        day += Duration::days(w.rng.range(150, 210));
    }
    // Commitments in the last half year.
    if c.status == "active" {
        let n = w.rng.range(0, 2);
        for _ in 0..n {
            let made = {
                let n = w.rng.range(10, 170);
                w.ago(n)
            };
            let staff = *w.rng.pick(&c.staff);
            commitment(w, c, staff, made)?;
        }
    }
    Ok(())
}

pub(super) fn order(
    w: &mut Writer<'_>,
    c: &Customer,
    day: NaiveDate,
    base: f64,
    first: bool,
    recent_new: bool,
) -> Result<()> {
    let id = w.next_id("ord");
    let status = if w.rng.chance(0.04) {
        "returned"
    } else if day > w.ago(10) {
        "open"
    } else {
        "fulfilled"
    };
    let lines = w.rng.range(1, 3);
    let mut total = 0.0;
    let mut line_props = Vec::new();
    for _ in 0..lines {
        let p = w.rng.below(PRODUCTS.len() as u64) as usize;
        let list = PRODUCTS[p].3;
        let qty = (base / list / lines as f64 * w.rng.float(0.6, 1.4))
            .round()
            .max(1.0);
        // New customers got deep first-order discounts on Aurora Suite; loyal ones did not.
        let discount = if p == 0 && recent_new {
            w.rng.range(15, 22) as f64
        } else if first {
            w.rng.range(0, 8) as f64
        } else {
            w.rng.range(0, 6) as f64
        };
        let unit = list * (1.0 - discount / 100.0);
        total += unit * qty;
        line_props.push((p, qty, unit, list, discount));
    }
    let o = {
        let props = [
            ("id", s(&id)),
            ("orderedOn", d(day)),
            ("status", s(status)),
            ("amount", money(total)),
            ("currency", s("EUR")),
            ("amountBase", money(total)),
            ("margin", money(total * 0.35)),
            ("channel", s(w.rng.word(&["web", "sales", "partner"]))),
            ("dueOn", d(day + Duration::days(30))),
            ("paidOn", d(day + Duration::days(w.rng.range(10, 45)))),
        ];
        w.node("Order", &props)
    }?;
    w.rel("PLACED", c.node, o, &[])?;
    for (p, qty, unit, list, discount) in line_props {
        let product = w.products[p];
        w.rel(
            "INCLUDES",
            o,
            product,
            &[
                ("quantity", Value::Float(qty)),
                ("unitPrice", money(unit)),
                ("listPrice", Value::Float(list)),
                ("discountPct", Value::Float(discount)),
                ("amountBase", money(unit * qty)),
            ],
        )?;
    }
    Ok(())
}

pub(super) fn interaction(w: &mut Writer<'_>, c: &Customer, day: NaiveDate) -> Result<()> {
    let purpose = *w.rng.pick(&[
        "sales",
        "sales",
        "sales",
        "service",
        "service",
        "relationship",
        "feedback",
        "admin",
    ]);
    let (kind, channel) = *w.rng.pick(&[
        ("call", "phone"),
        ("email", "email"),
        ("email", "email"),
        ("meeting", "face_to_face"),
        ("visit", "face_to_face"),
        ("chat", "chat"),
    ]);
    let direction = if w.rng.chance(0.75) {
        "outbound"
    } else {
        "inbound"
    };
    let id = w.next_id("int");
    let at = w.at(day);
    let sentiment = w.rng.float(-0.3, 0.9);
    let i = w.node(
        "Interaction",
        &[
            ("id", s(&id)),
            ("kind", s(kind)),
            ("channel", s(channel)),
            ("direction", s(direction)),
            ("at", dt(at)),
            ("purpose", s(purpose)),
            ("sentiment", money(sentiment)),
            ("subject", s(&format!("{} {}", purpose, kind))),
        ],
    )?;
    w.rel("HAS_INTERACTION", c.node, i, &[])?;
    // Who on our side: the account team, and now and then someone from another department.
    let staff = if c.staff.is_empty() || w.rng.chance(0.2) {
        let dep = *w
            .rng
            .pick(&["support", "service", "marketing", "product", "finance"]);
        w.staff_of(dep)
    } else {
        *w.rng.pick(&c.staff)
    };
    let staff = if staff == w.staff("stf-tom") && day > w.ago(200) {
        w.staff("stf-lucia")
    } else {
        staff
    };
    if c.story == Story::KeyPerson {
        let nadia = w.staff("stf-nadia");
        w.rel("PARTICIPATED_IN", nadia, i, &[("role", s("owner"))])?;
    } else {
        w.rel("PARTICIPATED_IN", staff, i, &[("role", s("owner"))])?;
    }
    if !c.contacts.is_empty() {
        let contact = if c.story == Story::SingleThread {
            c.contacts[0]
        } else {
            *w.rng.pick(&c.contacts)
        };
        w.rel("PARTICIPATED_IN", contact, i, &[("role", s("to"))])?;
    }
    // Customers talk about competitors now and then.
    if w.rng.chance(0.12) {
        let k = if c.story == Story::LostOnPrice || w.rng.chance(0.4) {
            0
        } else {
            w.rng.below(5) as usize
        };
        let topic = COMPETITORS[k].4;
        let verdict = if k == 0 {
            "competitor_better"
        } else {
            *w.rng.pick(&["competitor_better", "we_better", "neutral"])
        };
        let competitor = w.competitors[k];
        let note = if k == 0 {
            "Brightwave quoted 25% less"
        } else {
            "Compared notes with a rival"
        };
        w.rel(
            "MENTIONS",
            i,
            competitor,
            &[
                ("topic", s(topic)),
                ("verdict", s(verdict)),
                (
                    "sentiment",
                    money(if verdict == "competitor_better" {
                        -0.5
                    } else {
                        0.3
                    }),
                ),
                ("note", s(note)),
            ],
        )?;
    }
    Ok(())
}

pub(super) fn opportunity(
    w: &mut Writer<'_>,
    c: &Customer,
    created: NaiveDate,
    lost_to: Option<usize>,
) -> Result<()> {
    let id = w.next_id("opp");
    let close = created + Duration::days(w.rng.range(30, 120));
    let (status, stage) = if lost_to.is_some() {
        ("lost", "closed_lost")
    } else if close > w.today {
        (
            "open",
            *w.rng.pick(&["qualification", "proposal", "negotiation"]),
        )
    } else if w.rng.chance(0.55) {
        ("won", "closed_won")
    } else {
        ("lost", "closed_lost")
    };
    let amount = match c.segment {
        "enterprise" => w.rng.float(20_000.0, 90_000.0),
        "mid_market" => w.rng.float(6_000.0, 30_000.0),
        _ => w.rng.float(1_500.0, 8_000.0),
    };
    let competitor = if let Some(k) = lost_to {
        Some(k)
    } else if w.rng.chance(0.6) {
        Some(if w.rng.chance(0.35) {
            0
        } else {
            w.rng.below(5) as usize
        })
    } else {
        None
    };
    let loss_reason = (status == "lost").then(|| match competitor {
        Some(k) if k == 0 || w.rng.chance(0.5) => COMPETITORS[k].5,
        _ => *w.rng.pick(&["budget", "timing", "no_decision"]),
    });
    let o = {
        let props = [
            ("id", s(&id)),
            ("name", s(&format!("{} deal {}", c.id, id))),
            (
                "type",
                s(w.rng
                    .word(&["new_business", "existing_business", "renewal", "upsell"])),
            ),
            ("stage", s(stage)),
            ("status", s(status)),
            ("amount", money(amount)),
            ("currency", s("EUR")),
            ("amountBase", money(amount)),
            (
                "probability",
                Value::Int(match status {
                    "won" => 100,
                    "lost" => 0,
                    _ => 40,
                }),
            ),
            ("createdOn", d(created)),
            ("closeDate", d(close)),
            (
                "closedOn",
                if status == "open" {
                    Value::Null
                } else {
                    d(close.min(w.today))
                },
            ),
            ("lossReason", loss_reason.map_or(Value::Null, s)),
            (
                "winReason",
                if status == "won" {
                    s("relationship")
                } else {
                    Value::Null
                },
            ),
            ("leadSource", s("existing_customer")),
        ];
        w.node("Opportunity", &props)
    }?;
    w.rel("HAS_OPPORTUNITY", c.node, o, &[])?;
    let p = w.products[w.rng.below(PRODUCTS.len() as u64) as usize];
    w.rel(
        "INCLUDES",
        o,
        p,
        &[
            ("quantity", Value::Float(1.0)),
            ("amountBase", money(amount)),
        ],
    )?;
    if let Some(owner) = c.staff.first() {
        w.rel("WORKS_ON", *owner, o, &[("role", s("owner"))])?;
    }
    if let Some(contact) = c.contacts.first() {
        w.rel(
            "INVOLVED_IN",
            *contact,
            o,
            &[
                ("role", s("decision_maker")),
                ("isPrimary", Value::Bool(true)),
            ],
        )?;
    }
    if let Some(k) = competitor {
        let kn = w.competitors[k];
        w.rel("COMPETED_WITH", o, kn, &[("incumbent", Value::Bool(false))])?;
        if status == "lost" && loss_reason == Some(COMPETITORS[k].5) {
            let gap = if k == 0 {
                w.rng.float(15.0, 30.0)
            } else {
                w.rng.float(0.0, 8.0)
            };
            w.rel(
                "LOST_TO",
                o,
                kn,
                &[("reason", s(COMPETITORS[k].5)), ("priceGapPct", money(gap))],
            )?;
        }
    }
    Ok(())
}

pub(super) fn ticket(
    w: &mut Writer<'_>,
    c: &Customer,
    opened: NaiveDate,
    kind: &str,
    product: usize,
    leave_open: bool,
) -> Result<()> {
    let id = w.next_id("tkt");
    let opened_at = w.at(opened);
    let hours = match kind {
        "complaint" => w.rng.range(6, 240),
        _ => w.rng.range(1, 72),
    };
    let closed_at = opened_at + Duration::hours(hours);
    let open = leave_open
        || closed_at.and_utc().timestamp()
            > w.today
                .and_hms_opt(0, 0, 0)
                .unwrap_or_default()
                .and_utc()
                .timestamp();
    let subject = match kind {
        "complaint" => format!("{} keeps failing", PRODUCTS[product].1),
        "question" => "Where is my invoice?".to_owned(),
        "incident" => format!("{} offline", PRODUCTS[product].1),
        _ => format!("Idea for {}", PRODUCTS[product].1),
    };
    let t = {
        let props = [
            ("id", s(&id)),
            ("number", s(&format!("T-{}", &id[4..]))),
            ("subject", s(&subject)),
            ("type", s(kind)),
            ("origin", s(w.rng.word(&["phone", "email", "web", "chat"]))),
            (
                "priority",
                s(if kind == "complaint" {
                    "high"
                } else {
                    "normal"
                }),
            ),
            ("status", s(if open { "open" } else { "closed" })),
            ("openedAt", dt(opened_at)),
            ("closedAt", if open { Value::Null } else { dt(closed_at) }),
            (
                "isEscalated",
                Value::Bool(kind == "complaint" && hours > 120),
            ),
            (
                "reason",
                s(if kind == "complaint" {
                    "product_fault"
                } else {
                    "other"
                }),
            ),
        ];
        w.node("Ticket", &props)
    }?;
    w.rel("RAISED", c.node, t, &[])?;
    let p = w.products[product];
    w.rel("ABOUT", t, p, &[])?;
    let handler = w.staff_of("support");
    w.rel("HANDLES", handler, t, &[("since", dt(opened_at))])?;
    if let Some(contact) = c.contacts.first() {
        w.rel("REPORTED", *contact, t, &[])?;
    }
    Ok(())
}

pub(super) fn feedback(w: &mut Writer<'_>, c: &Customer, day: NaiveDate, score: i64) -> Result<()> {
    let id = w.next_id("fbk");
    let at = w.at(day);
    let comment = match score {
        9..=10 => "Would recommend to colleagues",
        7..=8 => "Solid, some rough edges",
        _ => "Too expensive for what we get",
    };
    let f = w.node(
        "Feedback",
        &[
            ("id", s(&id)),
            ("kind", s("nps")),
            ("score", Value::Float(score as f64)),
            ("scaleMax", Value::Int(10)),
            ("at", dt(at)),
            ("channel", s("web")),
            ("comment", s(comment)),
            ("sentiment", money((score as f64 - 5.0) / 5.0)),
        ],
    )?;
    w.rel("GAVE", c.node, f, &[])?;
    if let Some(contact) = c.contacts.first() {
        w.rel("GAVE", *contact, f, &[])?;
    }
    if score <= 6 && w.rng.chance(0.5) {
        let k = if c.story == Story::LostOnPrice || w.rng.chance(0.6) {
            0
        } else {
            3
        };
        let competitor = w.competitors[k];
        w.rel(
            "MENTIONS",
            f,
            competitor,
            &[
                ("topic", s(COMPETITORS[k].4)),
                ("verdict", s("competitor_better")),
                ("sentiment", Value::Float(-0.6)),
                ("note", s("Said the alternative is cheaper")),
            ],
        )?;
    }
    Ok(())
}

/// A promise made on `made`; how it ends depends on who made it.
pub(super) fn commitment(
    w: &mut Writer<'_>,
    c: &Customer,
    staff: NodeId,
    made: NaiveDate,
) -> Result<()> {
    let id = w.next_id("cmt");
    let due = made + Duration::days(w.rng.range(3, 21));
    let reliability = if staff == w.staff("stf-victor") {
        0.3
    } else if staff == w.staff("stf-ines") {
        1.0
    } else {
        0.85
    };
    let kept = w.rng.chance(reliability);
    let (done, notified) = if due >= w.today {
        (None, None)
    } else if kept {
        (Some(due - Duration::days(w.rng.range(0, 2))), None)
    } else if w.rng.chance(0.4) {
        (None, None)
    } else {
        let notice =
            (staff != w.staff("stf-victor") && w.rng.chance(0.6)).then(|| due - Duration::days(1));
        (
            Some(due + Duration::days(w.rng.range(2, 15))).filter(|x| *x < w.today),
            notice,
        )
    };
    let status = if done.is_some() { "done" } else { "open" };
    let p = {
        let props = [
            ("id", s(&id)),
            (
                "description",
                s(w.rng.word(&[
                    "Send the revised quote",
                    "Fix the billing address",
                    "Call back about the outage",
                    "Arrange a site visit",
                ])),
            ),
            ("madeAt", dt(w.at(made))),
            ("dueOn", d(due)),
            ("doneOn", done.map_or(Value::Null, d)),
            ("status", s(status)),
            ("delayNotifiedOn", notified.map_or(Value::Null, d)),
        ];
        w.node("Commitment", &props)
    }?;
    w.rel("MADE", staff, p, &[])?;
    w.rel("OWED_TO", p, c.node, &[])?;
    Ok(())
}

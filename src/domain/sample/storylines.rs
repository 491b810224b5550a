//! The named storylines that make every analyst question and `crm.*` procedure answer
//! something worth reading.

use chrono::Duration;

use crate::error::Result;
use crate::value::Value;

use super::history::{commitment, opportunity, ticket};
use super::{Customer, Writer, d, money, s};

/// The hand-written parts of the storylines, on top of the generated history.
pub(super) fn storylines(w: &mut Writer<'_>, customers: &[Customer]) -> Result<()> {
    let by_id = |id: &str| customers.iter().find(|c| c.id == id);
    // Halvorsen: big open pipeline and promises, all through Nadia.
    if let Some(c) = by_id("cus-halvorsen") {
        let nadia = w.staff("stf-nadia");
        for days in [20, 45] {
            let created = w.ago(days);
            opportunity(w, c, created, None)?;
        }
        for days in [12, 30, 60] {
            let made = w.ago(days);
            commitment(w, c, nadia, made)?;
        }
    }
    // Lost on price: deals lost to Brightwave, and their products in use since.
    for id in ["cus-saltmarsh", "cus-copperfield", "cus-wrenfield"] {
        let Some(c) = by_id(id) else { continue };
        let churned = c.churned.unwrap_or(w.today);
        opportunity(w, c, churned - Duration::days(100), Some(0))?;
        let cp = w.competitor_products[0].1;
        w.rel(
            "USES",
            c.node,
            cp,
            &[
                ("since", d(churned - Duration::days(20))),
                ("estAnnualSpend", money(20_000.0)),
            ],
        )?;
        let complaint_day = churned - Duration::days(60);
        ticket(w, c, complaint_day, "complaint", 4, false)?;
    }
    // Brightwave also wins generated deals on price.
    for (i, c) in customers
        .iter()
        .filter(|c| c.status == "active")
        .take(12)
        .enumerate()
    {
        let created = w.ago(150 + 15 * i as i64);
        opportunity(w, c, created, Some(0))?;
    }
    // Relay Gateway: complaints rising, several still open.
    let active: Vec<&Customer> = customers.iter().filter(|c| c.status == "active").collect();
    for n in 0..26 {
        let c = active[(n * 7) % active.len()];
        let opened = if n < 6 {
            {
                let n = w.rng.range(380, 720);
                w.ago(n)
            }
        } else {
            {
                let n = w.rng.range(5, 350);
                w.ago(n)
            }
        };
        ticket(w, c, opened, "complaint", 2, n % 5 == 0)?;
    }
    // Promises: Victor's slip, often without a word; Inês keeps every one.
    for n in 0..10 {
        let c = active[(n * 11 + 3) % active.len()];
        let made = w.ago(25 + 6 * n as i64);
        let victor = w.staff("stf-victor");
        commitment(w, c, victor, made)?;
        let c = active[(n * 13 + 5) % active.len()];
        let ines = w.staff("stf-ines");
        commitment(w, c, ines, made)?;
    }
    // Referral chains from Juniper Architects and a few others.
    let referrers = ["cus-juniper", "cus-00003", "cus-00011", "cus-00040"];
    let mut pool = customers
        .iter()
        .filter(|c| c.since.is_some() && !referrers.contains(&c.id.as_str()))
        .skip(20)
        .step_by(9);
    for (depth_one, r) in referrers.iter().enumerate() {
        let Some(src) = by_id(r) else { continue };
        let fan = if depth_one == 0 { 4 } else { 2 };
        for k in 0..fan {
            let Some(child) = pool.next() else { break };
            let on = child.since.unwrap_or(w.today);
            w.rel(
                "REFERRED",
                src.node,
                child.node,
                &[
                    ("on", d(on)),
                    ("via", s("word_of_mouth")),
                    ("rewarded", Value::Bool(k % 2 == 0)),
                ],
            )?;
            if depth_one == 0 {
                for _ in 0..2 {
                    let Some(grandchild) = pool.next() else { break };
                    let on = grandchild.since.unwrap_or(w.today);
                    w.rel(
                        "REFERRED",
                        child.node,
                        grandchild.node,
                        &[
                            ("on", d(on)),
                            ("via", s("event")),
                            ("rewarded", Value::Bool(false)),
                        ],
                    )?;
                }
            }
        }
    }
    // Northgate Capital: Elena Voss knows a contact at Juniper, whom our people meet.
    if let (Some(target), Some(bridge)) = (by_id("cus-northgate"), by_id("cus-juniper")) {
        let elena = w.node(
            "Contact",
            &[
                ("id", s("con-elena-voss")),
                ("name", s("Elena Voss")),
                ("email", s("elena.voss@northgate.example")),
                ("title", s("COO")),
                ("department", s("operations")),
                ("optOut", Value::Bool(false)),
            ],
        )?;
        {
            let props = [
                ("role", s("decision_maker")),
                ("isPrimary", Value::Bool(true)),
                ("since", d(w.ago(900))),
            ];
            w.rel("WORKS_AT", elena, target.node, &props)
        }?;
        if let Some(friend) = bridge.contacts.first() {
            {
                let props = [("since", d(w.ago(3000))), ("strength", Value::Float(0.8))];
                w.rel("KNOWS", elena, *friend, &props)
            }?;
        }
    }
    Ok(())
}

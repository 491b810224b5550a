//! The catalogue (products, competitors, staff) and the customers with their contacts.

use crate::error::Result;
use crate::value::Value;

use super::data::{COMPANY_A, COMPANY_B, COMPETITORS, COUNTRIES, INDUSTRIES, PRODUCTS, STAFF};
use super::{Customer, Story, Writer, d, money, s};

/// Products, competitors and their products, staff.
pub(super) fn catalogue(w: &mut Writer<'_>) -> Result<()> {
    for (i, (id, name, family, price)) in PRODUCTS.iter().enumerate() {
        let launched = w.ago(3000 - 200 * i as i64);
        let p = w.node(
            "Product",
            &[
                ("id", s(id)),
                ("name", s(name)),
                ("family", s(family)),
                ("listPrice", Value::Float(*price)),
                ("currency", s("EUR")),
                ("launchedOn", d(launched)),
                ("active", Value::Bool(true)),
            ],
        )?;
        w.products.push(p);
    }
    for (k, (id, name, strengths, weaknesses, _, _)) in COMPETITORS.iter().enumerate() {
        let c = {
            let props = [
                ("id", s(id)),
                ("name", s(name)),
                ("website", s(&format!("https://www.{}.example", &id[4..]))),
                ("strengths", s(strengths)),
                ("weaknesses", s(weaknesses)),
            ];
            w.node("Competitor", &props)
        }?;
        w.competitors.push(c);
        for j in 0..2 {
            let rival = (k * 2 + j * 3) % PRODUCTS.len();
            let (_, pname, family, price) = PRODUCTS[rival];
            let first_seen = if k == 4 && j == 1 {
                w.ago(120)
            } else {
                w.ago(1500)
            };
            let cp = w.node(
                "CompetitorProduct",
                &[
                    ("id", s(&format!("cpr-{}-{j}", &id[4..]))),
                    (
                        "name",
                        s(&format!(
                            "{name} {}",
                            pname.split(' ').next().unwrap_or("One")
                        )),
                    ),
                    ("family", s(family)),
                    (
                        "listPrice",
                        Value::Float(if k == 0 { price * 0.75 } else { price * 1.05 }),
                    ),
                    ("currency", s("EUR")),
                    ("firstSeenOn", d(first_seen)),
                ],
            )?;
            w.rel("OFFERS", c, cp, &[])?;
            let p = w.products[rival];
            w.rel("RIVALS", cp, p, &[])?;
            w.competitor_products.push((k, cp));
        }
    }
    for (id, name, department, title) in STAFF {
        let left = *id == "stf-tom";
        let first = name.split(' ').next().unwrap_or(name).to_lowercase();
        let started = w.ago(2400 - 40 * w.staff_order.len() as i64);
        let n = {
            let props = [
                ("id", s(id)),
                ("name", s(name)),
                ("email", s(&format!("{first}@northwind.example"))),
                ("department", s(department)),
                ("title", s(title)),
                ("active", Value::Bool(!left)),
                ("startedOn", d(started)),
                ("leftOn", if left { d(w.ago(200)) } else { Value::Null }),
            ];
            w.node("Staff", &props)
        }?;
        w.staff.insert(id, n);
        w.staff_order.push((id, department));
    }
    Ok(())
}

/// The storyline customers, by hand, then generated ones.
pub(super) fn customers(w: &mut Writer<'_>) -> Result<Vec<Customer>> {
    // (id, name, segment, industry, since days ago, story)
    let named: &[(&str, &str, &str, &str, i64, Story)] = &[
        (
            "cus-halvorsen",
            "Halvorsen Freight",
            "enterprise",
            "logistics",
            1900,
            Story::KeyPerson,
        ),
        (
            "cus-kestrel",
            "Kestrel Labs",
            "mid_market",
            "research",
            1100,
            Story::SingleThread,
        ),
        (
            "cus-pellworm",
            "Pellworm Bakeries",
            "mid_market",
            "food",
            1500,
            Story::Drifting,
        ),
        (
            "cus-orchard",
            "Orchard Lane Clinics",
            "enterprise",
            "healthcare",
            1700,
            Story::Drifting,
        ),
        (
            "cus-marlow",
            "Marlow Print",
            "smb",
            "manufacturing",
            1300,
            Story::Drifting,
        ),
        (
            "cus-juniper",
            "Juniper Architects",
            "mid_market",
            "public_sector",
            2000,
            Story::Ordinary,
        ),
        (
            "cus-saltmarsh",
            "Saltmarsh Hotels",
            "enterprise",
            "hospitality",
            1400,
            Story::LostOnPrice,
        ),
        (
            "cus-copperfield",
            "Copperfield Retail",
            "mid_market",
            "retail",
            1250,
            Story::LostOnPrice,
        ),
        (
            "cus-wrenfield",
            "Wrenfield Farms",
            "smb",
            "agriculture",
            900,
            Story::LostOnPrice,
        ),
    ];
    let mut out = Vec::new();
    for (id, name, segment, industry, since, story) in named {
        let c = customer(w, id, name, segment, industry, Some(*since), *story)?;
        out.push(c);
    }
    // Northgate Capital: a prospect we want to meet.
    out.push(customer(
        w,
        "cus-northgate",
        "Northgate Capital",
        "enterprise",
        "finance",
        None,
        Story::Ordinary,
    )?);
    for i in 0..290 {
        let a = COMPANY_A[i % COMPANY_A.len()];
        // Distinct for every i below 25 * 12: same first word, different second.
        let b = COMPANY_B[(i / COMPANY_A.len() + 5 * (i % COMPANY_A.len())) % COMPANY_B.len()];
        let name = format!("{a} {b}");
        let id = format!("cus-{:05}", i + 1);
        let segment = *w.rng.pick(&[
            "enterprise",
            "mid_market",
            "mid_market",
            "smb",
            "smb",
            "smb",
        ]);
        let industry = *w.rng.pick(INDUSTRIES);
        let roll = w.rng.below(100);
        let since = if roll < 8 {
            None
        } else {
            Some(w.rng.range(30, 2500))
        };
        let story = if since.is_some() && (8..14).contains(&roll) {
            Story::Drifting
        } else if since.is_some() && (14..18).contains(&roll) {
            Story::SingleThread
        } else {
            Story::Ordinary
        };
        out.push(customer(w, &id, &name, segment, industry, since, story)?);
    }
    Ok(out)
}

pub(super) fn customer(
    w: &mut Writer<'_>,
    id: &str,
    name: &str,
    segment: &'static str,
    industry: &str,
    since_days: Option<i64>,
    story: Story,
) -> Result<Customer> {
    let since = since_days.map(|n| w.ago(n));
    // Ordinary customers churn now and then; the lost-on-price ones left in the last year.
    let churned = match (since_days, story) {
        (Some(_), Story::LostOnPrice) => Some({
            let n = w.rng.range(40, 300);
            w.ago(n)
        }),
        (Some(n), Story::Ordinary) if n > 400 && w.rng.chance(0.12) => {
            let back = w.rng.range(20, (n - 200).min(700));
            Some(w.ago(back))
        }
        _ => None,
    };
    let status = match (since, churned) {
        (None, _) => "prospect",
        (Some(_), Some(_)) => "churned",
        _ => "active",
    };
    let reason = churned.map(|_| {
        if story == Story::LostOnPrice {
            "price"
        } else {
            *w.rng
                .pick(&["service", "product_fit", "budget", "moved", "price"])
        }
    });
    let wallet = match segment {
        "enterprise" => w.rng.float(150_000.0, 400_000.0),
        "mid_market" => w.rng.float(40_000.0, 120_000.0),
        _ => w.rng.float(8_000.0, 30_000.0),
    };
    let source = *w
        .rng
        .pick(&["web", "campaign", "event", "partner", "outbound"]);
    let node = {
        let props = [
            ("id", s(id)),
            ("name", s(name)),
            ("kind", s("organisation")),
            ("status", s(status)),
            ("segment", s(segment)),
            ("industry", s(industry)),
            ("country", s(w.rng.word(COUNTRIES))),
            ("since", since.map_or(Value::Null, d)),
            ("churnedOn", churned.map_or(Value::Null, d)),
            ("churnReason", reason.map_or(Value::Null, s)),
            ("walletEstimate", money(wallet)),
            ("source", s(source)),
        ];
        w.node("Customer", &props)
    }?;
    let mut c = Customer {
        node,
        id: id.to_owned(),
        segment,
        status,
        since,
        churned,
        contacts: Vec::new(),
        staff: Vec::new(),
        story,
    };
    // Contacts: a few per organisation; the single-threaded have several on file.
    let n_contacts = match (segment, story) {
        (_, Story::SingleThread) => 3,
        ("enterprise", _) => w.rng.range(3, 5),
        ("mid_market", _) => w.rng.range(2, 3),
        _ => w.rng.range(1, 2),
    };
    let domain: String = name
        .split(' ')
        .next()
        .unwrap_or("example")
        .to_lowercase()
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect();
    for k in 0..n_contacts {
        let person = w.person();
        let cid = w.next_id("con");
        let email = format!(
            "{}@{domain}.example",
            person.to_lowercase().replace(' ', ".")
        );
        let title = *w.rng.pick(&[
            "Operations Manager",
            "Head of IT",
            "CFO",
            "Buyer",
            "Lab Lead",
        ]);
        let contact = {
            let props = [
                ("id", s(&cid)),
                ("name", s(&person)),
                ("email", s(&email)),
                ("title", s(title)),
                (
                    "department",
                    s(w.rng.word(&["operations", "it", "finance", "purchasing"])),
                ),
                ("optOut", Value::Bool(w.rng.chance(0.05))),
            ];
            w.node("Contact", &props)
        }?;
        // A contact who moved on keeps the edge with an end date.
        let until = (k > 0 && w.rng.chance(0.15)).then(|| {
            let n = w.rng.range(30, 400);
            w.ago(n)
        });
        let role = if k == 0 {
            "decision_maker"
        } else {
            *w.rng.pick(&["champion", "user", "billing"])
        };
        {
            let props = [
                ("role", s(role)),
                ("isPrimary", Value::Bool(k == 0)),
                ("since", since.map_or_else(|| d(w.ago(200)), d)),
                ("until", until.map_or(Value::Null, d)),
            ];
            w.rel("WORKS_AT", contact, node, &props)
        }?;
        if until.is_none() {
            c.contacts.push(contact);
        }
    }
    // Coverage: an account executive (Tom had his share), a success manager for most, and
    // for the key-person customer Nadia alone.
    if since.is_some() {
        let sales = if story == Story::KeyPerson {
            w.staff("stf-nadia")
        } else if w.rng.chance(0.15) {
            w.staff("stf-tom")
        } else {
            let pick = w.staff_of("sales");
            if pick == w.staff("stf-nadia") {
                w.staff("stf-ravi")
            } else {
                pick
            }
        };
        let tom = sales == w.staff("stf-tom");
        let start = since.unwrap_or(w.today);
        {
            let props = [
                ("role", s("account_manager")),
                ("isPrimary", Value::Bool(true)),
                ("since", d(start)),
                (
                    "until",
                    if tom {
                        d(w.ago(200))
                    } else {
                        churned.map_or(Value::Null, d)
                    },
                ),
            ];
            w.rel("SERVES", sales, node, &props)
        }?;
        if tom && status == "active" && w.rng.chance(0.5) {
            // Half of Tom's customers were handed over; the rest still wait.
            let heir = w.staff("stf-lucia");
            {
                let props = [
                    ("role", s("account_manager")),
                    ("isPrimary", Value::Bool(true)),
                    ("since", d(w.ago(190))),
                ];
                w.rel("SERVES", heir, node, &props)
            }?;
            c.staff.push(heir);
        } else if !tom {
            c.staff.push(sales);
        }
        if story != Story::KeyPerson && w.rng.chance(0.7) {
            let csm = w.staff_of("service");
            w.rel(
                "SERVES",
                csm,
                node,
                &[
                    ("role", s("support")),
                    ("isPrimary", Value::Bool(false)),
                    ("since", d(start)),
                    ("until", churned.map_or(Value::Null, d)),
                ],
            )?;
            c.staff.push(csm);
        }
        if tom {
            c.staff.push(sales);
        }
    }
    Ok(c)
}

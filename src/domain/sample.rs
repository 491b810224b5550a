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

const PRODUCTS: &[(&str, &str, &str, f64)] = &[
    ("prd-aurora", "Aurora Suite", "software", 1200.0),
    ("prd-beacon", "Beacon Sensor Kit", "hardware", 900.0),
    ("prd-relay", "Relay Gateway", "hardware", 2400.0),
    ("prd-compass", "Compass Analytics", "software", 1800.0),
    ("prd-harbor", "Harbor Support Plan", "service", 600.0),
    ("prd-lumen", "Lumen Training", "training", 400.0),
    ("prd-atlas", "Atlas Integration", "service", 3000.0),
    ("prd-nimbus", "Nimbus Cloud Storage", "subscription", 150.0),
];

/// Competitors: id, name, strengths, weaknesses, the topic customers raise, and the loss
/// reason they win on.
const COMPETITORS: &[(&str, &str, &str, &str, &str, &str)] = &[
    (
        "cmp-brightwave",
        "Brightwave",
        "aggressive pricing",
        "thin support",
        "price",
        "price",
    ),
    (
        "cmp-ironclad",
        "Ironclad Systems",
        "feature depth",
        "steep learning curve",
        "feature",
        "features",
    ),
    (
        "cmp-quartzline",
        "Quartzline",
        "white-glove service",
        "expensive",
        "service",
        "relationship",
    ),
    (
        "cmp-tidewell",
        "Tidewell",
        "fast delivery",
        "narrow range",
        "delivery",
        "delivery",
    ),
    (
        "cmp-vantage",
        "Vantage Nine",
        "new products every quarter",
        "unproven",
        "new_product",
        "roadmap",
    ),
];

/// Staff: id, name, department, title.
const STAFF: &[(&str, &str, &str, &str)] = &[
    (
        "stf-nadia",
        "Nadia Brandt",
        "sales",
        "Senior Account Executive",
    ),
    ("stf-tom", "Tom Ferreira", "sales", "Account Executive"),
    ("stf-ravi", "Ravi Menon", "sales", "Account Executive"),
    ("stf-lucia", "Lucía Ortega", "sales", "Account Executive"),
    (
        "stf-owen",
        "Owen Gallagher",
        "sales",
        "Sales Development Rep",
    ),
    ("stf-mei", "Mei Tanaka", "sales", "Account Executive"),
    ("stf-jonas", "Jonas Lindqvist", "sales", "Sales Director"),
    (
        "stf-ines",
        "Inês Duarte",
        "service",
        "Customer Success Manager",
    ),
    (
        "stf-hugo",
        "Hugo Martin",
        "service",
        "Customer Success Manager",
    ),
    (
        "stf-amara",
        "Amara Okafor",
        "service",
        "Customer Success Manager",
    ),
    (
        "stf-pieter",
        "Pieter de Vries",
        "service",
        "Account Manager",
    ),
    (
        "stf-sofia",
        "Sofia Rossi",
        "service",
        "Head of Customer Success",
    ),
    ("stf-victor", "Victor Lang", "support", "Support Engineer"),
    ("stf-grace", "Grace Kim", "support", "Support Engineer"),
    ("stf-dmitri", "Dmitri Volkov", "support", "Support Engineer"),
    ("stf-leila", "Leila Haddad", "support", "Support Lead"),
    ("stf-ben", "Ben Carter", "support", "Support Engineer"),
    (
        "stf-chloe",
        "Chloé Bernard",
        "marketing",
        "Community Manager",
    ),
    ("stf-arjun", "Arjun Patel", "product", "Product Manager"),
    ("stf-hanna", "Hanna Berg", "finance", "Billing Specialist"),
    (
        "stf-marcus",
        "Marcus Webb",
        "management",
        "Managing Director",
    ),
];

const FIRST: &[&str] = &[
    "Anna", "Bruno", "Carla", "David", "Eva", "Felix", "Greta", "Henrik", "Ida", "Jakob", "Kira",
    "Lars", "Maria", "Niko", "Olga", "Paul", "Rosa", "Stefan", "Tara", "Ulla", "Vera", "Walter",
    "Yara", "Zoe", "Amir", "Bea", "Cyril", "Dana", "Emil", "Fiona",
];
const LAST: &[&str] = &[
    "Adler", "Brooks", "Castell", "Dahl", "Eriksen", "Fontaine", "Gruber", "Holm", "Ivers",
    "Jansen", "Keller", "Lund", "Moreau", "Novak", "Olsen", "Price", "Quinn", "Reyes", "Sauer",
    "Thorne", "Ueda", "Valli", "Winter", "Young", "Zeller",
];
const COMPANY_A: &[&str] = &[
    "Alder", "Birch", "Cedar", "Delta", "Ember", "Fjord", "Granite", "Heron", "Iris", "Juno",
    "Kite", "Linden", "Maple", "Nova", "Onyx", "Pine", "Quarry", "Raven", "Sable", "Tamarack",
    "Umber", "Vale", "Willow", "Yarrow", "Zephyr",
];
const COMPANY_B: &[&str] = &[
    "Foods",
    "Logistics",
    "Clinics",
    "Utilities",
    "Robotics",
    "Breweries",
    "Labs",
    "Mining",
    "Retail",
    "Hotels",
    "Water",
    "Farms",
];
const INDUSTRIES: &[&str] = &[
    "food",
    "logistics",
    "healthcare",
    "energy",
    "manufacturing",
    "hospitality",
    "research",
    "retail",
    "public_sector",
    "agriculture",
];
const COUNTRIES: &[&str] = &["DE", "NL", "FR", "GB", "SE", "ES", "IT", "PL", "US"];

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

/// Products, competitors and their products, staff.
fn catalogue(w: &mut Writer<'_>) -> Result<()> {
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
fn customers(w: &mut Writer<'_>) -> Result<Vec<Customer>> {
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

fn customer(
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

/// Interactions, orders, opportunities, tickets, feedback and commitments of one customer
/// over the last two years (or from when they became a customer, until they churned).
fn history(w: &mut Writer<'_>, c: &Customer) -> Result<()> {
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

fn order(
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

fn interaction(w: &mut Writer<'_>, c: &Customer, day: NaiveDate) -> Result<()> {
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

fn opportunity(
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

fn ticket(
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

fn feedback(w: &mut Writer<'_>, c: &Customer, day: NaiveDate, score: i64) -> Result<()> {
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
fn commitment(w: &mut Writer<'_>, c: &Customer, staff: NodeId, made: NaiveDate) -> Result<()> {
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

/// The hand-written parts of the storylines, on top of the generated history.
fn storylines(w: &mut Writer<'_>, customers: &[Customer]) -> Result<()> {
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

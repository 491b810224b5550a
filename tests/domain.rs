//! The customer-management domain: every `crm.*` procedure equals the plain openCypher query
//! it replaces, on the bundled sample company and on a 1,000-customer `gen_crm.py` bundle; the
//! sample's storylines give the answers they were written to give; the example questions run;
//! options are checked; the schema installs idempotently.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use cordial::value::DateTime;
use cordial::{Database, Map, Statement, Value};

use common::{install_sample, run, sample};

fn shared_dir() -> PathBuf {
    std::env::var_os("CORDIAL_SHARED_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared"))
}

/// The 1,000-customer bundle, as of its generator's NOW.
fn bundle() -> &'static Database {
    static DB: OnceLock<(tempfile::TempDir, Database)> = OnceLock::new();
    &DB.get_or_init(|| {
        let dir = tempfile::tempdir().expect("tempdir");
        let status = Command::new("python3")
            .arg(shared_dir().join("bench/gen_crm.py"))
            .args(["--customers", "1000", "--out"])
            .arg(dir.path())
            .stdout(std::process::Stdio::null())
            .status()
            .expect("run python3");
        assert!(status.success(), "gen_crm.py failed");
        let now = DateTime::parse("2025-01-01T00:00:00Z").expect("now");
        let db = Database::in_memory().expect("db").with_now(Some(now));
        load(&db, dir.path());
        (dir, db)
    })
    .1
}

fn load(db: &Database, dir: &Path) {
    cordial::import::import_bundle(
        db,
        dir,
        &cordial::import::ImportOptions::default(),
        &mut |_| {},
    )
    .expect("import");
}

/// A comparable form of a value: nodes by id, numbers as floats rounded to 6 significant
/// digits, lists of strings as sets (procedures sort them, `collect` need not).
fn norm(v: &Value) -> String {
    match v {
        Value::Node(n) => format!("node#{}", n.id.0),
        Value::Int(i) => fmt_num(*i as f64),
        Value::Float(f) => fmt_num(*f),
        Value::List(items) => {
            let mut parts: Vec<String> = items.iter().map(norm).collect();
            if items.iter().all(|i| matches!(i, Value::String(_))) {
                parts.sort();
            }
            format!("[{}]", parts.join(", "))
        }
        Value::Map(m) => {
            let parts: Vec<String> = m.iter().map(|(k, v)| format!("{k}: {}", norm(v))).collect();
            format!("{{{}}}", parts.join(", "))
        }
        other => other.to_string(),
    }
}

fn fmt_num(x: f64) -> String {
    if x == 0.0 {
        return "0".into();
    }
    format!("{:.6e}", x)
}

fn normalised(rows: &[Vec<Value>]) -> Vec<String> {
    let mut out: Vec<String> = rows
        .iter()
        .map(|r| r.iter().map(norm).collect::<Vec<_>>().join(" | "))
        .collect();
    out.sort();
    out
}

/// Asserts both queries give the same rows (as multisets) and returns how many.
fn same(db: &Database, procedure: &str, cypher: &str) -> usize {
    let a = run(db, procedure);
    let b = run(db, cypher);
    let (na, nb) = (normalised(&a), normalised(&b));
    if na != nb {
        let only_a: Vec<_> = na.iter().filter(|x| !nb.contains(x)).take(5).collect();
        let only_b: Vec<_> = nb.iter().filter(|x| !na.contains(x)).take(5).collect();
        panic!(
            "{procedure}: {} rows, the query {} rows\nonly the procedure: {only_a:#?}\nonly the query: {only_b:#?}",
            na.len(),
            nb.len()
        );
    }
    na.len()
}

/// Checks a procedure against its query on both datasets; both must have answers.
fn check(procedure: &str, cypher: &str) {
    let on_sample = same(sample(), procedure, cypher);
    assert!(
        on_sample > 0,
        "{procedure}: no answer on the sample company"
    );
    let on_bundle = same(bundle(), procedure, cypher);
    assert!(on_bundle > 0, "{procedure}: no answer on the bundle");
}

#[test]
fn key_person_risk_equals_its_query() {
    check(
        "CALL crm.keyPersonRisk()",
        "MATCH (c:Customer {status: 'active'})
         OPTIONAL MATCH (s:Staff {active: true})-[:PARTICIPATED_IN]->(i:Interaction)<-[:HAS_INTERACTION]-(c)
           WHERE i.at >= datetime() - duration('P365D')
         WITH c, collect(DISTINCT s) AS touchers
         OPTIONAL MATCH (t:Staff {active: true})-[sv:SERVES]->(c) WHERE sv.until IS NULL
         WITH c, touchers, collect(DISTINCT t) AS team
         WITH c, touchers + [x IN team WHERE NOT x IN touchers] AS people
         WHERE size(people) = 1
         WITH c, people[0] AS staff
         OPTIONAL MATCH (c)-[:PLACED]->(o:Order {status: 'fulfilled'})
           WHERE o.orderedOn >= date() - duration('P365D')
         WITH c, staff, sum(o.amountBase) AS revenue
         OPTIONAL MATCH (c)-[:HAS_OPPORTUNITY]->(op:Opportunity {status: 'open'})
         WITH c, staff, revenue, count(op) AS opps, sum(op.amountBase) AS pipeline
         OPTIONAL MATCH (c)-[:RAISED]->(t:Ticket) WHERE t.closedAt IS NULL
         WITH c, staff, revenue, opps, pipeline, count(t) AS tickets
         OPTIONAL MATCH (staff)-[:MADE]->(p:Commitment {status: 'open'})-[:OWED_TO]->(c)
         RETURN c, staff, revenue, opps, pipeline, tickets, count(DISTINCT p)",
    );
}

#[test]
fn single_threaded_equals_its_query() {
    check(
        "CALL crm.singleThreaded()",
        "MATCH (c:Customer {status: 'active'})
         OPTIONAL MATCH (p:Contact)-[:PARTICIPATED_IN]->(i:Interaction)<-[:HAS_INTERACTION]-(c)
           WHERE i.at >= datetime() - duration('P180D')
         WITH c, collect(DISTINCT p) AS engaged
         OPTIONAL MATCH (a:Contact)-[w:WORKS_AT]->(c) WHERE w.until IS NULL
         WITH c, engaged, count(DISTINCT a) AS activeContacts
         WHERE size(engaged) = 1 OR activeContacts <= 1
         OPTIONAL MATCH (c)-[:HAS_OPPORTUNITY]->(o:Opportunity {status: 'open'})
         RETURN c, [x IN engaged | x.name], activeContacts, count(o), sum(o.amountBase)",
    );
}

#[test]
fn at_risk_equals_its_query() {
    check(
        "CALL crm.atRisk()",
        "MATCH (c:Customer {status: 'active'})
         OPTIONAL MATCH (c)-[:HAS_INTERACTION]->(i:Interaction)
         WITH c, max(i.at) AS lastTouch
         OPTIONAL MATCH (c)-[:PLACED]->(o:Order {status: 'fulfilled'})
           WHERE o.orderedOn > date() - duration('P360D')
         WITH c, lastTouch,
              sum(CASE WHEN o.orderedOn > date() - duration('P180D') THEN o.amountBase ELSE 0 END) AS last6m,
              sum(CASE WHEN o.orderedOn <= date() - duration('P180D') THEN o.amountBase ELSE 0 END) AS prior6m
         OPTIONAL MATCH (c)-[:GAVE]->(f:Feedback {kind: 'nps'}) WHERE f.at > datetime() - duration('P365D')
         WITH c, lastTouch, last6m, prior6m, min(f.score) AS worstNps
         OPTIONAL MATCH (c)-[:RAISED]->(t:Ticket {type: 'complaint'})
           WHERE t.closedAt IS NULL AND t.openedAt < datetime() - duration('P14D')
         WITH c, lastTouch, last6m, prior6m, worstNps, count(t) AS stale
         WITH c, lastTouch, last6m, prior6m,
              [x IN [CASE WHEN lastTouch IS NULL OR lastTouch < datetime() - duration('P90D') THEN 'no_touch_90d' END,
                     CASE WHEN prior6m > 0 AND last6m < 0.7 * prior6m THEN 'spend_down_30pct' END,
                     CASE WHEN worstNps <= 6 THEN 'detractor' END,
                     CASE WHEN stale > 0 THEN 'complaint_open_14d' END] WHERE x IS NOT NULL] AS signals
         WHERE size(signals) >= 2
         RETURN c, size(signals), signals, lastTouch, prior6m, last6m",
    );
}

#[test]
fn lost_customers_equals_its_query() {
    check(
        "CALL crm.lostCustomers()",
        "MATCH (c:Customer) WHERE c.churnedOn >= date() - duration('P365D')
         OPTIONAL MATCH (c)-[:GAVE]->(f:Feedback {kind: 'nps'}) WHERE f.at IS NOT NULL
         WITH c, f ORDER BY f.at DESC, f.score
         WITH c, collect(f.score)[0] AS lastNps
         OPTIONAL MATCH (c)-[:RAISED]->(t:Ticket {type: 'complaint'})
           WHERE date({date: t.openedAt}) >= c.churnedOn - duration('P6M')
         WITH c, lastNps, count(t) AS complaints
         OPTIONAL MATCH (c)-[u:USES]->(:CompetitorProduct)<-[:OFFERS]-(k:Competitor)
           WHERE u.since >= c.churnedOn - duration('P3M')
         RETURN c, c.churnedOn, c.churnReason, lastNps, complaints, collect(DISTINCT k.name)",
    );
}

#[test]
fn lifetime_value_equals_its_query() {
    check(
        "CALL crm.lifetimeValue()",
        "MATCH (c:Customer)-[:PLACED]->(o:Order {status: 'fulfilled'})
         WITH c, count(o) AS orders, sum(o.amountBase) AS revenue,
              sum(coalesce(o.margin, 0)) AS margin, min(o.orderedOn) AS firstOrder
         WITH c, orders, revenue, margin, firstOrder,
              duration.inDays(firstOrder, coalesce(c.churnedOn, date())).days / 365.25 AS tenure
         RETURN c, orders, revenue, margin, firstOrder, tenure,
                CASE WHEN tenure < 1 THEN margin ELSE margin / tenure END",
    );
}

/// The quintile score of each value, computed the slow way: 1 + 5 * (values strictly worse)
/// / n.
fn slow_quintile(values: &[f64], higher_is_better: bool) -> Vec<i64> {
    values
        .iter()
        .map(|v| {
            let worse = values
                .iter()
                .filter(|x| if higher_is_better { *x < v } else { *x > v })
                .count();
            (1 + 5 * worse / values.len()) as i64
        })
        .collect()
}

#[test]
fn rfm_equals_its_query_and_scores_by_quintile() {
    let base = "CALL crm.rfm() YIELD customer, recencyDays, frequency, monetary, r, f, m";
    check(
        &format!("{base} RETURN customer, recencyDays, frequency, monetary"),
        "MATCH (c:Customer)-[:PLACED]->(o:Order {status: 'fulfilled'})
         WITH c, max(o.orderedOn) AS last, count(o) AS frequency, sum(o.amountBase) AS monetary
         WHERE last IS NOT NULL
         RETURN c, duration.inDays(last, date()).days, frequency, monetary",
    );
    for db in [sample(), bundle()] {
        let rows = run(
            db,
            &format!("{base} RETURN recencyDays, frequency, monetary, r, f, m"),
        );
        let col = |i: usize| -> Vec<f64> {
            rows.iter()
                .map(|r| match &r[i] {
                    Value::Int(x) => *x as f64,
                    Value::Float(x) => *x,
                    other => panic!("not a number: {other:?}"),
                })
                .collect()
        };
        let expected = [
            slow_quintile(&col(0), false),
            slow_quintile(&col(1), true),
            slow_quintile(&col(2), true),
        ];
        for (k, row) in rows.iter().enumerate() {
            for (j, scores) in expected.iter().enumerate() {
                assert_eq!(row[3 + j], Value::Int(scores[k]), "row {row:?}");
            }
        }
        assert!(
            rows.iter().any(|r| r[3] == Value::Int(5))
                && rows.iter().any(|r| r[3] == Value::Int(1))
        );
    }
}

#[test]
fn retention_equals_its_query() {
    check(
        "CALL crm.retention()",
        "WITH date() - duration('P365D') AS periodStart, date() AS periodEnd
         MATCH (c:Customer) WHERE c.since IS NOT NULL
         WITH periodStart, periodEnd, c,
              (c.since <= periodStart AND (c.churnedOn IS NULL OR c.churnedOn > periodStart)) AS atStart,
              (c.since <= periodEnd AND (c.churnedOn IS NULL OR c.churnedOn > periodEnd)) AS atEnd,
              (c.since > periodStart AND c.since <= periodEnd) AS isNew
         WITH periodStart, periodEnd,
              sum(CASE WHEN atStart THEN 1 ELSE 0 END) AS S,
              sum(CASE WHEN isNew THEN 1 ELSE 0 END) AS N,
              sum(CASE WHEN atEnd THEN 1 ELSE 0 END) AS E,
              sum(CASE WHEN atStart AND atEnd THEN 1 ELSE 0 END) AS kept
         RETURN periodStart, periodEnd, S, N, E, kept,
                CASE WHEN S = 0 THEN null ELSE round(1000.0 * (E - N) / S) / 10 END,
                CASE WHEN S = 0 THEN null ELSE round(1000.0 * kept / S) / 10 END",
    );
}

#[test]
fn loyalty_fairness_equals_its_query() {
    check(
        "CALL crm.loyaltyFairness()",
        "MATCH (c:Customer)-[:PLACED]->(o:Order {status: 'fulfilled'})
         WITH c, min(o.orderedOn) AS firstOrder
         MATCH (c)-[:PLACED]->(o:Order {status: 'fulfilled'})-[li:INCLUDES]->(p:Product)
         WHERE o.orderedOn >= date() - duration('P365D')
         WITH p, CASE WHEN o.orderedOn = firstOrder THEN 'new' ELSE 'existing' END AS cohort,
              avg(coalesce(li.discountPct, 0)) AS avgDiscount, count(*) AS lines
         WITH p, collect({cohort: cohort, d: avgDiscount, n: lines}) AS rows
         WITH p, [r IN rows WHERE r.cohort = 'new'][0] AS nw, [r IN rows WHERE r.cohort = 'existing'][0] AS ex
         WHERE nw IS NOT NULL AND ex IS NOT NULL AND nw.d > ex.d
         RETURN p, nw.d, ex.d, nw.n, ex.n",
    );
}

#[test]
fn competitor_pressure_equals_its_query() {
    check(
        "CALL crm.competitorPressure()",
        "MATCH (k:Competitor)
         OPTIONAL MATCH (src)-[m:MENTIONS]->(k)
           WHERE (src:Interaction OR src:Feedback) AND src.at >= datetime() - duration('P365D')
         WITH k, count(m) AS mentions,
              sum(CASE WHEN m.verdict = 'competitor_better' THEN 1 ELSE 0 END) AS better,
              sum(CASE WHEN m.verdict = 'we_better' THEN 1 ELSE 0 END) AS worse
         OPTIONAL MATCH (cu:Customer)-[:HAS_INTERACTION|GAVE]->(src)-[:MENTIONS]->(k)
           WHERE (src:Interaction OR src:Feedback) AND src.at >= datetime() - duration('P365D')
         WITH k, mentions, better, worse, count(DISTINCT cu) AS customers
         OPTIONAL MATCH (src)-[m:MENTIONS]->(k)
           WHERE (src:Interaction OR src:Feedback) AND src.at >= datetime() - duration('P365D')
             AND m.topic IS NOT NULL
         WITH k, mentions, better, worse, customers, m.topic AS topic, count(m) AS n
         ORDER BY n DESC, topic
         WITH k, mentions, better, worse, customers,
              collect(CASE WHEN topic IS NULL THEN null ELSE {topic: topic, mentions: n} END) AS topics
         OPTIONAL MATCH (o:Opportunity)-[:LOST_TO]->(k) WHERE o.closedOn >= date() - duration('P365D')
         WITH DISTINCT k, mentions, better, worse, customers, topics, o
         WITH k, mentions, better, worse, customers, topics, count(o) AS losses,
              sum(coalesce(o.amountBase, 0)) AS lostRevenue
         OPTIONAL MATCH (k)-[:OFFERS]->(:CompetitorProduct)<-[u:USES]-(cu:Customer) WHERE u.until IS NULL
         WITH k, mentions, better, worse, customers, topics, losses, lostRevenue, count(DISTINCT cu) AS users
         OPTIONAL MATCH (k)-[:OFFERS]->(:CompetitorProduct)-[:RIVALS]->(p:Product)
         RETURN k, mentions, customers, topics, better, worse, losses, lostRevenue, users,
                collect(DISTINCT p.name)",
    );
}

#[test]
fn win_loss_equals_its_query() {
    check(
        "CALL crm.winLoss()",
        "MATCH (o:Opportunity)-[:COMPETED_WITH]->(k:Competitor)
         WHERE o.status IN ['won', 'lost'] AND o.closedOn >= date() - duration('P365D')
         WITH DISTINCT o, k
         OPTIONAL MATCH (o)-[l:LOST_TO]->(k)
         WITH o, k, collect(l.reason) AS reasons, count(l) > 0 AS lost
         WITH k, count(o) AS decided, sum(CASE WHEN o.status = 'won' THEN 1 ELSE 0 END) AS won,
              sum(CASE WHEN lost THEN 1 ELSE 0 END) AS nLost,
              sum(CASE WHEN lost THEN coalesce(o.amountBase, 0) ELSE 0 END) AS lostRevenue,
              reduce(a = [], r IN collect(reasons) | a + r) AS allReasons
         UNWIND CASE WHEN size(allReasons) = 0 THEN [null] ELSE allReasons END AS reason
         WITH k, decided, won, nLost, lostRevenue, reason, count(reason) AS times
         ORDER BY times DESC, reason
         WITH k, decided, won, nLost, lostRevenue,
              collect(CASE WHEN reason IS NULL THEN null ELSE {reason: reason, deals: times} END) AS top
         RETURN k, decided, won, nLost, round(1000.0 * won / decided) / 10, lostRevenue, top[0..3]",
    );
}

#[test]
fn promises_kept_equals_its_query() {
    check(
        "CALL crm.promisesKept()",
        "MATCH (s:Staff)-[:MADE]->(p:Commitment)
         WHERE p.dueOn >= date() - duration('P90D') AND p.dueOn < date() AND p.status <> 'cancelled'
           AND EXISTS { (p)-[:OWED_TO]->(:Customer) }
         WITH DISTINCT s, p
         WITH s, p,
              CASE WHEN p.doneOn IS NOT NULL AND p.doneOn <= p.dueOn THEN 'kept'
                   WHEN p.doneOn IS NOT NULL THEN 'late' ELSE 'overdue' END AS outcome,
              (p.delayNotifiedOn IS NOT NULL AND p.delayNotifiedOn <= p.dueOn) AS warned
         WITH s, count(*) AS due,
              sum(CASE WHEN outcome = 'kept' THEN 1 ELSE 0 END) AS kept,
              sum(CASE WHEN outcome = 'late' THEN 1 ELSE 0 END) AS late,
              sum(CASE WHEN outcome = 'overdue' THEN 1 ELSE 0 END) AS overdue,
              sum(CASE WHEN outcome <> 'kept' AND NOT warned THEN 1 ELSE 0 END) AS unannounced
         RETURN s, due, kept, late, overdue, unannounced, round(1000.0 * kept / due) / 10",
    );
}

#[test]
fn keep_in_touch_equals_its_query() {
    check(
        "CALL crm.keepInTouch()",
        "MATCH (c:Customer {status: 'active'})
         OPTIONAL MATCH (c)-[:HAS_INTERACTION]->(i:Interaction {direction: 'outbound'})
         WITH c,
              sum(CASE WHEN i.purpose = 'sales' AND i.at >= datetime() - duration('P180D') THEN 1 ELSE 0 END) AS pushes,
              max(CASE WHEN i.purpose <> 'sales' THEN i.at END) AS lastNonSales
         WHERE lastNonSales IS NULL OR lastNonSales < datetime() - duration('P120D')
         OPTIONAL MATCH (s:Staff)-[sv:SERVES]->(c) WHERE sv.until IS NULL AND sv.isPrimary = true
         RETURN c, lastNonSales, pushes, collect(s.name)",
    );
}

#[test]
fn complaints_equals_its_query() {
    check(
        "CALL crm.complaints()",
        "MATCH (t:Ticket {type: 'complaint'})
         OPTIONAL MATCH (t)-[:ABOUT]->(p:Product)
         WITH p, t,
              t.openedAt >= datetime() - duration('P365D') AS recent,
              t.openedAt < datetime() - duration('P365D') AND t.openedAt >= datetime() - duration('P730D') AS earlier
         RETURN p,
                sum(CASE WHEN t.closedAt IS NULL THEN 1 ELSE 0 END),
                max(CASE WHEN t.closedAt IS NULL THEN duration.inDays(t.openedAt, datetime()).days END),
                sum(CASE WHEN recent THEN 1 ELSE 0 END),
                sum(CASE WHEN earlier THEN 1 ELSE 0 END),
                percentileCont(CASE WHEN recent AND t.closedAt IS NOT NULL
                  THEN duration.inSeconds(t.openedAt, t.closedAt).seconds / 3600.0 END, 0.5),
                percentileCont(CASE WHEN recent AND t.closedAt IS NOT NULL
                  THEN duration.inSeconds(t.openedAt, t.closedAt).seconds / 3600.0 END, 0.9)",
    );
}

#[test]
fn nps_equals_its_query() {
    for by in ["segment", "country"] {
        check(
            &format!("CALL crm.nps({{days: 180, by: '{by}'}})"),
            &format!(
                "MATCH (c:Customer)-[:GAVE]->(f:Feedback {{kind: 'nps'}})
                 WHERE f.at >= datetime() - duration('P180D')
                 WITH c.{by} AS g, count(*) AS n,
                      sum(CASE WHEN f.score >= 9 THEN 1 ELSE 0 END) AS p,
                      sum(CASE WHEN f.score <= 6 THEN 1 ELSE 0 END) AS d
                 RETURN g, n, p, d, round(100.0 * (p - d) / n)"
            ),
        );
    }
}

#[test]
fn advocates_equals_its_query() {
    check(
        "CALL crm.advocates()",
        "MATCH chain = (src:Customer)-[:REFERRED*1..2]->(ref:Customer)
         WHERE src <> ref
         WITH src, ref, min(length(chain)) AS depth
         OPTIONAL MATCH (ref)-[:PLACED]->(o:Order {status: 'fulfilled'})
           WHERE o.orderedOn >= date() - duration('P730D')
         WITH src, ref, depth, sum(o.amountBase) AS refRevenue
         WITH src,
              sum(CASE WHEN depth = 1 THEN 1 ELSE 0 END) AS directReferrals,
              sum(CASE WHEN depth = 2 THEN 1 ELSE 0 END) AS secondLevel,
              sum(CASE WHEN depth = 1 THEN refRevenue ELSE 0 END) AS directRevenue,
              sum(refRevenue) AS networkRevenue
         OPTIONAL MATCH (src)-[rw:REFERRED]->(:Customer) WHERE rw.rewarded = true
         RETURN src, directReferrals, secondLevel, directRevenue, networkRevenue, count(rw)",
    );
}

/// The nearest active staff (and distances) by the engine's shortestPath, per target.
fn warm_path_query(target_id: &str) -> String {
    format!(
        "MATCH (t {{id: '{target_id}'}}) WHERE t:Contact OR t:Customer
         MATCH (s:Staff {{active: true}})
         MATCH p = shortestPath((s)-[:KNOWS|PARTICIPATED_IN|WORKS_AT|REFERRED|SERVES*..4]-(t))
         WITH s, length(p) AS hops ORDER BY hops
         WITH collect({{s: s, h: hops}}) AS found
         UNWIND [r IN found WHERE r.h = found[0].h] AS r
         RETURN r.s, r.h"
    )
}

#[test]
fn warm_path_equals_shortest_paths() {
    let cases: [(&Database, &str); 3] = [
        (sample(), "con-elena-voss"),
        (sample(), "cus-northgate"),
        (bundle(), "con-000002"),
    ];
    for (db, target) in cases {
        let n = same(
            db,
            &format!("CALL crm.warmPath('{target}') YIELD staff, hops RETURN staff, hops"),
            &warm_path_query(target),
        );
        assert!(n > 0, "no warm path to {target}");
        // Each path runs from the staff member to the target, with `hops` relationships.
        for row in run(
            db,
            &format!(
                "CALL crm.warmPath('{target}') YIELD staff, hops, path
                 RETURN nodes(path)[0] = staff, last(nodes(path)).id, length(path) = hops"
            ),
        ) {
            assert_eq!(
                row,
                vec![
                    Value::Bool(true),
                    Value::String(target.into()),
                    Value::Bool(true)
                ]
            );
        }
    }
}

fn names(db: &Database, query: &str) -> Vec<String> {
    run(db, query)
        .into_iter()
        .map(|r| match &r[0] {
            Value::String(s) => s.to_string(),
            other => panic!("expected a name, found {other:?}"),
        })
        .collect()
}

#[test]
fn the_sample_tells_its_stories() {
    let db = sample();
    let key = names(
        db,
        "CALL crm.keyPersonRisk() YIELD customer, staff WHERE staff.name = 'Nadia Brandt' RETURN customer.name",
    );
    assert!(key.contains(&"Halvorsen Freight".to_owned()), "{key:?}");
    let risky = names(db, "CALL crm.atRisk() YIELD customer RETURN customer.name");
    for name in ["Pellworm Bakeries", "Orchard Lane Clinics", "Marlow Print"] {
        assert!(
            risky.contains(&name.to_owned()),
            "{name} not at risk: {risky:?}"
        );
    }
    let lost = run(
        db,
        "CALL crm.lostCustomers() YIELD customer, reason, nowUsing
         WHERE customer.name = 'Saltmarsh Hotels' RETURN reason, nowUsing",
    );
    assert_eq!(
        lost,
        vec![vec![
            Value::String("price".into()),
            Value::List(vec![Value::String("Brightwave".into())].into())
        ]]
    );
    let top_loss = run(
        db,
        "CALL crm.winLoss() YIELD competitor, lostRevenue, topLossReasons
         RETURN competitor.name, topLossReasons[0].reason ORDER BY lostRevenue DESC LIMIT 1",
    );
    assert_eq!(
        top_loss,
        vec![vec![
            Value::String("Brightwave".into()),
            Value::String("price".into())
        ]]
    );
    let rising = names(
        db,
        "CALL crm.complaints() YIELD product, opened, openedBefore
         RETURN product.name ORDER BY opened - openedBefore DESC LIMIT 1",
    );
    assert_eq!(rising, vec!["Relay Gateway".to_owned()]);
    let worst = names(
        db,
        "CALL crm.promisesKept() YIELD staff, keptPct RETURN staff.name ORDER BY keptPct LIMIT 1",
    );
    assert_eq!(worst, vec!["Victor Lang".to_owned()]);
    let advocate = names(
        db,
        "CALL crm.advocates() YIELD customer, directReferrals, secondLevel
         RETURN customer.name ORDER BY directReferrals + secondLevel DESC LIMIT 1",
    );
    assert_eq!(advocate, vec!["Juniper Architects".to_owned()]);
    let unfair = names(
        db,
        "CALL crm.loyaltyFairness() YIELD product RETURN product.name",
    );
    assert!(unfair.contains(&"Aurora Suite".to_owned()), "{unfair:?}");
    let path = run(
        db,
        "CALL crm.warmPath('con-elena-voss') YIELD hops RETURN min(hops)",
    );
    // Elena knows a contact at Juniper Architects, whose account team serves them.
    assert_eq!(path, vec![vec![Value::Int(3)]]);
}

#[test]
fn the_sample_installs_the_same_every_time() {
    let now = DateTime::parse("2025-06-15T12:00:00Z").expect("now");
    let db = Database::in_memory().expect("db").with_now(Some(now));
    install_sample(&db);
    let counts = "MATCH (n) RETURN labels(n)[0] AS l, count(*) AS n ORDER BY l";
    assert_eq!(run(&db, counts), run(sample(), counts));
    let customers = run(
        &db,
        "MATCH (c:Customer) RETURN count(c), count(DISTINCT c.name)",
    );
    assert_eq!(customers, vec![vec![Value::Int(300), Value::Int(300)]]);
}

#[test]
fn procedures_compose_with_where_and_order_by() {
    let db = sample();
    let all = run(
        db,
        "CALL crm.atRisk() YIELD customer, score RETURN customer, score",
    );
    let filtered = run(
        db,
        "CALL crm.atRisk() YIELD customer, score WHERE score >= 3
         RETURN customer.name AS name ORDER BY name",
    );
    let expected = all
        .iter()
        .filter(|r| matches!(r[1], Value::Int(s) if s >= 3))
        .count();
    assert_eq!(filtered.len(), expected);
    let mut sorted = filtered.clone();
    sorted.sort_by_key(|r| r[0].to_string());
    assert_eq!(filtered, sorted);
}

#[test]
fn as_of_moves_the_clock() {
    let db = sample();
    let today = run(db, "CALL crm.retention() YIELD periodEnd RETURN periodEnd");
    let earlier = run(
        db,
        "CALL crm.retention({asOf: date('2025-01-01')}) YIELD periodEnd RETURN periodEnd",
    );
    assert_eq!(today, run(db, "RETURN date()"));
    assert_eq!(earlier, run(db, "RETURN date('2025-01-01')"));
}

#[test]
fn the_schema_installs_once() {
    let db = Database::in_memory().expect("db");
    install_sample(&db);
    let first = run(
        &db,
        "CALL crm.installSchema() YIELD created RETURN count(*), sum(CASE WHEN created THEN 1 ELSE 0 END)",
    );
    let n = cordial::crm::schema::UNIQUE_IDS.len() + cordial::crm::schema::INDEXES.len();
    assert_eq!(
        first,
        vec![vec![Value::Int(n as i64), Value::Int(n as i64)]]
    );
    let again = run(
        &db,
        "CALL crm.installSchema() YIELD created WHERE created RETURN count(*)",
    );
    assert_eq!(again, vec![vec![Value::Int(0)]]);
    // The unique ids hold: a second customer with an existing id is refused.
    assert!(
        db.query_all("CREATE (:Customer {id: 'cus-halvorsen'})", Map::new())
            .is_err()
    );
    let shown = run(&db, "SHOW CONSTRAINTS");
    assert!(shown.len() >= cordial::crm::schema::UNIQUE_IDS.len());
}

/// The statements of an example script, as text; each must parse.
fn statements(path: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(path).expect("example");
    cordial::language::split_statements(&text)
        .into_iter()
        .map(|(_, piece)| {
            Statement::parse(piece).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            piece.to_owned()
        })
        .collect()
}

fn examples() -> Vec<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("examples/")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "cypher"))
        .collect();
    files.sort();
    files
}

#[test]
fn every_example_question_runs_and_answers_on_the_sample() {
    let files = examples();
    // One file per analyst question of questions.md, and the weekly report.
    assert_eq!(files.len(), 16, "{files:?}");
    for file in &files {
        for statement in statements(file) {
            let on_sample = run(sample(), &statement);
            assert!(
                !on_sample.is_empty(),
                "{}: no answer on the sample:\n{statement}",
                file.display()
            );
        }
    }
}

#[test]
fn the_question_examples_equal_the_reference_answers_on_the_bundle() {
    // The reference answers of ../shared/bench/expected/N1000 count rows per question.
    let index: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(shared_dir().join("bench/expected/N1000/index.json"))
            .expect("index"),
    )
    .expect("json");
    let mut checked = 0;
    for file in examples() {
        let name = file
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_owned();
        let Some(number) = name.strip_prefix('q').and_then(|r| r.get(..2)) else {
            continue;
        };
        if name.starts_with("weekly") {
            continue;
        }
        let id = format!("Q{number}");
        let Some(expected) = index
            .get(&id)
            .and_then(|q| q.get("rows"))
            .and_then(serde_json::Value::as_u64)
        else {
            continue;
        };
        let texts = statements(&file);
        assert_eq!(texts.len(), 1, "{name}");
        let rows = run(bundle(), &texts[0]);
        assert_eq!(
            rows.len() as u64,
            expected,
            "{name}: row count against {id}.csv"
        );
        checked += 1;
    }
    assert_eq!(checked, 15);
}

#[test]
fn cordial_init_installs_the_crm_schema_once() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("crm.db");
    let init = || {
        let out = Command::new(env!("CARGO_BIN_EXE_cordial"))
            .arg("--db")
            .arg(&db)
            .args(["init", "--schema", "crm"])
            .output()
            .expect("run cordial");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let n = cordial::crm::schema::UNIQUE_IDS.len() + cordial::crm::schema::INDEXES.len();
    assert!(init().contains(&format!("{n} of {n}")));
    assert!(init().contains(&format!("0 of {n}")));
    let opened = Database::open(&db).expect("open");
    let constraints = run(&opened, "SHOW CONSTRAINTS");
    assert_eq!(constraints.len(), cordial::crm::schema::UNIQUE_IDS.len());
}

//! The customer-management domain: the standard schema, the bundled sample company and the
//! `crm.*` procedures, which answer the analyst questions directly over `GraphRead`. Each
//! procedure equals a plain openCypher query (tests/domain.rs checks it). Knows nothing of the
//! CLI or import.

pub mod accounts;
pub mod churn;
pub mod competition;
pub mod gdpr;
pub mod revenue;
pub mod sample;
pub mod schema;
pub mod service;
pub mod view;

use crate::procedure::ProcedureDef;

/// Every `crm.*` procedure. Options come as one map; every procedure also takes `asOf` (a DATE
/// or DATETIME) to answer as of another day than the statement clock's.
pub static PROCEDURES: &[ProcedureDef] = &[
    ProcedureDef {
        name: "crm.installSchema",
        min_args: 0,
        max_args: 0,
        outputs: &["kind", "name", "label", "property", "created"],
        description: "crm.installSchema(): creates the standard schema's unique id constraint \
            per label and the indexes the crm procedures filter on, skipping those present. \
            kind: 'unique' or 'index'; name; label; property; created: false when it existed",
        writes: true,
        call: schema::install_schema,
    },
    ProcedureDef {
        name: "crm.keyPersonRisk",
        min_args: 0,
        max_args: 1,
        outputs: &[
            "customer",
            "staff",
            "revenue",
            "openOpportunities",
            "openPipeline",
            "openTickets",
            "openCommitments",
        ],
        description: "crm.keyPersonRisk({days: 365}): active customers whose whole relationship \
            hangs on one active staff member (the only active staff who serve them now or took \
            part in their interactions in the last `days`), and what would leave with that \
            person. customer; staff: that person; revenue: fulfilled orders in the window; \
            openOpportunities, openPipeline: open deals and their amountBase; openTickets: \
            tickets not closed; openCommitments: open promises that person made to them. \
            Largest revenue first",
        writes: false,
        call: accounts::key_person_risk,
    },
    ProcedureDef {
        name: "crm.singleThreaded",
        min_args: 0,
        max_args: 1,
        outputs: &[
            "customer",
            "engagedContacts",
            "activeContacts",
            "openOpportunities",
            "openPipeline",
        ],
        description: "crm.singleThreaded({days: 180}): active customers held by one thread on \
            their side: exactly one contact took part in interactions in the last `days`, or \
            at most one contact currently works there. customer; engagedContacts: names of \
            the contacts engaged in the window; activeContacts: current WORKS_AT contacts; \
            openOpportunities, openPipeline: open deals hanging on it. Largest pipeline first",
        writes: false,
        call: accounts::single_threaded,
    },
    ProcedureDef {
        name: "crm.atRisk",
        min_args: 0,
        max_args: 1,
        outputs: &[
            "customer",
            "score",
            "signals",
            "lastTouch",
            "priorSpend",
            "recentSpend",
        ],
        description: "crm.atRisk({days: 90, spendDays: 180, dropPct: 30, npsDays: 365, \
            complaintDays: 14, minSignals: 2}): active customers showing at least minSignals \
            churn signals: no interaction in `days`; spend in the last spendDays below \
            (100 - dropPct)% of the spendDays before; an NPS answer of 6 or less in npsDays; \
            a complaint open longer than complaintDays. customer; score: signals shown; \
            signals: their names; lastTouch: latest interaction; priorSpend, recentSpend: \
            fulfilled order amounts of the two halves. Most signals first",
        writes: false,
        call: churn::at_risk,
    },
    ProcedureDef {
        name: "crm.lifetimeValue",
        min_args: 0,
        max_args: 1,
        outputs: &[
            "customer",
            "orders",
            "revenue",
            "margin",
            "firstOrder",
            "tenureYears",
            "marginPerYear",
        ],
        description: "crm.lifetimeValue(): historical lifetime value of every customer with a \
            fulfilled order. orders; revenue: sum of amountBase; margin: sum of margin (the \
            historical CLV); firstOrder; tenureYears: from the first order to churn or today, \
            in years of 365.25 days; marginPerYear: margin over tenure (the margin itself \
            under one year). Highest margin first",
        writes: false,
        call: revenue::lifetime_value,
    },
    ProcedureDef {
        name: "crm.rfm",
        min_args: 0,
        max_args: 1,
        outputs: &[
            "customer",
            "recencyDays",
            "frequency",
            "monetary",
            "r",
            "f",
            "m",
            "segment",
        ],
        description: "crm.rfm({days: 0}): recency, frequency and monetary value of each \
            customer's fulfilled orders (of the last `days`; 0: all history). recencyDays: \
            days since the last order; frequency: orders; monetary: sum of amountBase; r, f, \
            m: quintile scores 1 (worst) to 5 among the customers listed, equal values \
            scoring alike; segment: champion, loyal, new_or_promising, at_risk_valuable, \
            hibernating or needs_attention. Best total score first",
        writes: false,
        call: revenue::rfm,
    },
    ProcedureDef {
        name: "crm.retention",
        min_args: 0,
        max_args: 1,
        outputs: &[
            "periodStart",
            "periodEnd",
            "atStart",
            "new",
            "atEnd",
            "kept",
            "retentionPct",
            "keptPct",
        ],
        description: "crm.retention({days: 365} or {from: date, to: date}): customer retention \
            over a period (to defaults to today, from to `days` before it). periodStart, \
            periodEnd: the period's days; atStart, atEnd: \
            customers (since set, not churned) on each day; new: customers since within the \
            period; kept: present at both ends; retentionPct: (atEnd - new) / atStart, the \
            classic rate; keptPct: kept / atStart, which new customers who left cannot blur",
        writes: false,
        call: revenue::retention,
    },
    ProcedureDef {
        name: "crm.lostCustomers",
        min_args: 0,
        max_args: 1,
        outputs: &[
            "customer",
            "churnedOn",
            "reason",
            "lastNps",
            "complaintsBeforeChurn",
            "nowUsing",
        ],
        description: "crm.lostCustomers({days: 365}): customers who churned in the last `days`, \
            with why. churnedOn; reason: churnReason; lastNps: their latest NPS score; \
            complaintsBeforeChurn: complaints opened from six months before churning; \
            nowUsing: competitors whose products they started using from three months \
            before churning. Latest first",
        writes: false,
        call: churn::lost_customers,
    },
    ProcedureDef {
        name: "crm.competitorPressure",
        min_args: 0,
        max_args: 1,
        outputs: &[
            "competitor",
            "mentions",
            "customers",
            "topics",
            "saidBetter",
            "saidWorse",
            "losses",
            "lostRevenue",
            "customersUsing",
            "rivalledProducts",
        ],
        description: "crm.competitorPressure({days: 365}): per competitor, what customers say \
            and what we lose. mentions: interactions and feedback in the last `days` that \
            mention them; customers: distinct customers behind those; topics: [{topic, \
            mentions}] most frequent first; saidBetter / saidWorse: verdicts \
            competitor_better / we_better; losses, lostRevenue: opportunities lost to them \
            closed in the window; customersUsing: customers currently using their products; \
            rivalledProducts: names of our products theirs rival. Largest lost revenue first",
        writes: false,
        call: competition::competitor_pressure,
    },
    ProcedureDef {
        name: "crm.winLoss",
        min_args: 0,
        max_args: 1,
        outputs: &[
            "competitor",
            "decided",
            "won",
            "lost",
            "winRatePct",
            "lostRevenue",
            "topLossReasons",
        ],
        description: "crm.winLoss({days: 365}): our record against each competitor in deals \
            closed (won or lost) in the last `days` where they competed. decided; won; lost: \
            deals lost to them; winRatePct; lostRevenue: amountBase of those; topLossReasons: \
            [{reason, deals}], the three most frequent. Largest lost revenue first",
        writes: false,
        call: competition::win_loss,
    },
    ProcedureDef {
        name: "crm.loyaltyFairness",
        min_args: 0,
        max_args: 1,
        outputs: &[
            "product",
            "avgDiscountNew",
            "avgDiscountExisting",
            "newLines",
            "existingLines",
        ],
        description: "crm.loyaltyFairness({days: 365}): products on which new customers got \
            better deals than existing ones: the average line discountPct on customers' \
            first orders (new) against later orders (existing), over fulfilled orders of the \
            last `days`; only products where new beats existing. product; avgDiscountNew, \
            avgDiscountExisting: the two averages; newLines, existingLines: order lines \
            behind each. Largest gap first",
        writes: false,
        call: revenue::loyalty_fairness,
    },
    ProcedureDef {
        name: "crm.promisesKept",
        min_args: 0,
        max_args: 1,
        outputs: &[
            "staff",
            "due",
            "kept",
            "late",
            "overdue",
            "missedWithoutNotice",
            "keptPct",
        ],
        description: "crm.promisesKept({days: 90}): per staff member, the commitments owed to \
            customers that fell due in the last `days` (not cancelled). due; kept: done on or \
            before the due day; late: done after it; overdue: not done; missedWithoutNotice: \
            late or overdue with no delay notice by the due day; keptPct. Lowest keptPct \
            first",
        writes: false,
        call: service::promises_kept,
    },
    ProcedureDef {
        name: "crm.keepInTouch",
        min_args: 0,
        max_args: 1,
        outputs: &[
            "customer",
            "lastNonSalesTouch",
            "salesPushes",
            "primaryStaff",
        ],
        description: "crm.keepInTouch({days: 120, salesDays: 180}): active customers with no \
            outbound touch other than selling (relationship, service, feedback...) in the \
            last `days`, or never. lastNonSalesTouch; salesPushes: outbound sales \
            interactions in the last salesDays; primaryStaff: names of their current primary \
            staff. Most sales pushes first",
        writes: false,
        call: accounts::keep_in_touch,
    },
    ProcedureDef {
        name: "crm.complaints",
        min_args: 0,
        max_args: 1,
        outputs: &[
            "product",
            "open",
            "oldestOpenDays",
            "opened",
            "openedBefore",
            "medianResolutionHours",
            "p90ResolutionHours",
        ],
        description: "crm.complaints({days: 365}): complaint tickets per product they are about \
            (null: about no product). open: not closed; oldestOpenDays: age of the oldest \
            open one; opened: opened in the last `days`; openedBefore: in the `days` before \
            that (opened > openedBefore means rising); medianResolutionHours, \
            p90ResolutionHours: percentileCont of open-to-close hours of those opened in the \
            window and closed. Fastest rising first",
        writes: false,
        call: service::complaints,
    },
    ProcedureDef {
        name: "crm.nps",
        min_args: 0,
        max_args: 1,
        outputs: &["group", "responses", "promoters", "detractors", "nps"],
        description: "crm.nps({days: 90, by: 'segment'}): Net Promoter Score of the NPS answers \
            customers gave in the last `days`, grouped by the customer property `by`. \
            promoters: scores 9-10; detractors: 0-6; nps: round(100 * (promoters - \
            detractors) / responses). Lowest first",
        writes: false,
        call: service::nps,
    },
    ProcedureDef {
        name: "crm.advocates",
        min_args: 0,
        max_args: 1,
        outputs: &[
            "customer",
            "directReferrals",
            "secondLevel",
            "directRevenue",
            "networkRevenue",
            "rewardedReferrals",
        ],
        description: "crm.advocates({days: 730}): customers who referred others, by the \
            revenue their referrals brought. directReferrals; secondLevel: customers their \
            referrals referred in turn; directRevenue, networkRevenue: fulfilled orders of \
            the last `days` of the direct referrals, and of both levels; rewardedReferrals: \
            referrals we rewarded. Largest network revenue first",
        writes: false,
        call: revenue::advocates,
    },
    ProcedureDef {
        name: "crm.warmPath",
        min_args: 1,
        max_args: 2,
        outputs: &["staff", "hops", "path"],
        description: "crm.warmPath(target, {maxHops: 4}): the shortest introduction paths from \
            our active staff to a contact or customer (a node, or the id of a Contact or \
            Customer), along KNOWS, PARTICIPATED_IN, WORKS_AT, REFERRED and SERVES in either \
            direction. One row per active staff member at the smallest distance: staff; \
            hops; path: one shortest path from them to the target. No rows when none is \
            within maxHops",
        writes: false,
        call: accounts::warm_path,
    },
];

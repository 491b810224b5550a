// The weekly customer report: one script, run with `cordial run examples/weekly_report.cypher`
// against the demo database or any database of the standard schema. Pin the clock (`--now`)
// to reproduce a past week's report exactly.

// 1. Are we keeping our customers? Retention over the last twelve months.
CALL crm.retention({days: 365})
YIELD atStart, new, atEnd, kept, retentionPct, keptPct
RETURN atStart, new, atEnd, kept, retentionPct, keptPct;

// 2. Who might leave? Active customers with two or more churn signals.
CALL crm.atRisk()
YIELD customer, score, signals, recentSpend, priorSpend
RETURN customer.name AS customer, customer.segment AS segment, score, signals,
       round(priorSpend) AS prior6m, round(recentSpend) AS last6m
ORDER BY score DESC, prior6m DESC
LIMIT 15;

// 3. Who did we lose this year, why, and to whom?
CALL crm.lostCustomers({days: 365})
YIELD customer, churnedOn, reason, lastNps, nowUsing
RETURN customer.name AS customer, churnedOn, reason, lastNps, nowUsing
ORDER BY churnedOn DESC;

// 4. Which relationships hang on one person on our side?
CALL crm.keyPersonRisk()
YIELD customer, staff, revenue, openPipeline, openCommitments
RETURN staff.name AS staff, count(customer) AS customers, round(sum(revenue)) AS revenueAtStake,
       round(sum(openPipeline)) AS pipelineAtStake, sum(openCommitments) AS openPromises
ORDER BY revenueAtStake DESC;

// 5. Did we keep our word this quarter?
CALL crm.promisesKept({days: 90})
YIELD staff, due, kept, late, overdue, missedWithoutNotice, keptPct
RETURN staff.name AS staff, staff.department AS department, due, kept, late, overdue,
       missedWithoutNotice, keptPct
ORDER BY keptPct, missedWithoutNotice DESC;

// 6. What are the competitors doing?
CALL crm.competitorPressure({days: 90})
YIELD competitor, mentions, saidBetter, losses, lostRevenue, topics
RETURN competitor.name AS competitor, mentions, saidBetter, losses, round(lostRevenue) AS lostRevenue,
       [t IN topics | t.topic][0..3] AS topTopics
ORDER BY lostRevenue DESC, mentions DESC;

// 7. Complaints: which products draw more of them, and how fast do we resolve them?
CALL crm.complaints({days: 90})
YIELD product, open, oldestOpenDays, opened, openedBefore, medianResolutionHours
RETURN coalesce(product.name, '(no product)') AS product, open, oldestOpenDays, opened,
       openedBefore, round(medianResolutionHours) AS medianHours
ORDER BY opened - openedBefore DESC;

// 8. What do customers say? NPS by segment this quarter.
CALL crm.nps({days: 90, by: 'segment'})
YIELD group, responses, promoters, detractors, nps
RETURN group AS segment, responses, promoters, detractors, nps
ORDER BY nps;

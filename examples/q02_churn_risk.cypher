// Q2. Churn-risk watch-list: active customers showing ≥2 of four warning signs.
// From ../shared/domain/questions.md, in plain openCypher. Run it against the demo database
// (`cordial demo`) or any database of the standard schema: `cordial run examples/q02_churn_risk.cypher`.
// The same answer in one line (with its own defaults): CALL crm.atRisk()
MATCH (c:Customer {status: 'active'})
OPTIONAL MATCH (c)-[:HAS_INTERACTION]->(i:Interaction)
WITH c, max(i.at) AS lastTouch
OPTIONAL MATCH (c)-[:PLACED]->(o:Order {status: 'fulfilled'})
  WHERE o.orderedOn > date() - duration('P12M')
WITH c, lastTouch,
     sum(CASE WHEN o.orderedOn >  date() - duration('P6M') THEN o.amountBase ELSE 0 END) AS last6m,
     sum(CASE WHEN o.orderedOn <= date() - duration('P6M') THEN o.amountBase ELSE 0 END) AS prior6m
OPTIONAL MATCH (c)-[:GAVE]->(f:Feedback {kind: 'nps'})
  WHERE f.at > datetime() - duration('P12M')
WITH c, lastTouch, last6m, prior6m, min(f.score) AS worstNps
OPTIONAL MATCH (c)-[:RAISED]->(t:Ticket {type: 'complaint'})
  WHERE t.closedAt IS NULL AND t.openedAt < datetime() - duration('P14D')
WITH c, lastTouch, last6m, prior6m, worstNps, count(t) AS staleComplaints
WITH c, lastTouch, last6m, prior6m,
     [x IN [CASE WHEN lastTouch IS NULL OR lastTouch < datetime() - duration('P90D') THEN 'no_touch_90d' END,
            CASE WHEN prior6m > 0 AND last6m < 0.7 * prior6m THEN 'spend_down_30pct' END,
            CASE WHEN worstNps <= 6 THEN 'detractor' END,
            CASE WHEN staleComplaints > 0 THEN 'complaint_open_14d' END]
      WHERE x IS NOT NULL] AS signals
WHERE size(signals) >= 2
RETURN c.name AS customer, c.segment AS segment, signals, lastTouch, prior6m, last6m
ORDER BY size(signals) DESC, prior6m DESC;

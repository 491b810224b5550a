// Q11. Are new customers getting better discounts than existing ones?
// From ../shared/domain/questions.md, in plain openCypher. Run it against the demo database
// (`cordial demo`) or any database of the standard schema: `cordial run examples/q11_loyalty_fairness.cypher`.
// The same answer in one line (with its own defaults): CALL crm.loyaltyFairness()
MATCH (c:Customer)-[:PLACED]->(o:Order {status: 'fulfilled'})
WITH c, min(o.orderedOn) AS firstOrder
MATCH (c)-[:PLACED]->(o:Order {status: 'fulfilled'})-[li:INCLUDES]->(p:Product)
WHERE o.orderedOn >= date() - duration('P12M')
WITH p, CASE WHEN o.orderedOn = firstOrder THEN 'new' ELSE 'existing' END AS cohort,
     avg(coalesce(li.discountPct, 0)) AS avgDiscount, count(*) AS lines
WITH p, collect({cohort: cohort, d: avgDiscount, n: lines}) AS rows
WITH p, [r IN rows WHERE r.cohort = 'new'][0] AS nw, [r IN rows WHERE r.cohort = 'existing'][0] AS ex
WHERE nw IS NOT NULL AND ex IS NOT NULL AND nw.d > ex.d
RETURN p.name AS product, nw.d AS avgDiscountNew, ex.d AS avgDiscountExisting,
       nw.n AS newLines, ex.n AS existingLines
ORDER BY avgDiscountNew - avgDiscountExisting DESC;

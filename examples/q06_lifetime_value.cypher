// Q6. Historical customer lifetime value: revenue and margin to date, tenure, and margin per year; top 20.
// From ../shared/domain/questions.md, in plain openCypher. Run it against the demo database
// (`cordial demo`) or any database of the standard schema: `cordial run examples/q06_lifetime_value.cypher`.
// The same answer in one line (with its own defaults): CALL crm.lifetimeValue()
MATCH (c:Customer)-[:PLACED]->(o:Order {status: 'fulfilled'})
WITH c, sum(o.amountBase) AS revenue, sum(coalesce(o.margin, 0)) AS margin,
     min(o.orderedOn) AS firstOrder, count(o) AS orders
WITH c, revenue, margin, orders,
     duration.inDays(firstOrder, coalesce(c.churnedOn, date())).days / 365.25 AS tenureYears
RETURN c.name AS customer, c.segment AS segment, orders, revenue, margin AS historicalClv,
       round(10 * tenureYears) / 10 AS tenure,
       CASE WHEN tenureYears < 1 THEN margin ELSE margin / tenureYears END AS marginPerYear
ORDER BY historicalClv DESC
LIMIT 20;

// Q29. Does the whole organisation know our biggest customers?
// From ../shared/domain/questions.md, in plain openCypher. Run it against the demo database
// (`cordial demo`) or any database of the standard schema: `cordial run examples/q29_organisation_breadth.cypher`.
MATCH (c:Customer {status: 'active'})-[:PLACED]->(o:Order {status: 'fulfilled'})
WHERE o.orderedOn >= date() - duration('P12M')
WITH c, sum(o.amountBase) AS revenue
ORDER BY revenue DESC
LIMIT 50
OPTIONAL MATCH (s:Staff)-[:PARTICIPATED_IN]->(i:Interaction)<-[:HAS_INTERACTION]-(c)
  WHERE i.at >= datetime() - duration('P12M')
WITH c, revenue, collect(DISTINCT s.department) AS departments, count(DISTINCT i) AS touches,
     count(DISTINCT CASE WHEN s.department = 'sales' THEN i END) AS salesTouches
RETURN c.name AS customer, revenue, departments, size(departments) AS breadth, touches,
       CASE WHEN touches = 0 THEN null ELSE round(100.0 * salesTouches / touches) END AS pctLoggedBySales
ORDER BY breadth, revenue DESC;

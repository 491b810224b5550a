// Q3. Lost-customer analysis: why did the customers lost in the last year leave?
// From ../shared/domain/questions.md, in plain openCypher. Run it against the demo database
// (`cordial demo`) or any database of the standard schema: `cordial run examples/q03_lost_customers.cypher`.
// The same answer in one line (with its own defaults): CALL crm.lostCustomers()
MATCH (c:Customer)
WHERE c.churnedOn >= date() - duration('P12M')
OPTIONAL MATCH (c)-[:GAVE]->(f:Feedback {kind: 'nps'})
WITH c, max(f.at) AS lastNpsAt
OPTIONAL MATCH (c)-[:GAVE]->(f:Feedback {kind: 'nps'})
  WHERE f.at = lastNpsAt
WITH c, f.score AS lastNps
OPTIONAL MATCH (c)-[:RAISED]->(t:Ticket {type: 'complaint'})
  WHERE date({date: t.openedAt}) >= c.churnedOn - duration('P6M')
WITH c, lastNps, count(t) AS complaintsBeforeChurn
OPTIONAL MATCH (c)-[u:USES]->(:CompetitorProduct)<-[:OFFERS]-(k:Competitor)
  WHERE u.since >= c.churnedOn - duration('P3M')
RETURN c.segment AS segment, c.name AS customer, c.churnedOn AS churnedOn, c.churnReason AS reason,
       lastNps, complaintsBeforeChurn, collect(DISTINCT k.name) AS nowUsing
ORDER BY churnedOn DESC;

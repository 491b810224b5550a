// Q26. Key-person risk on our side.
// From ../shared/domain/questions.md, in plain openCypher. Run it against the demo database
// (`cordial demo`) or any database of the standard schema: `cordial run examples/q26_key_person_risk.cypher`.
// The same answer in one line (with its own defaults): CALL crm.keyPersonRisk()
MATCH (c:Customer {status: 'active'})
OPTIONAL MATCH (s:Staff)-[:PARTICIPATED_IN]->(i:Interaction)<-[:HAS_INTERACTION]-(c)
  WHERE i.at >= datetime() - duration('P12M')
WITH c, collect(DISTINCT s) AS touchers
OPTIONAL MATCH (t:Staff)-[sv:SERVES]->(c)
  WHERE sv.until IS NULL
WITH c, touchers, collect(DISTINCT t) AS team
WHERE size(touchers) <= 1 AND size(team) <= 1
OPTIONAL MATCH (c)-[:PLACED]->(o:Order {status: 'fulfilled'})
  WHERE o.orderedOn >= date() - duration('P12M')
WITH c, touchers, team, sum(o.amountBase) AS revenue12m
RETURN c.name AS customer, [x IN touchers | x.name] AS onlyPersonInTouch,
       [x IN team | x.name] AS assigned, revenue12m
ORDER BY revenue12m DESC;

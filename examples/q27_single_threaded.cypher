// Q27. Single-threaded customers (the customer side).
// From ../shared/domain/questions.md, in plain openCypher. Run it against the demo database
// (`cordial demo`) or any database of the standard schema: `cordial run examples/q27_single_threaded.cypher`.
// The same answer in one line (with its own defaults): CALL crm.singleThreaded()
MATCH (c:Customer {status: 'active'})
OPTIONAL MATCH (p:Contact)-[:PARTICIPATED_IN]->(i:Interaction)<-[:HAS_INTERACTION]-(c)
  WHERE i.at >= datetime() - duration('P6M')
WITH c, collect(DISTINCT p) AS engaged
OPTIONAL MATCH (a:Contact)-[w:WORKS_AT]->(c)
  WHERE w.until IS NULL
WITH c, engaged, count(DISTINCT a) AS activeContacts
WHERE size(engaged) = 1 OR activeContacts <= 1
OPTIONAL MATCH (c)-[:HAS_OPPORTUNITY]->(o:Opportunity {status: 'open'})
WITH c, engaged, activeContacts, count(o) AS openOpps, sum(o.amountBase) AS openPipeline
RETURN c.name AS customer, [x IN engaged | x.name] AS singleThread, activeContacts,
       openOpps, openPipeline
ORDER BY openPipeline DESC;

// Q30. Who are our best advocates?
// From ../shared/domain/questions.md, in plain openCypher. Run it against the demo database
// (`cordial demo`) or any database of the standard schema: `cordial run examples/q30_advocates.cypher`.
// The same answer in one line (with its own defaults): CALL crm.advocates()
MATCH chain = (src:Customer)-[:REFERRED*1..2]->(ref:Customer)
WHERE src <> ref
WITH src, ref, min(length(chain)) AS depth
OPTIONAL MATCH (ref)-[:PLACED]->(o:Order {status: 'fulfilled'})
  WHERE o.orderedOn >= date() - duration('P24M')
WITH src, ref, depth, sum(o.amountBase) AS refRevenue
WITH src,
     sum(CASE WHEN depth = 1 THEN 1 ELSE 0 END) AS directReferrals,
     sum(CASE WHEN depth = 2 THEN 1 ELSE 0 END) AS secondLevel,
     sum(CASE WHEN depth = 1 THEN refRevenue ELSE 0 END) AS directRevenue,
     sum(refRevenue) AS networkRevenue
OPTIONAL MATCH (src)-[rw:REFERRED]->(:Customer)
  WHERE rw.rewarded = true
WITH src, directReferrals, secondLevel, directRevenue, networkRevenue, count(rw) AS rewardedReferrals
RETURN src.name AS advocate, directReferrals, secondLevel, directRevenue, networkRevenue, rewardedReferrals
ORDER BY networkRevenue DESC
LIMIT 20;

// Q8. Share of wallet: our last-12-month revenue as a share of the customer's estimated category spend.
// From ../shared/domain/questions.md, in plain openCypher. Run it against the demo database
// (`cordial demo`) or any database of the standard schema: `cordial run examples/q08_share_of_wallet.cypher`.
MATCH (c:Customer {status: 'active'})
WHERE c.walletEstimate > 0
OPTIONAL MATCH (c)-[:PLACED]->(o:Order {status: 'fulfilled'})
  WHERE o.orderedOn >= date() - duration('P12M')
WITH c, sum(o.amountBase) AS ourSpend
OPTIONAL MATCH (c)-[u:USES]->(:CompetitorProduct)<-[:OFFERS]-(k:Competitor)
  WHERE u.until IS NULL
WITH c, ourSpend, collect(DISTINCT k.name) AS alsoBuysFrom
RETURN c.name AS customer, c.segment AS segment, ourSpend, c.walletEstimate AS wallet,
       round(1000.0 * ourSpend / c.walletEstimate) / 10 AS shareOfWalletPct,
       c.walletEstimate - ourSpend AS headroom, alsoBuysFrom
ORDER BY headroom DESC
LIMIT 25;

// Q22. Win/loss against each competitor over 12 months.
// From ../shared/domain/questions.md, in plain openCypher. Run it against the demo database
// (`cordial demo`) or any database of the standard schema: `cordial run examples/q22_win_loss.cypher`.
// The same answer in one line (with its own defaults): CALL crm.winLoss()
MATCH (o:Opportunity)-[:COMPETED_WITH]->(k:Competitor)
WHERE o.status IN ['won', 'lost'] AND o.closedOn >= date() - duration('P12M')
OPTIONAL MATCH (o)-[l:LOST_TO]->(k)
WITH k, count(o) AS decided,
     sum(CASE WHEN o.status = 'won' THEN 1 ELSE 0 END) AS won,
     sum(CASE WHEN l IS NULL THEN 0 ELSE o.amountBase END) AS lostToThem,
     collect(l.reason) AS reasons
UNWIND CASE WHEN size(reasons) = 0 THEN [null] ELSE reasons END AS reason
WITH k, decided, won, lostToThem, reason, count(reason) AS times
ORDER BY times DESC
WITH k, decided, won, lostToThem,
     collect(CASE WHEN reason IS NULL THEN null ELSE {reason: reason, deals: times} END) AS lossReasons
RETURN k.name AS competitor, decided, won, round(1000.0 * won / decided) / 10 AS winRatePct,
       lostToThem, lossReasons[0..3] AS topLossReasons
ORDER BY lostToThem DESC;

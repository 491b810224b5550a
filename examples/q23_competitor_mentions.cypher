// Q23. What customers are saying about competitors (last 90 days), by competitor and topic.
// From ../shared/domain/questions.md, in plain openCypher. Run it against the demo database
// (`cordial demo`) or any database of the standard schema: `cordial run examples/q23_competitor_mentions.cypher`.
// The same answer in one line (with its own defaults): CALL crm.competitorPressure()
MATCH (src)-[m:MENTIONS]->(k:Competitor)
WHERE (src:Interaction OR src:Feedback) AND src.at >= datetime() - duration('P90D')
OPTIONAL MATCH (c1:Customer)-[:HAS_INTERACTION]->(src)
OPTIONAL MATCH (c2:Customer)-[:GAVE]->(src)
WITH k, m, coalesce(c1, c2) AS c
WITH k.name AS competitor, m.topic AS topic, count(*) AS mentions,
     count(DISTINCT c) AS customers,
     sum(CASE WHEN m.verdict = 'competitor_better' THEN 1 ELSE 0 END) AS saidTheyAreBetter,
     avg(m.sentiment) AS avgSentiment, collect(m.note) AS notes
RETURN competitor, topic, mentions, customers, saidTheyAreBetter, avgSentiment, notes[0..3] AS sampleNotes
ORDER BY saidTheyAreBetter DESC, mentions DESC;

// Q18. NPS by segment, last quarter.
// From ../shared/domain/questions.md, in plain openCypher. Run it against the demo database
// (`cordial demo`) or any database of the standard schema: `cordial run examples/q18_nps_by_segment.cypher`.
// The same answer in one line (with its own defaults): CALL crm.nps()
MATCH (c:Customer)-[:GAVE]->(f:Feedback {kind: 'nps'})
WHERE f.at >= datetime() - duration('P3M')
WITH c.segment AS segment, count(*) AS responses,
     sum(CASE WHEN f.score >= 9 THEN 1 ELSE 0 END) AS promoters,
     sum(CASE WHEN f.score <= 6 THEN 1 ELSE 0 END) AS detractors
RETURN segment, responses, promoters, detractors,
       round(100.0 * (promoters - detractors) / responses) AS nps
ORDER BY nps;

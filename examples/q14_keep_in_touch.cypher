// Q14. Keep in touch without selling: active customers whose last non-sales outbound touch (a relationship, service or feedback contact) is more than 120 days old, or who never had one.
// From ../shared/domain/questions.md, in plain openCypher. Run it against the demo database
// (`cordial demo`) or any database of the standard schema: `cordial run examples/q14_keep_in_touch.cypher`.
// The same answer in one line (with its own defaults): CALL crm.keepInTouch()
MATCH (c:Customer {status: 'active'})
OPTIONAL MATCH (c)-[:HAS_INTERACTION]->(i:Interaction {direction: 'outbound'})
WITH c,
     sum(CASE WHEN i.purpose = 'sales' AND i.at >= datetime() - duration('P180D') THEN 1 ELSE 0 END) AS salesPushes180d,
     max(CASE WHEN i.purpose <> 'sales' THEN i.at END) AS lastNonSalesTouch
WHERE lastNonSalesTouch IS NULL OR lastNonSalesTouch < datetime() - duration('P120D')
OPTIONAL MATCH (s:Staff)-[sv:SERVES]->(c)
  WHERE sv.until IS NULL AND sv.isPrimary = true
RETURN c.name AS customer, c.segment AS segment, salesPushes180d, lastNonSalesTouch,
       collect(s.name) AS primaryStaff
ORDER BY salesPushes180d DESC;

MATCH (c:Customer)
OPTIONAL MATCH (c)-[:RAISED]->(t:Ticket)
WHERE t.status = 'open' AND t.priority >= 2
RETURN c, count(t) AS open

// expect: 3:18 InvalidRelationshipPattern
MATCH (a:A)
MATCH (a)-[:LIKES..]->(c)
RETURN c.name

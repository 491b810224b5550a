// expect: 2:15 InvalidRelationshipPattern
MATCH (a)-[:T 2]->(b) RETURN b

// expect: 2:16 InvalidRelationshipPattern
MATCH (a)-[*1..-2]->(c) RETURN c

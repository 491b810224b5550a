MATCH (a), (b) WHERE (a)-[:KNOWS]->(b) AND NOT (b)-->(a) OR (a)<-[:T {k: 1}]-(:C) RETURN a

MATCH (a:A) CREATE (a)-[:T]->(b:B) WITH a, b SET b.x = a.x RETURN b.x

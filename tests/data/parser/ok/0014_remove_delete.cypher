MATCH (n)-[r]->(m) REMOVE n.p, (m).q, n:A:B DELETE r DETACH DELETE n, m

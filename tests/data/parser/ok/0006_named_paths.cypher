MATCH p = (a)-->(b), q = shortestPath((a)-[:KNOWS*..6]-(c)), s = allShortestPaths((a)-[*]-(d)) RETURN p, q

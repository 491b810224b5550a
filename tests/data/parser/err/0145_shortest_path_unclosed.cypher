// expect: 2:36 UnexpectedSyntax
MATCH p = shortestPath((a)-[*]-(b) RETURN p

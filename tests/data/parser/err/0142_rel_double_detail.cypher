// expect: 2:14 UnexpectedSyntax
MATCH (a)-[r][s]->(b) RETURN a

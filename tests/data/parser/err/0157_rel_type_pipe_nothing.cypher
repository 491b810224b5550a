// expect: 2:15 UnexpectedSyntax
MATCH (a)-[:A|]->(b) RETURN a

// expect: 2:11 UnexpectedSyntax
MATCH (n: ) RETURN n

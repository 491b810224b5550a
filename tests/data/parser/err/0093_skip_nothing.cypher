// expect: 2:24 UnexpectedSyntax
MATCH (n) RETURN n SKIP

// expect: 2:17 UnexpectedSyntax
MATCH (n) WHERE RETURN n

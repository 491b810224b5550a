// expect: 2:17 UnexpectedSyntax
MATCH (n:Person RETURN n

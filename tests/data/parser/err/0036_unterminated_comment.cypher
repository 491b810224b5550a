// expect: 3:9 UnexpectedSyntax
MATCH (n) /* never closed
RETURN n

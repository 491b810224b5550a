// expect: 2:25 UnexpectedSyntax
MATCH (n) RETURN n {.a, 1}

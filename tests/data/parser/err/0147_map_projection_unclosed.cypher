// expect: 2:27 UnexpectedSyntax
MATCH (n) RETURN n {.a, .b

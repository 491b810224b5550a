// expect: 2:21 UnexpectedSyntax
MATCH (n) RETURN n {1}

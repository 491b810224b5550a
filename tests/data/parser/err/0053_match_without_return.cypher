// expect: 2:10 UnexpectedSyntax
MATCH (n)

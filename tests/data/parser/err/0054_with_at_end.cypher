// expect: 2:17 UnexpectedSyntax
MATCH (n) WITH n

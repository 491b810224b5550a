// expect: 2:19 UnexpectedSyntax
OPTIONAL MATCH (n)

// expect: 2:18 UnexpectedSyntax
MATCH (n) DETACH n

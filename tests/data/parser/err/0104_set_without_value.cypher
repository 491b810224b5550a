// expect: 2:20 UnexpectedSyntax
MATCH (n) SET n.x =

// expect: 2:16 UnexpectedSyntax
MATCH (n) SET n

// expect: 2:15 UnexpectedSyntax
MATCH (n) SET 1 = 2

// expect: 2:14 UnexpectedSyntax
MERGE (n) ON SET n.x = 1

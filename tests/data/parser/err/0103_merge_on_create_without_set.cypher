// expect: 2:21 UnexpectedSyntax
MERGE (n) ON CREATE n.x = 1

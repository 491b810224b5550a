// expect: 2:19 UnexpectedSyntax
MATCH (n) REMOVE n

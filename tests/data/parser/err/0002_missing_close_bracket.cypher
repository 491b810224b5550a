// expect: 2:15 UnexpectedSyntax
MATCH (a)-[r:T->(b) RETURN a

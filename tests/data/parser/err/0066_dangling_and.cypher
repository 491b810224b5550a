// expect: 2:25 UnexpectedSyntax
MATCH (n) WHERE n.a AND RETURN n

// expect: 2:26 UnexpectedSyntax
MATCH (n) RETURN n ORDER n.name

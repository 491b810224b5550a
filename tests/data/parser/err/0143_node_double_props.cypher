// expect: 2:17 UnexpectedSyntax
MATCH (n {a: 1} {b: 2}) RETURN n

// expect: 2:28 UnexpectedSyntax
MATCH (n) RETURN n ORDER BY

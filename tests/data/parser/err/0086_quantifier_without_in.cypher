// expect: 2:14 UnexpectedSyntax
RETURN all(x WHERE x > 0)

// expect: 2:13 UnexpectedSyntax
RETURN x IS 1

// expect: 2:12 UnexpectedSyntax
RETURN 1 IN

// expect: 2:10 UnexpectedSyntax
RETURN 1,

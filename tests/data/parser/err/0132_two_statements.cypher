// expect: 2:10 UnexpectedSyntax
RETURN 1 RETURN 2

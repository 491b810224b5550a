// expect: 2:11 UnexpectedSyntax
RETURN 1 +

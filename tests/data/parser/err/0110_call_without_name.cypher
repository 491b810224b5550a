// expect: 2:6 UnexpectedSyntax
CALL (1)

// expect: 2:7 UnexpectedSyntax
RETURN

// expect: 2:19 UnexpectedSyntax
RETURN toUpper('x'

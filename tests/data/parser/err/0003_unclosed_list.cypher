// expect: 2:13 UnexpectedSyntax
RETURN [1, 2

// expect: 2:16 UnexpectedSyntax
RETURN [1, 2][0

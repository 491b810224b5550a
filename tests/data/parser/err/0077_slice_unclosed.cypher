// expect: 2:18 UnexpectedSyntax
RETURN [1, 2][0..

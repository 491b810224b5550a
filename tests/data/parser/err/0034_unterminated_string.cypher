// expect: 2:12 UnexpectedSyntax
RETURN 'abc

// expect: 2:14 UnexpectedSyntax
RETURN (1 + 2

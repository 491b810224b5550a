// expect: 2:13 UnexpectedSyntax
RETURN {a: 1

// expect: 2:15 UnexpectedSyntax
UNWIND [1, 2] x RETURN x

// expect: 2:18 UnexpectedSyntax
UNWIND [1, 2] AS RETURN 1

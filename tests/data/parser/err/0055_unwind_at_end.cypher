// expect: 2:16 UnexpectedSyntax
UNWIND [1] AS x

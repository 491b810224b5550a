// expect: 2:20 UnexpectedSyntax
RETURN 1 AS x UNION

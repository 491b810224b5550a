// expect: 2:24 UnexpectedSyntax
RETURN 1 AS x UNION ALL

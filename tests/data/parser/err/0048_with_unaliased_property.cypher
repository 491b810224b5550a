// expect: 2:16 NoExpressionAlias
MATCH (a) WITH a.name RETURN 1 AS x

// expect: 3:9 NoExpressionAlias
MATCH (a)
WITH a, count(*)
RETURN a

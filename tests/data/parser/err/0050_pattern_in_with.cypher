// expect: 2:16 UnexpectedSyntax
MATCH (n) WITH (n)-[]->() AS x RETURN x

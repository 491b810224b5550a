// expect: 2:9 UnexpectedSyntax
RETURN {1} AS literal

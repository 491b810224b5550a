// expect: 2:9 UnexpectedSyntax
RETURN {1B2c3e67:1} AS literal

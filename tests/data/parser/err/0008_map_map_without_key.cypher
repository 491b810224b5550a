// expect: 2:9 UnexpectedSyntax
RETURN {{}} AS literal

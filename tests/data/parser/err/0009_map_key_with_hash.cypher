// expect: 2:11 UnexpectedSyntax
RETURN {k1#k: 1} AS literal

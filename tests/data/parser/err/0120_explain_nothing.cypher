// expect: 2:8 UnexpectedSyntax
EXPLAIN

// expect: 2:8 InvalidNumberLiteral
RETURN 0o18

// expect: 2:8 InvalidNumberLiteral
RETURN 1e400

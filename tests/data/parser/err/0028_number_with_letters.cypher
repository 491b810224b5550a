// expect: 2:8 InvalidNumberLiteral
RETURN 123abc

// expect: 2:8 InvalidNumberLiteral
RETURN 0x1A2b3j4D5E6f7 AS literal

// expect: 2:8 InvalidNumberLiteral
RETURN 0x1A2b3c4Z5E6f7 AS literal

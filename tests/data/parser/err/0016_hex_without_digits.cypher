// expect: 2:8 InvalidNumberLiteral
RETURN 0x AS literal

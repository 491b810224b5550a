// expect: 2:8 IntegerOverflow
RETURN 0x8000000000000000 AS literal

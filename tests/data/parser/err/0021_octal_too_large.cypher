// expect: 2:8 IntegerOverflow
RETURN 0o1000000000000000000000 AS literal

// expect: 2:8 IntegerOverflow
RETURN -9223372036854775809

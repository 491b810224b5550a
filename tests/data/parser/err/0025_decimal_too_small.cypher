// expect: 2:9 IntegerOverflow
RETURN -9223372036854775809

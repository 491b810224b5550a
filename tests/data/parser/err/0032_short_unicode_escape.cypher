// expect: 2:9 InvalidUnicodeLiteral
RETURN '\u12'

// expect: 2:9 InvalidUnicodeLiteral
RETURN '\u12G4'

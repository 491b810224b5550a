// expect: 2:8 InvalidUnicodeCharacter
RETURN ‘abc’

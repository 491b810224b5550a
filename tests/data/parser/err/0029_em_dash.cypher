// expect: 2:11 InvalidUnicodeCharacter
RETURN 42 — 41

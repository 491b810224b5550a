// expect: 2:1 UnexpectedSyntax
HELLO WORLD

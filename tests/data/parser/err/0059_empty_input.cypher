// expect: 1:1 UnexpectedSyntax


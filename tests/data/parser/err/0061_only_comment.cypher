// expect: 2:16 UnexpectedSyntax
// nothing here

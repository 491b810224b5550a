// expect: 2:11 UnexpectedSyntax
DROP INDEX

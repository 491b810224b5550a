// expect: 2:7 UnexpectedSyntax
BEGIN WORK

// expect: 2:8 UnexpectedSyntax
CREATE RETURN 1

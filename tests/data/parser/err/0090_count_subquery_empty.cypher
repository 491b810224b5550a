// expect: 2:16 UnexpectedSyntax
RETURN COUNT { }

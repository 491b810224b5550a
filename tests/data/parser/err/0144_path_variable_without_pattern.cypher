// expect: 2:11 UnexpectedSyntax
MATCH p = RETURN p

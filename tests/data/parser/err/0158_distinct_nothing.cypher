// expect: 2:16 UnexpectedSyntax
RETURN DISTINCT

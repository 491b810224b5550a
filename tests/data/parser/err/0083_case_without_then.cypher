// expect: 2:23 UnexpectedSyntax
RETURN CASE WHEN true 1 END

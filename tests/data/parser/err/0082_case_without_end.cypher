// expect: 2:29 UnexpectedSyntax
RETURN CASE WHEN true THEN 1

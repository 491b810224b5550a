// expect: 2:13 UnexpectedSyntax
RETURN CASE ELSE 1 END

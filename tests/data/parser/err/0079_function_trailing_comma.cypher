// expect: 2:20 UnexpectedSyntax
RETURN coalesce(a, )

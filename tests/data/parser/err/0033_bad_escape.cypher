// expect: 2:10 UnexpectedSyntax
RETURN 'a\qb'

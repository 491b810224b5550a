// expect: 2:10 UnexpectedSyntax
OPTIONAL (n) RETURN n

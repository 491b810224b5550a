// expect: 2:17 UnexpectedSyntax
RETURN x IS NOT 1

// expect: 2:11 UnexpectedSyntax
MATCH (n) RETRUN n

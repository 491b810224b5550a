// expect: 2:17 UnexpectedSyntax
RETURN 'a' ENDS 'b'

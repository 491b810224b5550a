// expect: 2:19 UnexpectedSyntax
RETURN 'a' STARTS 'b'

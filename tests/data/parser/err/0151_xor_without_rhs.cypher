// expect: 2:16 UnexpectedSyntax
RETURN true XOR

// expect: 2:18 UnexpectedSyntax
RETURN reduce(acc, x IN l | acc + x)

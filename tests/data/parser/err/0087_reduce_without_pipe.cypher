// expect: 2:31 UnexpectedSyntax
RETURN reduce(acc = 0, x IN l acc + x)

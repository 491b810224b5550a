// expect: 2:28 UnexpectedSyntax
RETURN [(a)-->(b) WHERE b.x]

// expect: 3:13 UnexpectedSyntax
MATCH (a), (b), (c)
RETURN size((a)-->(b))

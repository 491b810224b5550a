// expect: 2:14 UnexpectedSyntax
MATCH (a)<-->>(b) RETURN a

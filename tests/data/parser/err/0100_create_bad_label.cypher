// expect: 2:11 UnexpectedSyntax
CREATE (n:) RETURN n

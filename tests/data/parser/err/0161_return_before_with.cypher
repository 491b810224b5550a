// expect: 4:1 UnexpectedSyntax
MATCH (n)
RETURN n
WITH n
RETURN n

// expect: 4:13 UnexpectedSyntax
MATCH (n)
WITH n
RETURN n.x +* 2

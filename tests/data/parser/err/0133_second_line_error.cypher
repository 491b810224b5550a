// expect: 4:1 UnexpectedSyntax
MATCH (n)
WHERE n.x = 
RETURN n

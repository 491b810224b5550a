// expect: 4:9 UnexpectedSyntax
MATCH (c:Customer)
WHERE c.name = 'Acme
RETURN c

// expect: 2:35 UnexpectedSyntax
MATCH (n) WHERE EXISTS { (n)-->() RETURN n

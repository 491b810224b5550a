// expect: 2:19 UnexpectedSyntax
CREATE (a)-[:T]-> RETURN a

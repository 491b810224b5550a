// expect: 2:29 UnexpectedSyntax
CREATE CONSTRAINT FOR (n:A) n.p IS UNIQUE

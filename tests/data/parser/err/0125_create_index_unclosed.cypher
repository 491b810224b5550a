// expect: 2:31 UnexpectedSyntax
CREATE INDEX FOR (n:A) ON (n.p

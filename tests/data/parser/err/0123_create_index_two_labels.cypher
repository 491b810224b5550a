// expect: 2:19 UnexpectedSyntax
CREATE INDEX FOR (n:A:B) ON (n.p)

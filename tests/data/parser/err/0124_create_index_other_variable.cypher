// expect: 2:28 UnexpectedSyntax
CREATE INDEX FOR (n:A) ON (m.p)

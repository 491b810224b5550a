// expect: 2:14 UnexpectedSyntax
CREATE INDEX ON (n.p)

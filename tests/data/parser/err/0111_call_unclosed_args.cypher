// expect: 2:17 UnexpectedSyntax
CALL db.labels(1

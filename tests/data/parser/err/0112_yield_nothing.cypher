// expect: 2:23 UnexpectedSyntax
CALL db.labels() YIELD

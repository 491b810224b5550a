// expect: 2:32 UnexpectedSyntax
CALL db.labels() YIELD label AS

// expect: 2:9 UnexpectedSyntax
EXPLAIN SHOW INDEXES

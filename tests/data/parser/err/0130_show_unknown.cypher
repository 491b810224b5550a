// expect: 2:6 UnexpectedSyntax
SHOW TABLES

// expect: 2:10 UnexpectedSyntax
LOAD CSV 'x' AS row RETURN row

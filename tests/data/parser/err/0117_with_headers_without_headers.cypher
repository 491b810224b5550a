// expect: 2:15 UnexpectedSyntax
LOAD CSV WITH FROM 'x' AS row RETURN row

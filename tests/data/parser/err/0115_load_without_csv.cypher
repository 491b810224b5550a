// expect: 2:6 UnexpectedSyntax
LOAD 'x' AS row RETURN row

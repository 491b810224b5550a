// expect: 2:42 UnexpectedSyntax
LOAD CSV FROM 'x' AS row FIELDTERMINATOR 1 RETURN row

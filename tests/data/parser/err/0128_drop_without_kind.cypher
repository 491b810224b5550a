// expect: 2:6 UnexpectedSyntax
DROP customer_id

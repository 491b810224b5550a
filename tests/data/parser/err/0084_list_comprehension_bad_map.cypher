// expect: 2:18 UnexpectedSyntax
RETURN [x IN l | ]

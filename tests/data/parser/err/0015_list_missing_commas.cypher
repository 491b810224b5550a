// expect: 2:14 UnexpectedSyntax
RETURN [[','[]',']] AS literal

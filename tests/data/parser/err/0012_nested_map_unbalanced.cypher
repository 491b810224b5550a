// expect: 2:20 UnexpectedSyntax
RETURN {k: {k: {}} AS literal

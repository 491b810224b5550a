// expect: 3:11 UnexpectedSyntax
MATCH (n)
	RETURN n,

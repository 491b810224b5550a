// expect: 2:31 UnexpectedSyntax
MATCH (n:Straße) RETURN n.名前 +

// expect: 2:44 UnexpectedSyntax
CREATE CONSTRAINT FOR (n:A) REQUIRE n.p IS KEY

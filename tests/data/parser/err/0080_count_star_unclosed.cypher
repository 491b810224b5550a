// expect: 2:15 UnexpectedSyntax
RETURN count(*

// expect: 2:40 UnexpectedSyntax
MATCH (n) SET n.prop = head(nodes(head((n)-[:REL]->()))).foo

match (n:MATCH:Return)-[r:WHERE]->(m {return: 1, `match`: 2}) where n.order = m.limit return n.return as `as`, m.`end`

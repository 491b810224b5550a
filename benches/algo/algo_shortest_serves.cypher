MATCH (a:Customer {id: 'cus-000001'}), (b:Customer {id: 'cus-000500'}) CALL algo.shortestPath(a, b, {nodes: ['Customer', 'Staff'], relationships: ['SERVES']}) YIELD cost RETURN cost AS rows

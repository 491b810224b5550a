CALL algo.degree({nodes: ['Customer', 'Order'], relationships: ['PLACED']}) YIELD degree RETURN max(degree) AS rows

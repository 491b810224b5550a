CALL algo.articulationPoints({nodes: ['Customer', 'Staff'], relationships: ['SERVES']}) YIELD node RETURN count(*) AS rows

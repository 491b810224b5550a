CALL algo.louvain({nodes: ['Customer', 'Staff'], relationships: ['SERVES']}) YIELD communityId RETURN count(DISTINCT communityId) AS rows

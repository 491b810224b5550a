CALL algo.pageRank({nodes: ['Customer'], relationships: ['REFERRED'], direction: 'REVERSE'}) YIELD score RETURN count(*) AS rows

CALL algo.weaklyConnectedComponents({nodes: ['Customer'], relationships: ['REFERRED']}) YIELD componentId RETURN count(DISTINCT componentId) AS rows

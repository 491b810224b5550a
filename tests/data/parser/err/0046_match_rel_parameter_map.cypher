// expect: 2:14 InvalidParameterUse
MATCH (a)-[r $p]->(b) RETURN r

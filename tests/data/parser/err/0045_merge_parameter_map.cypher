// expect: 2:10 InvalidParameterUse
MERGE (n $param)
RETURN n

// expect: 2:10 InvalidParameterUse
MATCH (n $param)
RETURN n

MATCH (a)-->(b)<--(c)--(d)<-->(e) RETURN a, b, c, d, e

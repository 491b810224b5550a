MATCH (n) SET n.p = 1, (n).q = 2, n = {a: 1}, n += {b: 2}, n:A:B, head([n]).r = 3

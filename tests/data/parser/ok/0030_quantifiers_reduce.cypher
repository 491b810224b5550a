RETURN all(x IN l WHERE x > 0), any(x IN l WHERE x IS NULL), none(x IN l WHERE x = 1), single(x IN l WHERE x = 2), reduce(acc = 0, x IN l | acc + x) AS total

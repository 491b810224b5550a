RETURN 1 < 2 <= 3 = 3 <> 4 > 0 >= 0 AS chain, (1 < 2) = true AS nested

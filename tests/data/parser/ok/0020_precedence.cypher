RETURN 1 + 2 * 3 ^ 2 ^ 2 - -4 % 3 / 2 AS a, NOT a OR b XOR c AND d AS b, -x ^ 2 AS c, (1 + 2) * 3 AS d, -(2 ^ 2) AS e, - (5) AS f

WITH 1 AS a, 2 AS b, 3 AS c, {x: 1} AS n, [1] AS l
RETURN -(2 ^ 2) AS e1, (-2) ^ 2 AS e2, -2 ^ 2 AS e3, (n:A).x AS e4, (n.x):B AS e5,
  NOT (a = b) = c AS e6, (a < b) < c AS e7, (a IN l) IN [true] AS e8, a IN (l + [b]) AS e9,
  1 - (2 - 3) AS e10, (1 - 2) - 3 AS e11, 2 ^ (3 ^ 2) AS e12, (a OR b) AND c AS e13,
  a XOR (b OR c) AS e14, -(-1) AS e15, - -1 AS e16, +(1) AS e17, (a IS NULL) IS NULL AS e18,
  'a' + 'b' STARTS WITH 'a' AS e19, [1][0] AS e20, {a: 1}.a AS e21, (-1).x AS e22, -(1).x AS e23,
  `match`.x AS e24, `a b` AS e25, $`p q` AS e26, n {.`a b`, `end`} AS e27, count(*) * 2 AS e28,
  -9223372036854775808 AS e29, -(9223372036854775807) AS e30, 1.0E-7 AS e31, 1e300 AS e32,
  -0.0 AS e33, 'tab\tquote\'back\\slash' AS e34, "dq\"" AS e35, '\u0001' AS e36,
  NOT NOT a AS e37, (NOT a) = b AS e38, a = (NOT b) AS e39, -a.b AS e40, (-a).b AS e41,
  l[1..][..2][0] AS e42, (a + b)[0] AS e43, CASE WHEN a THEN b END.x AS e44,
  [x IN l | x][0] AS e45, reduce(s = 0, x IN l | s + x) + 1 AS e46, `case`(1) AS e47

WITH [1, 2, 3] AS l, {a: {b: 1}} AS m RETURN l[0], l[-1], l[1..], l[..2], l[0..1], m.a.b, m['a'], (m).a, n.`weird key`, -1.x AS neg

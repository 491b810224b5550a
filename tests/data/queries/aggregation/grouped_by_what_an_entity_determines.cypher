// A list an aggregation computed per customer is grouped on by the customer's id later; the
// groups are the ones grouping by value gives.
CREATE (a:C {id: 'a'}), (b:C {id: 'b'}), (x:X {v: 1}), (y:X {v: 2}),
       (a)-[:R]->(x), (a)-[:R]->(y), (b)-[:R]->(x), (b)-[:R]->(y),
       (:S {n: 1})-[:SERVES]->(a), (:S {n: 2})-[:SERVES]->(a), (:S {n: 3})-[:SERVES]->(b);
MATCH (c:C)-[:R]->(x) WITH c, collect(x.v) AS vs
MATCH (c)<-[:SERVES]-(s) WITH c, vs, count(s) AS servers
RETURN c.id AS id, vs, servers ORDER BY id
// expect:
// id | vs | servers
// 'a' | [1, 2] | 2
// 'b' | [1, 2] | 1

// collect(DISTINCT ...) per node keeps first-seen order within each group.
CREATE (a:C {id: 'a'}), (b:C {id: 'b'}),
       (a)-[:R]->(:T {v: 3}), (a)-[:R]->(:T {v: 1}), (a)-[:R]->(:T {v: 3}),
       (b)-[:R]->(:T {v: 2});
MATCH (c:C)-[:R]->(t:T) RETURN c.id AS id, size(collect(DISTINCT t.v)) AS n, count(DISTINCT t.v) AS k
ORDER BY id
// expect unordered:
// id | n | k
// 'a' | 2 | 2
// 'b' | 1 | 1

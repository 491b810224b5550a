// expect: 3:8 InvalidDelete
MATCH (n)
DELETE n:Person

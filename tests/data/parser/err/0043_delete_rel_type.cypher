// expect: 3:8 InvalidDelete
MATCH ()-[r:T]-()
DELETE r:T

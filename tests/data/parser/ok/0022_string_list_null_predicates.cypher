MATCH (n) WHERE n.name STARTS WITH 'A' AND n.name ENDS WITH 'z' AND n.name CONTAINS 'x' AND n.name =~ '(?i)a.*' AND n.age IN [1, 2] AND n.x IS NULL AND n.y IS NOT NULL RETURN n

LOAD CSV WITH HEADERS FROM 'file:///customers.csv' AS row FIELDTERMINATOR ';'
MERGE (c:Customer {id: row.id})
SET c.name = row.name;
LOAD CSV FROM $url AS line CREATE (:Line {v: line[0]})

MERGE (c:Customer {id: $id})
  ON CREATE SET c.created = timestamp(), c.visits = 1
  ON MATCH SET c.visits = c.visits + 1
RETURN c

CREATE (a:Customer {id: 'c-1', since: date('2020-01-01')})-[:PLACED {at: datetime()}]->(o:Order $order), (b)

MATCH (c:Customer:Vip {status: 'active', tier: 2}) RETURN c.name

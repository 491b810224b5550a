MATCH (c)-[:PLACED]->(o) RETURN c.segment, collect(DISTINCT o.status) AS statuses, percentileCont(o.amount, 0.5) AS median, stDev(o.amount) AS sd

MATCH (c:Customer) WITH DISTINCT c.segment AS segment, count(*) AS n ORDER BY n DESC, segment ASCENDING SKIP 1 LIMIT $limit WHERE n > 2 RETURN *

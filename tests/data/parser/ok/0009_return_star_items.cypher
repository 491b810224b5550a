MATCH (a) RETURN *, a.name AS name ORDER BY name DESCENDING

CALL crm.promisesKept({asOf: date('2025-01-01')}) YIELD staff RETURN count(*) AS rows

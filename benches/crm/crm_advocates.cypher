CALL crm.advocates({asOf: date('2025-01-01')}) YIELD customer RETURN count(*) AS rows

CALL crm.complaints({asOf: date('2025-01-01')}) YIELD open RETURN count(*) AS rows

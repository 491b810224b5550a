CALL crm.retention({asOf: date('2025-01-01')}) YIELD kept RETURN count(*) AS rows

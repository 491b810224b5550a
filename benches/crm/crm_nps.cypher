CALL crm.nps({asOf: date('2025-01-01')}) YIELD responses RETURN count(*) AS rows

CALL crm.competitorPressure({asOf: date('2025-01-01')}) YIELD competitor RETURN count(*) AS rows

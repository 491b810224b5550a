CALL crm.loyaltyFairness({asOf: date('2025-01-01')}) YIELD product RETURN count(*) AS rows

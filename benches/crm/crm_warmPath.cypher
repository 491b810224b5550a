CALL crm.warmPath('con-000002', {asOf: date('2025-01-01')}) YIELD hops RETURN count(*) AS rows

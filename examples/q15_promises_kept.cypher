// Q15. Promise keeping and frankness, per staff member.
// From ../shared/domain/questions.md, in plain openCypher. Run it against the demo database
// (`cordial demo`) or any database of the standard schema: `cordial run examples/q15_promises_kept.cypher`.
// The same answer in one line (with its own defaults): CALL crm.promisesKept()
MATCH (s:Staff)-[:MADE]->(p:Commitment)-[:OWED_TO]->(:Customer)
WHERE p.dueOn >= date() - duration('P90D') AND p.dueOn < date() AND p.status <> 'cancelled'
WITH s, p,
     CASE WHEN p.doneOn IS NOT NULL AND p.doneOn <= p.dueOn THEN 'kept'
          WHEN p.doneOn IS NOT NULL THEN 'late'
          ELSE 'overdue' END AS outcome,
     (p.delayNotifiedOn IS NOT NULL AND p.delayNotifiedOn <= p.dueOn) AS warnedInTime
WITH s, count(*) AS due,
     sum(CASE WHEN outcome = 'kept' THEN 1 ELSE 0 END) AS kept,
     sum(CASE WHEN outcome <> 'kept' THEN 1 ELSE 0 END) AS missed,
     sum(CASE WHEN outcome <> 'kept' AND warnedInTime THEN 1 ELSE 0 END) AS missedButWarned
RETURN s.name AS staff, s.department AS department, due, kept,
       round(1000.0 * kept / due) / 10 AS keptPct, missed, missedButWarned
ORDER BY keptPct, missed DESC;

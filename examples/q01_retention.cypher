// Q1. Customer retention rate over the last 12 months: (E − N) / S, plus the exact "kept" rate.
// From ../shared/domain/questions.md, in plain openCypher. Run it against the demo database
// (`cordial demo`) or any database of the standard schema: `cordial run examples/q01_retention.cypher`.
// The same answer in one line (with its own defaults): CALL crm.retention()
WITH date() - duration('P12M') AS periodStart, date() AS periodEnd
MATCH (c:Customer)
WHERE c.since IS NOT NULL
WITH c,
     (c.since <= periodStart AND (c.churnedOn IS NULL OR c.churnedOn > periodStart)) AS atStart,
     (c.since <= periodEnd   AND (c.churnedOn IS NULL OR c.churnedOn > periodEnd))   AS atEnd,
     (c.since >  periodStart AND c.since <= periodEnd)                                AS isNew
WITH sum(CASE WHEN atStart THEN 1 ELSE 0 END)           AS S,
     sum(CASE WHEN isNew THEN 1 ELSE 0 END)             AS N,
     sum(CASE WHEN atEnd THEN 1 ELSE 0 END)             AS E,
     sum(CASE WHEN atStart AND atEnd THEN 1 ELSE 0 END) AS kept
RETURN S, N, E, kept,
       CASE WHEN S = 0 THEN null ELSE round(1000.0 * (E - N) / S) / 10 END AS retentionPctClassic,
       CASE WHEN S = 0 THEN null ELSE round(1000.0 * kept / S) / 10 END    AS retentionPctKept;

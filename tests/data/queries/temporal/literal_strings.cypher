// A temporal constructor of a literal string is parsed once, when the query is planned, and
// compares as the value it names.
CREATE (:I {at: datetime('2024-03-01T10:00:00Z')}), (:I {at: datetime('2023-12-31T23:59:59Z')});
MATCH (i:I) WHERE i.at >= datetime('2024-01-01T00:00:00Z')
RETURN i.at AS at, date('2024-03-01') = date(i.at) AS sameDay, duration('P1D') AS d
// expect:
// at | sameDay | d
// '2024-03-01T10:00Z' | true | 'P1D'

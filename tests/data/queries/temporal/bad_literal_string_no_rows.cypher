// ... and only then: with no row, no error.
MATCH (i:Nothing) RETURN date('2024-13-45') AS d
// expect:
// d

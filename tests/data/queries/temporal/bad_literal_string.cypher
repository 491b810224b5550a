// A string that is not a date is refused when a row evaluates it.
CREATE (:I);
MATCH (i:I) RETURN date('2024-13-45') AS d
// expect error: ArgumentError

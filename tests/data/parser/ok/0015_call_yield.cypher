CALL db.labels() YIELD label RETURN label;
CALL crm.customer.health($id, 30) YIELD score AS s, reason WHERE s < 0.5 RETURN s, reason;
CALL db.procs;
CALL algo.pageRank YIELD *

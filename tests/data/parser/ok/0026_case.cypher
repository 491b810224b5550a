RETURN CASE WHEN x < 0 THEN 'neg' WHEN x = 0 THEN 'zero' ELSE 'pos' END AS sign, CASE x WHEN 1 THEN 'one' END AS one

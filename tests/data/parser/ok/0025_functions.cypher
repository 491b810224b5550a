RETURN count(*), count(DISTINCT x), date.truncate('month', $now), duration.between(a, b), toUpper('x'), exists(n.prop), coalesce(a, b, c), rand()

MATCH (`my node`:`My``Label`) RETURN `my node`.`a``b` AS ``

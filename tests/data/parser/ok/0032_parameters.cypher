MATCH (n {id: $id}) WHERE n.x = $0 AND n.y IN $list RETURN $`weird param` AS p

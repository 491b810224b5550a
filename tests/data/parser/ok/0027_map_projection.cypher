MATCH (c:Customer) RETURN c {.name, .*, orders: size(os), os, .`odd key`} AS card

MATCH (a)—[:KNOWS]—>(b) RETURN a;
MATCH (a)⟨–[r]–(b)−−＞(c) RETURN r;
MATCH (a)‐‐(b) WHERE (a)﹣﹣〉(:C) RETURN a

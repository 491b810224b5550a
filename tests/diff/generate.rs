//! Seeded generators of the differential test: small random graphs (as the Cypher statements
//! that build them) and random read queries over them, one function per rule of
//! `grammar/cordial.ebnf` with the rule quoted above it.
//!
//! Queries are generated so that every correct engine gives one answer: an ORDER BY covers
//! every column it must to make the order total, SKIP and LIMIT only follow such an ORDER BY,
//! the order of `collect` is never observed (its lists are compared as bags, unwound, or
//! counted), and WHERE predicates cannot fail (comparisons, IS NULL, IN, STARTS WITH and label
//! tests never raise an error), so checking a conjunct earlier or later changes nothing. The
//! only errors are meant ones: `sum` over strings, and a variable a WITH dropped.

/// SplitMix64: small, fast, and the same sequence on every machine.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n`.
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    /// A number in `lo..=hi`.
    pub fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + (self.next_u64() % (hi - lo + 1) as u64) as i64
    }

    /// True `percent` times in a hundred.
    pub fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// The seed of the `index`th query on the graph of `graph_seed`.
pub fn query_seed(graph_seed: u64, index: usize) -> u64 {
    Rng::new(graph_seed ^ (index as u64).wrapping_mul(0xD6E8_FEB8_6659_FD93)).next_u64()
}

// ---- Graphs ----

pub const NAMES: [&str; 4] = ["ann", "bob", "cy", "dee"];

/// One step of building a graph: a statement, run on every store, or a checkpoint of the sled
/// store only (so that it reads from columnar chunks and an overlay while the in-memory store
/// reads from its overlay alone).
#[derive(Debug, Clone)]
pub enum Step {
    Statement(String),
    Checkpoint,
}

/// A random graph: 10 to 40 nodes labelled from {A, B, C} (none, one, or two labels) with a
/// unique string `id`, an integer `x` (sometimes absent) and a `name` from a small set
/// (sometimes absent); relationships of types R and S with an integer `w` (sometimes absent),
/// self-loops and parallel relationships included. An index on `:A(x)` and a unique
/// constraint on `:B(id)` come before or after the data, and a few updates (properties, labels,
/// deletions, new relationships) may follow a checkpoint.
pub fn graph(rng: &mut Rng) -> Vec<Step> {
    let mut steps = Vec::new();
    let schema = [
        "CREATE INDEX a_x FOR (n:A) ON (n.x)".to_owned(),
        "CREATE CONSTRAINT b_id FOR (n:B) REQUIRE n.id IS UNIQUE".to_owned(),
    ];
    let schema_first = rng.chance(50);
    if schema_first {
        steps.extend(schema.iter().cloned().map(Step::Statement));
    }
    let n_nodes = rng.range(10, 40) as usize;
    let mut elements = Vec::new();
    for i in 0..n_nodes {
        elements.push(format!("(n{i}{} {})", labels(rng), node_properties(rng, i)));
    }
    let n_rels = rng.below(2 * n_nodes + 1);
    for _ in 0..n_rels {
        let (a, b) = (rng.below(n_nodes), rng.below(n_nodes));
        elements.push(format!(
            "(n{a})-[:{}{}]->(n{b})",
            rng.pick(&["R", "S"]),
            rel_properties(rng)
        ));
    }
    steps.push(Step::Statement(format!(
        "CREATE {}",
        elements.join(",\n       ")
    )));
    if !schema_first {
        steps.extend(schema.iter().cloned().map(Step::Statement));
    }
    if rng.chance(60) {
        steps.push(Step::Checkpoint);
        for i in 0..rng.below(6) {
            steps.push(Step::Statement(update(rng, n_nodes, i)));
        }
        if rng.chance(30) {
            steps.push(Step::Checkpoint);
        }
    }
    steps
}

fn labels(rng: &mut Rng) -> String {
    match rng.below(10) {
        0..=2 => String::new(),
        3..=7 => format!(":{}", rng.pick(&["A", "B", "C"])),
        _ => {
            let first = rng.below(3);
            let second = (first + 1 + rng.below(2)) % 3;
            format!(":{}:{}", ["A", "B", "C"][first], ["A", "B", "C"][second])
        }
    }
}

fn node_properties(rng: &mut Rng, i: usize) -> String {
    let mut entries = vec![format!("id: 'n{i}'")];
    if rng.chance(80) {
        entries.push(format!("x: {}", rng.range(-2, 6)));
    }
    if rng.chance(85) {
        entries.push(format!("name: '{}'", rng.pick(&NAMES)));
    }
    format!("{{{}}}", entries.join(", "))
}

fn rel_properties(rng: &mut Rng) -> String {
    if rng.chance(85) {
        format!(" {{w: {}}}", rng.range(0, 5))
    } else {
        String::new()
    }
}

/// The `i`th statement that changes the graph after its creation.
fn update(rng: &mut Rng, n_nodes: usize, i: usize) -> String {
    let node = rng.below(n_nodes);
    match rng.below(8) {
        0 => format!("MATCH (n {{id: 'n{node}'}}) SET n.x = {}", rng.range(-2, 6)),
        1 => format!("MATCH (n {{id: 'n{node}'}}) REMOVE n.x"),
        2 => format!(
            "MATCH (n {{id: 'n{node}'}}) SET n:{}",
            rng.pick(&["A", "B", "C"])
        ),
        3 => format!(
            "MATCH (n {{id: 'n{node}'}}) REMOVE n:{}",
            rng.pick(&["A", "B", "C"])
        ),
        4 => format!("MATCH (n {{id: 'n{node}'}}) DETACH DELETE n"),
        5 => format!("MATCH ()-[r]->() WHERE r.w = {} DELETE r", rng.range(0, 5)),
        6 => format!(
            "MATCH (a {{id: 'n{node}'}}), (b {{id: 'n{}'}}) CREATE (a)-[:{}{}]->(b)",
            rng.below(n_nodes),
            rng.pick(&["R", "S"]),
            rel_properties(rng)
        ),
        _ => format!(
            "CREATE (:{} {{id: 'm{i}', x: {}, name: '{}'}})",
            rng.pick(&["A", "B", "C"]),
            rng.range(-2, 6),
            rng.pick(&NAMES)
        ),
    }
}

// ---- Queries ----

/// What a variable holds, as far as the generator needs to know to use it well.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Node,
    Rel,
    /// The relationships of a variable-length pattern.
    RelList,
    Int,
    Str,
    IntList,
    Path,
    /// A list built by `collect`: its order depends on the plan, so only its size is used.
    Bag,
}

#[derive(Debug, Clone)]
struct Var {
    name: String,
    kind: Kind,
}

/// A generated query and what the comparison needs to know about it.
#[derive(Debug, Clone)]
pub struct Query {
    pub text: String,
    /// The final ORDER BY makes the order of the rows total: compare them as lists.
    pub ordered: bool,
    /// Columns holding `collect` lists, compared as bags.
    pub bag_columns: Vec<usize>,
}

/// Rows a query part is expected to produce at most, to keep cases fast and small: a MATCH
/// that would go past it is generated again, tied to what is already bound, and failing that
/// (or once the rows are near it) becomes a lookup of one node by id.
const ROW_BUDGET: u64 = 4000;

struct QueryGen<'r> {
    rng: &'r mut Rng,
    scope: Vec<Var>,
    /// Variables a WITH dropped: referring to one is a compile-time error.
    dropped: Vec<String>,
    fresh: usize,
    rows: u64,
    /// Relationship variables bound before the pattern being generated: one may be named
    /// again (a bound relationship), one of the pattern's own may not.
    bound_rels: Vec<String>,
}

/// A random read query.
pub fn query(rng: &mut Rng) -> Query {
    let mut g = QueryGen {
        rng,
        scope: Vec::new(),
        dropped: Vec::new(),
        fresh: 0,
        rows: 1,
        bound_rels: Vec::new(),
    };
    g.single_query()
}

/// An item of a projection: its text, the name it binds, what it holds, and whether it
/// aggregates.
struct Item {
    text: String,
    name: String,
    kind: Kind,
    aggregate: bool,
}

impl QueryGen<'_> {
    fn fresh(&mut self, prefix: &str) -> String {
        self.fresh += 1;
        format!("{prefix}{}", self.fresh)
    }

    fn vars(&self, kinds: &[Kind]) -> Vec<Var> {
        self.scope
            .iter()
            .filter(|v| kinds.contains(&v.kind))
            .cloned()
            .collect()
    }

    // single_query ::= clause { clause }
    fn single_query(&mut self) -> Query {
        let mut clauses = Vec::new();
        let parts = 1 + self.rng.below(3);
        for part in 0..parts {
            let reading = if part == 0 {
                1 + self.rng.below(2)
            } else {
                self.rng.below(3)
            };
            for _ in 0..reading {
                clauses.push(self.clause());
            }
            if part + 1 < parts {
                clauses.push(self.with_clause());
            }
        }
        let (ret, ordered, bag_columns) = self.return_clause();
        clauses.push(ret);
        Query {
            text: clauses.join("\n"),
            ordered,
            bag_columns,
        }
    }

    // clause ::= match_clause | unwind_clause | with_clause | return_clause | ...
    //   (the reading clauses only: MATCH, OPTIONAL MATCH and UNWIND)
    fn clause(&mut self) -> String {
        if self.rows.saturating_mul(4) > ROW_BUDGET {
            return self.lookup_clause();
        }
        match self.rng.below(20) {
            0..=11 => self.match_clause(false),
            12..=15 => self.match_clause(true),
            _ => self.unwind_clause(),
        }
    }

    // match_clause ::= [ 'OPTIONAL' ] 'MATCH' pattern [ 'WHERE' where_expression ]
    fn match_clause(&mut self, optional: bool) -> String {
        let saved = (self.scope.clone(), self.fresh);
        let mut tries = 0;
        let (pattern, estimate, local) = loop {
            let connect = tries > 0;
            let (pattern, estimate, local) = self.pattern(connect);
            if self.rows.saturating_mul(estimate) <= ROW_BUDGET {
                break (pattern, estimate, local);
            }
            (self.scope, self.fresh) = saved.clone();
            tries += 1;
            if tries > 4 {
                return self.lookup_clause();
            }
        };
        self.rows = self.rows.saturating_mul(estimate).clamp(1, ROW_BUDGET * 4);
        let mut text = format!("{}MATCH {pattern}", if optional { "OPTIONAL " } else { "" });
        if !local.is_empty() && self.rng.chance(25) {
            // A conjunct an index could answer, for the planner's seeks.
            let node = self.rng.pick(&local).clone();
            text.push_str(&format!(" WHERE {}", self.seekable(&node)));
            if self.rng.chance(30) {
                text.push_str(&format!(" AND {}", self.where_expression()));
            }
        } else if self.rng.chance(35) {
            text.push_str(" WHERE ");
            text.push_str(&self.where_expression());
        }
        text
    }

    /// `MATCH (n5 {id: 'n3'})`: one node or none, so the rows do not multiply.
    fn lookup_clause(&mut self) -> String {
        let name = self.fresh("n");
        self.scope.push(Var {
            name: name.clone(),
            kind: Kind::Node,
        });
        format!(
            "{}MATCH ({name} {{id: 'n{}'}})",
            if self.rng.chance(30) { "OPTIONAL " } else { "" },
            self.rng.below(14)
        )
    }

    /// `n.x = 3`, `3 = n.x`, `n.id = 'n4'`, `n.x <= u2`: a comparison of a node's property with
    /// a value known before the pattern.
    fn seekable(&mut self, node: &str) -> String {
        let ints = self.vars(&[Kind::Int]);
        let value = if !ints.is_empty() && self.rng.chance(25) {
            self.rng.pick(&ints).name.clone()
        } else {
            self.small_int()
        };
        match self.rng.below(10) {
            0..=4 => format!("{node}.x = {value}"),
            5 => format!("{value} = {node}.x"),
            6 => format!("{node}.id = 'n{}'", self.rng.below(14)),
            _ => format!(
                "{node}.x {} {value}",
                self.rng.pick(&["<", "<=", ">", ">=", "<>"])
            ),
        }
    }

    // pattern ::= pattern_part { "," pattern_part }
    //
    // One to three nodes, as one path or (sometimes) two. With `connect`, each part starts at
    // a node bound already (when there is one), so the rows do not multiply. Also returns the
    // expected number of rows per input row, and the node variables the pattern introduces.
    fn pattern(&mut self, connect: bool) -> (String, u64, Vec<String>) {
        self.bound_rels = self
            .vars(&[Kind::Rel])
            .into_iter()
            .map(|v| v.name)
            .collect();
        let n_nodes = 1 + self.rng.below(3);
        let split = n_nodes >= 2 && self.rng.chance(20);
        let first_len = if split {
            1 + self.rng.below(n_nodes - 1)
        } else {
            n_nodes
        };
        let mut local = Vec::new();
        let (first, mut estimate) = self.pattern_part(first_len, connect, &mut local);
        if split {
            let (second, more) = self.pattern_part(n_nodes - first_len, connect, &mut local);
            estimate = estimate.saturating_mul(more);
            (format!("{first}, {second}"), estimate, local)
        } else {
            (first, estimate, local)
        }
    }

    // pattern_part ::= [ variable "=" ] ( 'shortestPath' "(" path_pattern ")"
    //                                   | 'allShortestPaths' "(" path_pattern ")"
    //                                   | path_pattern )
    //   (not shortestPath: which of several equally short paths it finds is the plan's choice)
    fn pattern_part(
        &mut self,
        n_nodes: usize,
        connect: bool,
        local: &mut Vec<String>,
    ) -> (String, u64) {
        let named = self.rng.chance(10).then(|| self.fresh("p"));
        let (text, estimate) = if n_nodes == 2 && self.rng.chance(8) {
            self.all_shortest_paths(connect, local)
        } else {
            self.path_pattern(n_nodes, connect, local)
        };
        match named {
            Some(name) => {
                self.scope.push(Var {
                    name: name.clone(),
                    kind: Kind::Path,
                });
                (format!("{name} = {text}"), estimate)
            }
            None => (text, estimate),
        }
    }

    /// `allShortestPaths((a)-[r:R*..3]-(b))`: every shortest path, a set no plan can change.
    fn all_shortest_paths(&mut self, connect: bool, local: &mut Vec<String>) -> (String, u64) {
        let (from, estimate) = self.node_pattern(connect, local, true);
        let (to, _) = self.node_pattern(false, local, false);
        let variable = if self.rng.chance(50) {
            let name = self.fresh("r");
            self.scope.push(Var {
                name: name.clone(),
                kind: Kind::RelList,
            });
            name
        } else {
            String::new()
        };
        let types = *self.rng.pick(&["", ":R", ":S", ":R|S"]);
        let length = *self.rng.pick(&["*", "*..3", "*1..2"]);
        let rel = match self.rng.below(3) {
            0 => format!("-[{variable}{types}{length}]->"),
            1 => format!("<-[{variable}{types}{length}]-"),
            _ => format!("-[{variable}{types}{length}]-"),
        };
        (
            format!("allShortestPaths({from}{rel}{to})"),
            estimate.saturating_mul(8),
        )
    }

    // path_pattern ::= node_pattern { rel_pattern node_pattern }
    fn path_pattern(
        &mut self,
        n_nodes: usize,
        connect: bool,
        local: &mut Vec<String>,
    ) -> (String, u64) {
        let (mut text, mut estimate) = self.node_pattern(connect, local, true);
        for _ in 1..n_nodes {
            let (rel, factor) = self.rel_pattern();
            let (node, _) = self.node_pattern(false, local, false);
            text.push_str(&rel);
            text.push_str(&node);
            estimate = estimate.saturating_mul(factor);
        }
        (text, estimate)
    }

    // node_pattern ::= "(" [ variable ] labels [ map_literal | parameter ] ")"
    //
    // Returns the text and, for a node that starts a path, the number of candidates expected.
    fn node_pattern(
        &mut self,
        connect: bool,
        local: &mut Vec<String>,
        starts: bool,
    ) -> (String, u64) {
        let bound = self.vars(&[Kind::Node]);
        let mut estimate = 40;
        // A node bound already (or met earlier in this pattern: a cycle) is rarely constrained
        // further, or few patterns would match.
        let mut constrain = 100;
        let variable = if !bound.is_empty() && (connect || self.rng.chance(30)) {
            estimate = 1;
            constrain = 25;
            self.rng.pick(&bound).name.clone()
        } else if !local.is_empty() && self.rng.chance(8) {
            estimate = 1;
            constrain = 25;
            self.rng.pick(local).clone()
        } else if self.rng.chance(80) {
            let name = self.fresh("n");
            self.scope.push(Var {
                name: name.clone(),
                kind: Kind::Node,
            });
            local.push(name.clone());
            name
        } else {
            String::new()
        };
        let labels = if self.rng.chance(constrain) {
            self.labels()
        } else {
            String::new()
        };
        if !labels.is_empty() {
            estimate = estimate.min(20);
        }
        let map = if self.rng.chance(constrain / 5) {
            estimate = estimate.min(4);
            format!(" {}", self.node_map_literal())
        } else {
            String::new()
        };
        (
            format!("({variable}{labels}{map})"),
            if starts { estimate } else { 1 },
        )
    }

    // labels ::= { ":" symbolic_name }
    fn labels(&mut self) -> String {
        match self.rng.below(100) {
            0..=54 => String::new(),
            55..=92 => format!(":{}", self.rng.pick(&["A", "B", "C"])),
            93..=98 => format!(
                ":{}:{}",
                self.rng.pick(&["A", "B", "C"]),
                self.rng.pick(&["A", "B", "C"])
            ),
            // A label no node has.
            _ => ":D".to_owned(),
        }
    }

    // map_literal ::= "{" [ symbolic_name ":" expression { "," symbolic_name ":" expression } ] "}"
    //   (a node's property map: the values are literals or variables bound before)
    fn node_map_literal(&mut self) -> String {
        let mut entries = Vec::new();
        let n = 1 + usize::from(self.rng.chance(20));
        for _ in 0..n {
            let ints = self.vars(&[Kind::Int]);
            let strs = self.vars(&[Kind::Str]);
            let entry = match self.rng.below(10) {
                0..=3 => format!("x: {}", self.small_int()),
                4 if !ints.is_empty() => format!("x: {}", self.rng.pick(&ints).name),
                4 => "x: null".to_owned(),
                5..=6 => format!("id: 'n{}'", self.rng.below(14)),
                7 if !strs.is_empty() => format!("id: {}", self.rng.pick(&strs).name),
                _ => format!("name: '{}'", self.rng.pick(&NAMES)),
            };
            let key = entry.split(':').next().unwrap_or_default().to_owned();
            if !entries.iter().any(|e: &String| e.starts_with(&key)) {
                entries.push(entry);
            }
        }
        format!("{{{}}}", entries.join(", "))
    }

    // rel_pattern ::= [ "<" ] "-" [ rel_detail ] "-" [ ">" ]
    fn rel_pattern(&mut self) -> (String, u64) {
        let (detail, factor) = if self.rng.chance(75) {
            self.rel_detail()
        } else {
            (String::new(), 4)
        };
        let text = match self.rng.below(10) {
            0..=3 => format!("-{detail}->"),
            4..=6 => format!("<-{detail}-"),
            _ => format!("-{detail}-"),
        };
        (text, factor)
    }

    // rel_detail ::= "[" [ variable ] [ ":" symbolic_name { "|" [ ":" ] symbolic_name } ]
    //                [ var_length ] [ map_literal | parameter ] "]"
    fn rel_detail(&mut self) -> (String, u64) {
        let named = self.rng.chance(45);
        let types = match self.rng.below(20) {
            0..=7 => "",
            8..=12 => ":R",
            13..=16 => ":S",
            _ => ":R|S",
        };
        let (length, factor) = if self.rng.chance(20) {
            self.var_length()
        } else {
            (String::new(), 4)
        };
        let variable = if length.is_empty() && !self.bound_rels.is_empty() && self.rng.chance(10) {
            // A relationship bound before: the pattern must run through it.
            let name = self.rng.pick(&self.bound_rels).clone();
            self.bound_rels.retain(|r| *r != name);
            name
        } else if named {
            let name = self.fresh("r");
            self.scope.push(Var {
                name: name.clone(),
                kind: if length.is_empty() {
                    Kind::Rel
                } else {
                    Kind::RelList
                },
            });
            name
        } else {
            String::new()
        };
        let map = if self.rng.chance(15) {
            format!(" {{w: {}}}", self.rng.range(0, 5))
        } else {
            String::new()
        };
        (format!("[{variable}{types}{length}{map}]"), factor)
    }

    // var_length ::= "*" [ integer ] [ ".." [ integer ] ]
    fn var_length(&mut self) -> (String, u64) {
        match self.rng.below(8) {
            0..=3 => ("*1..3".to_owned(), 60),
            4 => ("*2".to_owned(), 16),
            5 => ("*0..2".to_owned(), 20),
            6 => ("*..2".to_owned(), 20),
            _ => ("*1..2".to_owned(), 20),
        }
    }

    // unwind_clause ::= 'UNWIND' expression 'AS' variable
    //   (a literal list, or a list variable in scope)
    fn unwind_clause(&mut self) -> String {
        let lists = self.vars(&[Kind::IntList, Kind::RelList]);
        let name = self.fresh("u");
        let (list, kind, len) = if !lists.is_empty() && self.rng.chance(30) {
            let var = self.rng.pick(&lists).clone();
            let kind = if var.kind == Kind::IntList {
                Kind::Int
            } else {
                Kind::Rel
            };
            (var.name, kind, 3)
        } else {
            match self.rng.below(6) {
                0..=1 => {
                    let items: Vec<String> =
                        (0..self.rng.below(4)).map(|_| self.small_int()).collect();
                    (format!("[{}]", items.join(", ")), Kind::Int, 3)
                }
                2 => ("[1, null, 3, 1]".to_owned(), Kind::Int, 4),
                3 => {
                    let items: Vec<String> = (0..1 + self.rng.below(3))
                        .map(|_| format!("'n{}'", self.rng.below(14)))
                        .collect();
                    (format!("[{}]", items.join(", ")), Kind::Str, 3)
                }
                4 => ("['ann', 'zed', null]".to_owned(), Kind::Str, 3),
                _ => ("[[1, 2], [], [3, null]]".to_owned(), Kind::IntList, 3),
            }
        };
        self.rows = self.rows.saturating_mul(len).min(ROW_BUDGET * 4);
        self.scope.push(Var {
            name: name.clone(),
            kind,
        });
        format!("UNWIND {list} AS {name}")
    }

    // with_clause ::= 'WITH' [ 'DISTINCT' ] projection_items [ 'ORDER' 'BY' order_by ]
    //                 [ 'SKIP' expression ] [ 'LIMIT' expression ] [ 'WHERE' where_expression ]
    fn with_clause(&mut self) -> String {
        match self.rng.below(20) {
            0..=8 => {
                let distinct = self.rng.chance(20);
                let items = self.plain_items();
                let text = self.finish_projection("WITH", distinct, items, false);
                self.with_where(text.0)
            }
            9..=16 => {
                let items = self.aggregate_items(false);
                let text = self.finish_projection("WITH", false, items, false);
                self.with_where(text.0)
            }
            _ => self.collect_unwind(),
        }
    }

    fn with_where(&mut self, mut text: String) -> String {
        if self.rng.chance(20) {
            text.push_str(" WHERE ");
            text.push_str(&self.where_expression());
        }
        text
    }

    /// The collect-then-unwind idiom: `WITH k, collect(e) AS xs UNWIND xs AS y`.
    fn collect_unwind(&mut self) -> String {
        let mut items = Vec::new();
        if self.rng.chance(50)
            && let Some(key) = self.grouping_key()
        {
            items.push(key);
        }
        let (value, kind) = self.collectable();
        let list = self.fresh("xs");
        let distinct = if self.rng.chance(25) { "DISTINCT " } else { "" };
        items.push(Item {
            text: format!("collect({distinct}{value}) AS {list}"),
            name: list.clone(),
            kind: Kind::Bag,
            aggregate: true,
        });
        // Unwinding the lists gives back as many rows as went in.
        let rows = self.rows;
        let text = self.finish_projection("WITH", false, items, false).0;
        self.rows = rows;
        let name = self.fresh("y");
        self.scope.push(Var {
            name: name.clone(),
            kind,
        });
        format!("{text}\nUNWIND {list} AS {name}")
    }

    // return_clause ::= 'RETURN' [ 'DISTINCT' ] projection_items [ 'ORDER' 'BY' order_by ]
    //                   [ 'SKIP' expression ] [ 'LIMIT' expression ]
    fn return_clause(&mut self) -> (String, bool, Vec<usize>) {
        let aggregating = self.rng.chance(40);
        let (distinct, items) = if aggregating {
            (false, self.aggregate_items(true))
        } else {
            (self.rng.chance(20), self.plain_items())
        };
        let bag_columns = items
            .iter()
            .enumerate()
            .filter(|(_, i)| i.kind == Kind::Bag)
            .map(|(i, _)| i)
            .collect();
        let (text, ordered) = self.finish_projection("RETURN", distinct, items, true);
        (text, ordered, bag_columns)
    }

    /// Writes a projection with its ORDER BY, SKIP and LIMIT, and makes its items the scope.
    /// An ORDER BY names every item but the bags: a total order, because rows that agree on
    /// every item are the same row, and an aggregation's rows differ in their grouping keys.
    /// Returns the text and whether it is ordered.
    fn finish_projection(
        &mut self,
        keyword: &str,
        distinct: bool,
        items: Vec<Item>,
        last: bool,
    ) -> (String, bool) {
        let mut text = format!(
            "{keyword} {}{}",
            if distinct { "DISTINCT " } else { "" },
            items
                .iter()
                .map(|i| i.text.clone())
                .collect::<Vec<_>>()
                .join(", ")
        );
        let has_bag = items.iter().any(|i| i.kind == Kind::Bag);
        let aggregating = items.iter().any(|i| i.aggregate);
        let orderable = (!has_bag || aggregating) && items.iter().any(|i| i.kind != Kind::Bag);
        let ordered = orderable && self.rng.chance(if last { 45 } else { 25 });
        if ordered {
            text.push_str(&format!(" ORDER BY {}", self.order_by(&items)));
            if self.rng.chance(30) {
                text.push_str(&format!(" SKIP {}", self.rng.below(3)));
            }
            if self.rng.chance(60) {
                let limit = if self.rng.chance(5) {
                    0
                } else {
                    1 + self.rng.below(5)
                };
                text.push_str(&format!(" LIMIT {limit}"));
            }
        }
        let kept: Vec<String> = items.iter().map(|i| i.name.clone()).collect();
        for var in &self.scope {
            if !kept.contains(&var.name) && !self.dropped.contains(&var.name) {
                self.dropped.push(var.name.clone());
            }
        }
        self.scope = items
            .into_iter()
            .map(|i| Var {
                name: i.name,
                kind: i.kind,
            })
            .collect();
        self.dropped.retain(|d| !kept.contains(d));
        if aggregating {
            self.rows = self.rows.min(40);
        }
        (text, ordered)
    }

    // order_by ::= sort_item { "," sort_item }
    fn order_by(&mut self, items: &[Item]) -> String {
        let mut names: Vec<&Item> = items.iter().filter(|i| i.kind != Kind::Bag).collect();
        // Any order of the keys is total; shuffle them.
        for i in (1..names.len()).rev() {
            names.swap(i, self.rng.below(i + 1));
        }
        names
            .iter()
            .map(|i| self.sort_item(&i.name))
            .collect::<Vec<_>>()
            .join(", ")
    }

    // sort_item ::= expression [ 'ASCENDING' | 'ASC' | 'DESCENDING' | 'DESC' ]
    fn sort_item(&mut self, name: &str) -> String {
        let direction = *self.rng.pick(&["", "", " ASC", " DESC", " DESCENDING"]);
        format!("{name}{direction}")
    }

    // projection_items ::= projection_item { "," projection_item }
    //   (no aggregate: variables in scope and expressions over them)
    fn plain_items(&mut self) -> Vec<Item> {
        let mut items: Vec<Item> = Vec::new();
        let n = 1 + self.rng.below(3);
        for _ in 0..n {
            let item = self.projection_item();
            if !items.iter().any(|i| i.name == item.name) {
                items.push(item);
            }
        }
        items
    }

    // projection_item ::= expression [ 'AS' variable ]
    fn projection_item(&mut self) -> Item {
        let usable: Vec<Var> = self
            .scope
            .iter()
            .filter(|v| v.kind != Kind::Bag)
            .cloned()
            .collect();
        if !self.dropped.is_empty() && self.rng.chance(1) {
            // A variable an earlier WITH dropped: UndefinedVariable at compile time.
            let name = self.rng.pick(&self.dropped).clone();
            return Item {
                text: name.clone(),
                name,
                kind: Kind::Int,
                aggregate: false,
            };
        }
        if !usable.is_empty() && self.rng.chance(45) {
            let var = self.rng.pick(&usable).clone();
            return Item {
                text: var.name.clone(),
                name: var.name,
                kind: var.kind,
                aggregate: false,
            };
        }
        let alias = self.fresh("k");
        let (expr, kind) = if self.rng.chance(50) {
            (self.int_expression(), Kind::Int)
        } else {
            (self.str_expression(), Kind::Str)
        };
        Item {
            text: format!("{expr} AS {alias}"),
            name: alias,
            kind,
            aggregate: false,
        }
    }

    /// Grouping keys and aggregates; `bags` allows `collect` lists among them.
    fn aggregate_items(&mut self, bags: bool) -> Vec<Item> {
        let mut items: Vec<Item> = Vec::new();
        for _ in 0..self.rng.below(3) {
            if let Some(key) = self.grouping_key()
                && !items.iter().any(|i| i.name == key.name)
            {
                items.push(key);
            }
        }
        for _ in 0..1 + self.rng.below(3) {
            items.push(self.aggregate(bags));
        }
        items
    }

    /// A grouping key: a node (the node-identity shortcut), a property of a node (the
    /// keys-of-one-node shortcut), or any other variable.
    fn grouping_key(&mut self) -> Option<Item> {
        let nodes = self.vars(&[Kind::Node]);
        let others: Vec<Var> = self
            .scope
            .iter()
            .filter(|v| v.kind != Kind::Bag)
            .cloned()
            .collect();
        match self.rng.below(3) {
            0 if !nodes.is_empty() => {
                let var = self.rng.pick(&nodes).clone();
                let alias = self.fresh("k");
                let key = *self.rng.pick(&["x", "name", "id"]);
                Some(Item {
                    text: format!("{}.{key} AS {alias}", var.name),
                    name: alias,
                    kind: if key == "x" { Kind::Int } else { Kind::Str },
                    aggregate: false,
                })
            }
            _ if !others.is_empty() => {
                let var = self.rng.pick(&others).clone();
                Some(Item {
                    text: var.name.clone(),
                    name: var.name,
                    kind: var.kind,
                    aggregate: false,
                })
            }
            _ => None,
        }
    }

    // function_call ::= qualified_name "(" [ 'DISTINCT' ] [ expression { "," expression } ] ")"
    //   (the aggregates count, sum, min, max and collect)
    fn aggregate(&mut self, bags: bool) -> Item {
        let alias = self.fresh("g");
        let distinct = if self.rng.chance(20) { "DISTINCT " } else { "" };
        let (text, kind) = match self.rng.below(if bags { 8 } else { 7 }) {
            0 => ("count(*)".to_owned(), Kind::Int),
            1 => {
                let (value, _) = self.collectable();
                (format!("count({distinct}{value})"), Kind::Int)
            }
            2 => {
                // Meant to fail now and then: the sum of strings is a type error.
                let value = if self.rng.chance(5) {
                    self.str_expression()
                } else {
                    self.int_expression()
                };
                (format!("sum({distinct}{value})"), Kind::Int)
            }
            3 => (format!("min({})", self.int_expression()), Kind::Int),
            4 => (format!("max({})", self.str_expression()), Kind::Str),
            5 => (format!("max({})", self.int_expression()), Kind::Int),
            6 => {
                let (value, _) = self.collectable();
                (format!("size(collect({distinct}{value}))"), Kind::Int)
            }
            _ => {
                let (value, _) = self.collectable();
                (format!("collect({distinct}{value})"), Kind::Bag)
            }
        };
        Item {
            text: format!("{text} AS {alias}"),
            name: alias,
            kind,
            aggregate: true,
        }
    }

    /// A value worth collecting or counting: a variable (a node or relationship among them) or
    /// an expression.
    fn collectable(&mut self) -> (String, Kind) {
        let vars: Vec<Var> = self
            .scope
            .iter()
            .filter(|v| v.kind != Kind::Bag)
            .cloned()
            .collect();
        if !vars.is_empty() && self.rng.chance(50) {
            let var = self.rng.pick(&vars).clone();
            return (var.name, var.kind);
        }
        if self.rng.chance(50) {
            (self.int_expression(), Kind::Int)
        } else {
            (self.str_expression(), Kind::Str)
        }
    }

    /// An integer-valued expression (or null): a property, a variable, a size, a sum.
    fn int_expression(&mut self) -> String {
        let nodes = self.vars(&[Kind::Node]);
        let rels = self.vars(&[Kind::Rel]);
        let ints = self.vars(&[Kind::Int]);
        let lists = self.vars(&[Kind::IntList, Kind::RelList, Kind::Bag]);
        let paths = self.vars(&[Kind::Path]);
        match self.rng.below(14) {
            0..=4 if !nodes.is_empty() => format!("{}.x", self.rng.pick(&nodes).name),
            5 if !rels.is_empty() => format!("{}.w", self.rng.pick(&rels).name),
            6..=7 if !ints.is_empty() => self.rng.pick(&ints).name.clone(),
            8 if !lists.is_empty() => format!("size({})", self.rng.pick(&lists).name),
            9 if !nodes.is_empty() => {
                format!("{}.x + {}", self.rng.pick(&nodes).name, self.small_int())
            }
            10 if !paths.is_empty() => format!("length({})", self.rng.pick(&paths).name),
            // count_subquery ::= 'COUNT' "{" ( query | pattern [ 'WHERE' where_expression ] ) "}"
            11 if !nodes.is_empty() => format!(
                "COUNT {{ ({})-[:{}]-() }}",
                self.rng.pick(&nodes).name,
                self.rng.pick(&["R", "S"])
            ),
            _ => self.small_int(),
        }
    }

    /// A string-valued expression (or null).
    fn str_expression(&mut self) -> String {
        let nodes = self.vars(&[Kind::Node]);
        let strs = self.vars(&[Kind::Str]);
        match self.rng.below(10) {
            0..=3 if !nodes.is_empty() => format!("{}.name", self.rng.pick(&nodes).name),
            4..=5 if !nodes.is_empty() => format!("{}.id", self.rng.pick(&nodes).name),
            6..=7 if !strs.is_empty() => self.rng.pick(&strs).name.clone(),
            _ => format!("'{}'", self.rng.pick(&NAMES)),
        }
    }

    fn small_int(&mut self) -> String {
        self.rng.range(-2, 6).to_string()
    }

    // where_expression ::= expression
    fn where_expression(&mut self) -> String {
        self.or_expr(2)
    }

    // or_expr ::= xor_expr { 'OR' xor_expr }
    fn or_expr(&mut self, depth: usize) -> String {
        let left = self.and_expr(depth);
        if depth > 0 && self.rng.chance(25) {
            format!("{left} OR {}", self.and_expr(depth - 1))
        } else {
            left
        }
    }

    // and_expr ::= not_expr { 'AND' not_expr }
    fn and_expr(&mut self, depth: usize) -> String {
        let left = self.not_expr(depth);
        if depth > 0 && self.rng.chance(30) {
            format!("{left} AND {}", self.not_expr(depth - 1))
        } else {
            left
        }
    }

    // not_expr ::= { 'NOT' } comparison
    fn not_expr(&mut self, depth: usize) -> String {
        let inner = if depth > 0 && self.rng.chance(10) {
            // parenthesized ::= "(" expression ")"
            format!("({})", self.or_expr(depth - 1))
        } else {
            self.comparison()
        };
        if self.rng.chance(15) {
            format!("NOT {inner}")
        } else {
            inner
        }
    }

    // comparison ::= string_predicate { ( "=" | "<>" | "<" | ">" | "<=" | ">=" ) string_predicate }
    // string_predicate ::= add_sub { 'STARTS' 'WITH' add_sub | ... | 'IN' add_sub
    //                               | 'IS' [ 'NOT' ] 'NULL' }
    //
    // Every form here is null or a boolean, never an error, whatever the operands hold.
    fn comparison(&mut self) -> String {
        let op = *self.rng.pick(&["=", "<>", "<", ">", "<=", ">="]);
        let nodes = self.vars(&[Kind::Node]);
        match self.rng.below(20) {
            0..=6 => format!("{} {op} {}", self.int_operand(), self.int_expression()),
            7..=9 => format!("{} {op} {}", self.str_operand(), self.str_expression()),
            10..=11 => {
                let operand = if self.rng.chance(50) {
                    self.int_expression()
                } else {
                    self.str_expression()
                };
                let negated = if self.rng.chance(50) { "NOT " } else { "" };
                format!("{operand} IS {negated}NULL")
            }
            12 => format!(
                "{} IN [{}, {}, null]",
                self.int_expression(),
                self.small_int(),
                self.small_int()
            ),
            13 => format!(
                "{} STARTS WITH '{}'",
                self.str_expression(),
                self.rng.pick(&["a", "n1", "d"])
            ),
            // Comparing an integer with a string is null.
            14 => format!("{} = {}", self.int_expression(), self.str_expression()),
            15..=16 if !nodes.is_empty() => format!(
                "{}:{}",
                self.rng.pick(&nodes).name,
                self.rng.pick(&["A", "B", "C"])
            ),
            17 if nodes.len() >= 2 => format!(
                "{} {} {}",
                self.rng.pick(&nodes).name,
                self.rng.pick(&["=", "<>"]),
                self.rng.pick(&nodes).name
            ),
            18 if !nodes.is_empty() => {
                // exists_subquery ::= 'EXISTS' "{" ( query | pattern [ 'WHERE' where_expression ] ) "}"
                format!(
                    "EXISTS {{ ({})-[:{}]->() }}",
                    self.rng.pick(&nodes).name,
                    self.rng.pick(&["R", "S"])
                )
            }
            _ => format!("{} {op} {}", self.int_operand(), self.small_int()),
        }
    }

    /// An integer expression that reads a variable when one can (two literals compared are
    /// false half the time, and then few queries return rows).
    fn int_operand(&mut self) -> String {
        let first = self.int_expression();
        if first.parse::<i64>().is_ok() {
            self.int_expression()
        } else {
            first
        }
    }

    /// A string expression that reads a variable when one can.
    fn str_operand(&mut self) -> String {
        let first = self.str_expression();
        if first.starts_with('\'') {
            self.str_expression()
        } else {
            first
        }
    }
}

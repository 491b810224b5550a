//! No input panics the parser or the planner: 100,000 queries, mutations of the TCK's queries
//! (bytes and tokens deleted, duplicated, swapped or replaced), are parsed and planned
//! (`EXPLAIN`) against a small graph. Errors are fine; a panic fails the test.

#[path = "tck/gherkin.rs"]
#[allow(dead_code)]
mod gherkin;

use std::path::PathBuf;

use cordial::{Database, Map};

/// A small deterministic generator (xorshift), so a failure reproduces.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const FRAGMENTS: &[&str] = &[
    "MATCH",
    "(",
    ")",
    "-[",
    "]->",
    "<-",
    "{",
    "}",
    ":",
    ",",
    "WHERE",
    "RETURN",
    "WITH",
    "*",
    "count(*)",
    "OPTIONAL",
    "UNWIND",
    "AS",
    "ORDER BY",
    "LIMIT",
    "SKIP",
    "DISTINCT",
    "CREATE",
    "MERGE",
    "SET",
    "DELETE",
    "n",
    "r",
    "x",
    "$p",
    "'s'",
    "1",
    "-1",
    "0.5",
    "null",
    "[",
    "]",
    "|",
    "..",
    "=",
    "<>",
    "AND",
    "OR",
    "NOT",
    "EXISTS {",
    "COUNT {",
    "CASE",
    "WHEN",
    "THEN",
    "END",
    "shortestPath(",
    "*1..3",
    "collect(",
    "sum(",
];

fn mutate(rng: &mut Rng, query: &str) -> String {
    let mut text: Vec<char> = query.chars().collect();
    for _ in 0..=rng.below(3) {
        if text.is_empty() {
            break;
        }
        let at = rng.below(text.len());
        match rng.below(5) {
            0 => {
                let len = 1 + rng.below(8);
                text.drain(at..(at + len).min(text.len()));
            }
            1 => {
                let fragment = FRAGMENTS[rng.below(FRAGMENTS.len())];
                for (i, c) in fragment.chars().enumerate() {
                    text.insert(at + i, c);
                }
            }
            2 => {
                let other = rng.below(text.len());
                text.swap(at, other);
            }
            3 => {
                let len = 1 + rng.below(12);
                let piece: Vec<char> = text[at..(at + len).min(text.len())].to_vec();
                for (i, c) in piece.into_iter().enumerate() {
                    text.insert(at + i, c);
                }
            }
            _ => text[at] = char::from(b"()[]{}:,.$'\"-<>*|=0 aZ"[rng.below(22)]),
        }
    }
    text.into_iter().collect()
}

#[test]
fn mutated_queries_never_panic_the_parser_or_the_planner() {
    let dir = std::env::var_os("CORDIAL_TCK_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/tck/features")
        });
    let scenarios = gherkin::load_dir(&dir).expect("TCK features");
    let mut seeds: Vec<String> = scenarios
        .iter()
        .flat_map(|s| s.steps.iter().filter_map(|step| step.doc.clone()))
        .collect();
    seeds.sort();
    seeds.dedup();
    assert!(seeds.len() > 500);
    let db = Database::in_memory().expect("database");
    db.query_all(
        "CREATE (:A {id: 1})-[:T {w: 2}]->(:B {id: 'x'}), (:A:C {name: 'n'})",
        Map::new(),
    )
    .expect("graph");
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let cases = 100_000;
    let mut planned = 0;
    for case in 0..cases {
        let seed = &seeds[rng.below(seeds.len())];
        let query = mutate(&mut rng, seed);
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            db.query_all(&format!("EXPLAIN {query}"), Map::new())
                .is_ok()
        }));
        match outcome {
            Ok(ok) => planned += usize::from(ok),
            Err(_) => panic!("case {case}: the query panicked: {query:?}"),
        }
    }
    println!("fuzz: {cases} mutated queries, {planned} planned, no panic");
}

//! The differential test's machinery, shared by `tests/differential.rs` and the soak binary
//! `benches/differential.rs`: generators (`generate`), running and comparing (`check`), and
//! the loop over cases (`run`).
#![allow(dead_code)]

pub mod check;
pub mod generate;

use std::time::{Duration, Instant};

use check::{Outcome, Stores};
use generate::Rng;

/// Queries run on each generated graph: building the sled store is the slow part of a case.
pub const QUERIES_PER_GRAPH: usize = 10;

/// What a run found.
#[derive(Debug, Default)]
pub struct Summary {
    pub cases: usize,
    pub passed: usize,
    /// Reports of the failed cases, the first `MAX_REPORTS` of them.
    pub reports: Vec<String>,
    pub failed: usize,
    /// Cases that returned at least one row.
    pub with_rows: usize,
    /// Cases that failed the same way on every side.
    pub errors: usize,
    /// Cases whose optimised plan seeks an index.
    pub seeking: usize,
    /// Cases whose simple plan seeks an index (there must be none).
    pub simple_seeking: usize,
    /// Cases whose simple plan differs from the optimised one.
    pub plans_differ: usize,
    /// The case that took longest on the three sides together (its time, graph seed and query
    /// index), so that a soak shows when the generator's queries grow costly.
    pub slowest: (Duration, u64, usize),
}

const MAX_REPORTS: usize = 5;

/// Runs `cases` cases on graphs seeded `first_seed`, `first_seed + 1`, ...
/// (`QUERIES_PER_GRAPH` queries each); `progress` sees the summary after each graph.
pub fn run(cases: usize, first_seed: u64, mut progress: impl FnMut(&Summary)) -> Summary {
    let mut summary = Summary::default();
    let mut graph_seed = first_seed;
    while summary.cases < cases {
        let steps = generate::graph(&mut Rng::new(graph_seed));
        let stores = match Stores::build(&steps) {
            Ok(stores) => stores,
            Err(problem) => {
                summary.cases += 1;
                summary.failed += 1;
                if summary.reports.len() < MAX_REPORTS {
                    summary.reports.push(format!(
                        "graph seed {graph_seed}: {problem}\n{}",
                        graph_text(&steps)
                    ));
                }
                graph_seed += 1;
                continue;
            }
        };
        for index in 0..QUERIES_PER_GRAPH.min(cases - summary.cases) {
            let query = generate::query(&mut Rng::new(generate::query_seed(graph_seed, index)));
            summary.cases += 1;
            let started = Instant::now();
            let result = run_case(&stores, &query, &mut summary);
            summary.slowest = summary.slowest.max((started.elapsed(), graph_seed, index));
            match result {
                Ok(()) => summary.passed += 1,
                Err(outcomes) => {
                    summary.failed += 1;
                    if summary.reports.len() < MAX_REPORTS {
                        summary
                            .reports
                            .push(report(graph_seed, index, &steps, &query, &outcomes));
                    }
                }
            }
        }
        progress(&summary);
        graph_seed += 1;
    }
    summary
}

/// Runs one query on the three sides; the outcomes when they disagree.
fn run_case(
    stores: &Stores,
    query: &generate::Query,
    summary: &mut Summary,
) -> Result<(), Vec<(&'static str, Outcome)>> {
    let outcomes: Vec<(&'static str, Outcome)> = stores
        .sides()
        .iter()
        .map(|(name, db)| (*name, check::run(db, query)))
        .collect();
    let agree = outcomes.iter().all(|(_, o)| o.agrees_with(&outcomes[0].1));
    if !agree {
        return Err(outcomes);
    }
    match outcomes[0].1.row_count() {
        Some(n) if n > 0 => summary.with_rows += 1,
        Some(_) => {}
        None => summary.errors += 1,
    }
    if let (Some((seeks, optimised)), Some((simple_seeks, simple))) = (
        check::explain(&stores.memory, query),
        check::explain(&stores.simple, query),
    ) {
        summary.seeking += usize::from(seeks > 0);
        summary.simple_seeking += usize::from(simple_seeks > 0);
        summary.plans_differ += usize::from(optimised != simple);
    }
    Ok(())
}

/// The graph's statements, as they can be run again by hand.
pub fn graph_text(steps: &[generate::Step]) -> String {
    steps
        .iter()
        .map(|step| match step {
            generate::Step::Statement(text) => format!("{text};"),
            generate::Step::Checkpoint => {
                "// checkpoint (Database::checkpoint, sled store only)".to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Everything needed to reproduce a failed case.
pub fn report(
    graph_seed: u64,
    index: usize,
    steps: &[generate::Step],
    query: &generate::Query,
    outcomes: &[(&'static str, Outcome)],
) -> String {
    let mut text = format!(
        "== differential mismatch: graph seed {graph_seed}, query {index} \
         (CORDIAL_DIFF_SEED={graph_seed} runs this graph's cases again)\n\
         -- graph\n{}\n-- query ({})\n{}\n",
        graph_text(steps),
        if query.ordered {
            "ordered: rows compared as lists"
        } else {
            "unordered: rows compared as multisets"
        },
        query.text
    );
    if !query.bag_columns.is_empty() {
        text.push_str(&format!("-- bag columns {:?}\n", query.bag_columns));
    }
    for (name, outcome) in outcomes {
        text.push_str(&format!("-- {name}: {}", outcome.describe(20)));
    }
    text
}

//! The differential test's long soak: `cargo bench --bench differential -- CASES [FIRST_SEED]`
//! runs CASES cases (default 20,000) on graphs seeded from FIRST_SEED (default 1,000,000, past
//! the seeds `cargo test` uses), prints progress and how many passed, prints the report of
//! each failure (at most five), and exits with 1 if any failed. See `tests/differential.rs`.

#[path = "../tests/diff/mod.rs"]
mod diff;

use std::process::ExitCode;
use std::time::Instant;

fn main() -> ExitCode {
    // `cargo bench` passes `--bench`; the numbers are the rest.
    let numbers: Vec<u64> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .map(|a| {
            a.parse()
                .unwrap_or_else(|_| panic!("usage: differential [CASES] [FIRST_SEED], found {a:?}"))
        })
        .collect();
    let cases = usize::try_from(numbers.first().copied().unwrap_or(20_000)).expect("cases");
    let first_seed = numbers.get(1).copied().unwrap_or(1_000_000);
    let started = Instant::now();
    let mut next_note = 1000;
    let summary = diff::run(cases, first_seed, |s| {
        if s.cases >= next_note {
            eprintln!(
                "{} cases, {} failed, {:.0} s",
                s.cases,
                s.failed,
                started.elapsed().as_secs_f64()
            );
            next_note += 1000;
        }
    });
    for report in &summary.reports {
        println!("{report}");
    }
    println!(
        "{} of {} cases passed ({} failed) in {:.1} s; {} returned rows, {} failed alike on \
         every side, {} used an index seek, {} had a simple plan different from the optimised \
         one; the slowest (graph seed {}, query {}) took {:.2} s",
        summary.passed,
        summary.cases,
        summary.failed,
        started.elapsed().as_secs_f64(),
        summary.with_rows,
        summary.errors,
        summary.seeking,
        summary.plans_differ,
        summary.slowest.1,
        summary.slowest.2,
        summary.slowest.0.as_secs_f64()
    );
    if summary.failed == 0 && summary.simple_seeking == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

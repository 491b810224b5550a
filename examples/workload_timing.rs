//! Times the benchmark workload on an imported bundle: `cargo run --release --example
//! workload_timing -- DB_DIR BUNDLE_DIR [RUNS]`.
use std::time::Instant;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use cordial::{Database, Map, Value};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let db = Database::open(&args[1]).expect("open");
    let manifest: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(format!("{}/manifest.json", args[2])).unwrap(),
    )
    .unwrap();
    let runs: usize = args.get(3).and_then(|r| r.parse().ok()).unwrap_or(5);
    let mut params = Map::new();
    for (k, v) in manifest["parameters"].as_object().unwrap() {
        if let Some(s) = v.as_str() {
            params.insert(k.clone(), Value::String(s.to_owned()));
        }
    }
    let mut files: Vec<_> = std::fs::read_dir("../shared/bench/queries")
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "cypher"))
        .collect();
    files.sort();
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        let t = Instant::now();
        let r = db.query(&text, params.clone());
        let cold = t.elapsed().as_secs_f64() * 1000.0;
        let rows = match &r {
            Ok(r) => r.len() as i64,
            Err(e) => {
                println!("{}: {e}", f.display());
                -1
            }
        };
        let mut times = Vec::new();
        for _ in 0..runs {
            let t = Instant::now();
            let _ = db.query(&text, params.clone());
            times.push(t.elapsed().as_secs_f64() * 1000.0);
        }
        times.sort_by(f64::total_cmp);
        println!(
            "{:40} rows {:5} cold {:9.2} ms  median {:9.2} ms",
            f.file_stem().unwrap().to_string_lossy(),
            rows,
            cold,
            times[times.len() / 2]
        );
    }
}

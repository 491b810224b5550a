//! Runs one query file N times: `one_query DB QUERY_FILE BUNDLE N`.
use cordial::{Database, Map, Value};
fn main() {
    let a: Vec<String> = std::env::args().collect();
    let db = Database::open(&a[1]).unwrap();
    let text = std::fs::read_to_string(&a[2]).unwrap();
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(format!("{}/manifest.json", a[3])).unwrap())
            .unwrap();
    let mut params = Map::new();
    for (k, v) in manifest["parameters"].as_object().unwrap() {
        if let Some(s) = v.as_str() {
            params.insert(k.clone(), Value::String(s.into()));
        }
    }
    for _ in 0..a[4].parse::<usize>().unwrap() {
        let r = db.query(&text, params.clone()).unwrap();
        std::hint::black_box(r);
    }
}

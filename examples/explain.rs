//! Prints the result (and profile) of one statement: `explain DB FILE BUNDLE`.
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
    let r = db.query(&text, params).unwrap();
    for row in &r {
        println!(
            "{}",
            row.values()
                .iter()
                .map(|v| v.to_string())
                .collect::<Vec<_>>()
                .join(" | ")
        );
    }
    if let Some(p) = r.profile {
        println!("{p}");
    }
}

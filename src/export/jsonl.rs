//! JSON lines: one object per node (`{"type":"node","id":..,"labels":[..],"properties":{..}}`),
//! then one per relationship (`{"type":"relationship","id":..,"label":..,"start":..,"end":..,
//! "properties":{..}}`). Values keep their types: integers are JSON integers, floats always
//! carry a fraction or exponent, temporals and non-finite floats are tagged objects
//! (`{"$date":"2024-01-31"}`, `{"$float":"NaN"}`).

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use serde_json::{Map as JsonMap, Value as Json, json};

use super::{ExportError, Selection, Ticker, io_error, read_node, read_rel};
use crate::db::ReadTxn;
use crate::value::Value;

fn tagged(tag: &str, text: String) -> Json {
    let mut map = JsonMap::new();
    map.insert(tag.to_owned(), Json::String(text));
    Json::Object(map)
}

/// A value as typed JSON.
#[must_use]
pub fn to_json(value: &Value) -> Json {
    match value {
        Value::Null => Json::Null,
        Value::Bool(b) => Json::Bool(*b),
        Value::Int(i) => Json::from(*i),
        Value::Float(f) => match serde_json::Number::from_f64(*f) {
            Some(n) => Json::Number(n),
            None => tagged("$float", format!("{f:?}")),
        },
        Value::String(s) => Json::String(s.clone()),
        Value::Date(d) => tagged("$date", d.to_string()),
        Value::LocalTime(t) => tagged("$localtime", t.to_string()),
        Value::Time(t) => tagged("$time", t.to_string()),
        Value::LocalDateTime(t) => tagged("$localdatetime", t.to_string()),
        Value::DateTime(t) => tagged("$datetime", t.to_string()),
        Value::Duration(d) => tagged("$duration", d.to_string()),
        Value::List(items) => Json::Array(items.iter().map(to_json).collect()),
        Value::Map(map) => Json::Object(map.iter().map(|(k, v)| (k.clone(), to_json(v))).collect()),
        Value::Node(n) => json!({"$node": n.id.0}),
        Value::Relationship(r) => json!({"$relationship": r.id.0}),
        Value::Path(p) => json!({"$path": p.nodes.iter().map(|n| n.id.0).collect::<Vec<_>>()}),
    }
}

fn properties(props: &[(&str, Value)]) -> Json {
    Json::Object(
        props
            .iter()
            .map(|(k, v)| ((*k).to_owned(), to_json(v)))
            .collect(),
    )
}

pub(super) fn write(
    snapshot: &ReadTxn,
    selection: &Selection,
    dir: &Path,
    ticker: &mut Ticker<'_>,
) -> Result<Vec<PathBuf>, ExportError> {
    let relative = PathBuf::from("graph.jsonl");
    let path = dir.join(&relative);
    let file = File::create(&path).map_err(io_error(&path))?;
    let mut out = BufWriter::with_capacity(1 << 20, file);
    let line = |object: &Json, out: &mut BufWriter<File>| -> Result<(), ExportError> {
        serde_json::to_writer(&mut *out, object)
            .map_err(|e| io_error(&path)(std::io::Error::other(e)))?;
        out.write_all(b"\n").map_err(io_error(&path))
    };
    for &id in &selection.nodes {
        let node = read_node(snapshot, id)?;
        let object = json!({
            "type": "node",
            "id": node.id.0,
            "labels": node.labels,
            "properties": properties(&node.props),
        });
        line(&object, &mut out)?;
        ticker.tick();
    }
    for &id in &selection.rels {
        let rel = read_rel(snapshot, id)?;
        let object = json!({
            "type": "relationship",
            "id": rel.id.0,
            "label": rel.rel_type,
            "start": rel.start.0,
            "end": rel.end.0,
            "properties": properties(&rel.props),
        });
        line(&object, &mut out)?;
        ticker.tick();
    }
    out.into_inner()
        .map_err(|e| io_error(&path)(e.into_error()))?
        .sync_all()
        .map_err(io_error(&path))?;
    Ok(vec![relative])
}

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
        Value::String(s) => Json::String(s.to_string()),
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

/// Appends `value` as typed JSON, the same text `to_json` gives, without building a tree.
fn write_value(value: &Value, out: &mut Vec<u8>) -> Result<(), serde_json::Error> {
    match value {
        Value::Int(i) => out.extend_from_slice(i.to_string().as_bytes()),
        Value::Float(f) if f.is_finite() => serde_json::to_writer(&mut *out, f)?,
        Value::String(s) => serde_json::to_writer(&mut *out, s)?,
        Value::Bool(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
        Value::Null => out.extend_from_slice(b"null"),
        Value::List(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_value(item, out)?;
            }
            out.push(b']');
        }
        other => serde_json::to_writer(&mut *out, &to_json(other))?,
    }
    Ok(())
}

fn write_properties(props: &[(&str, Value)], out: &mut Vec<u8>) -> Result<(), serde_json::Error> {
    out.push(b'{');
    for (i, (key, value)) in props.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        serde_json::to_writer(&mut *out, key)?;
        out.push(b':');
        write_value(value, out)?;
    }
    out.push(b'}');
    Ok(())
}

fn node_line(node: &super::NodeData<'_>, out: &mut Vec<u8>) -> Result<(), serde_json::Error> {
    out.extend_from_slice(b"{\"type\":\"node\",\"id\":");
    out.extend_from_slice(node.id.0.to_string().as_bytes());
    out.extend_from_slice(b",\"labels\":");
    serde_json::to_writer(&mut *out, &node.labels)?;
    out.extend_from_slice(b",\"properties\":");
    write_properties(&node.props, out)?;
    out.extend_from_slice(b"}\n");
    Ok(())
}

fn rel_line(rel: &super::RelData<'_>, out: &mut Vec<u8>) -> Result<(), serde_json::Error> {
    out.extend_from_slice(b"{\"type\":\"relationship\",\"id\":");
    out.extend_from_slice(rel.id.0.to_string().as_bytes());
    out.extend_from_slice(b",\"label\":");
    serde_json::to_writer(&mut *out, rel.rel_type)?;
    out.extend_from_slice(
        format!(
            ",\"start\":{},\"end\":{},\"properties\":",
            rel.start.0, rel.end.0
        )
        .as_bytes(),
    );
    write_properties(&rel.props, out)?;
    out.extend_from_slice(b"}\n");
    Ok(())
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
    let json_error = |e: serde_json::Error| io_error(&path)(std::io::Error::other(e));
    let mut line = Vec::new();
    for &id in &selection.nodes {
        line.clear();
        node_line(&read_node(snapshot, id)?, &mut line).map_err(json_error)?;
        out.write_all(&line).map_err(io_error(&path))?;
        ticker.tick();
    }
    for &id in &selection.rels {
        line.clear();
        rel_line(&read_rel(snapshot, id)?, &mut line).map_err(json_error)?;
        out.write_all(&line).map_err(io_error(&path))?;
        ticker.tick();
    }
    out.into_inner()
        .map_err(|e| io_error(&path)(e.into_error()))?
        .sync_all()
        .map_err(io_error(&path))?;
    Ok(vec![relative])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_streamed_text_is_the_tree_text() {
        let values = [
            Value::Int(-3),
            Value::Float(1.0),
            Value::Float(-0.0),
            Value::Float(1e300),
            Value::Float(f64::NAN),
            Value::String("a\"b\n\u{1}é".into()),
            Value::List(vec![Value::Bool(true), Value::Null, Value::Float(0.5)].into()),
        ];
        for value in values {
            let mut out = Vec::new();
            write_value(&value, &mut out).unwrap();
            assert_eq!(
                String::from_utf8(out).unwrap(),
                serde_json::to_string(&to_json(&value)).unwrap()
            );
        }
    }
}

//! Encoding of persisted records: bincode 2 payloads framed by a CRC-32, the conversion between
//! `Value` and `StoredValue`, and the order-preserving byte encoding of index keys.
//!
//! Every decode checks the checksum first, so a flipped byte is reported as corruption of the
//! named chunk rather than decoded into garbage or a panic.

use serde::Serialize;
use serde::de::DeserializeOwned;

use super::StorageError;
use super::records::StoredValue;
use crate::value::{Date, DateTime, Duration, LocalDateTime, LocalTime, Time, Value};

fn config() -> bincode::config::Configuration {
    bincode::config::standard()
}

/// Encodes a record as `crc32(payload) ++ payload`.
pub fn encode<T: Serialize>(record: &T) -> Result<Vec<u8>, StorageError> {
    let mut out = vec![0u8; 4];
    bincode::serde::encode_into_std_write(record, &mut out, config())
        .map_err(|e| StorageError::Encode(e.to_string()))?;
    let crc = crc32fast::hash(&out[4..]);
    out[..4].copy_from_slice(&crc.to_le_bytes());
    Ok(out)
}

/// Decodes a record written by `encode`; `what` names it in the corruption error.
pub fn decode<T: DeserializeOwned>(
    bytes: &[u8],
    what: &dyn Fn() -> String,
) -> Result<T, StorageError> {
    let corrupt = |detail: &str| StorageError::Corruption {
        what: what(),
        detail: detail.to_owned(),
    };
    if bytes.len() < 4 {
        return Err(corrupt("record shorter than its checksum"));
    }
    let (crc, payload) = bytes.split_at(4);
    if crc32fast::hash(payload).to_le_bytes() != crc {
        return Err(corrupt("checksum mismatch"));
    }
    let (record, read) = bincode::serde::decode_from_slice(payload, config())
        .map_err(|e| corrupt(&e.to_string()))?;
    if read != payload.len() {
        return Err(corrupt("trailing bytes after record"));
    }
    Ok(record)
}

/// Converts a property value to its stored form. Maps, nodes, relationships and paths cannot be
/// stored as properties, nor can lists that contain them.
pub fn to_stored(value: &Value) -> Result<StoredValue, StorageError> {
    Ok(match value {
        Value::Null => StoredValue::Null,
        Value::Bool(b) => StoredValue::Bool(*b),
        Value::Int(i) => StoredValue::Int(*i),
        Value::Float(f) => StoredValue::Float(*f),
        Value::String(s) => StoredValue::String(s.to_string()),
        Value::Date(d) => StoredValue::Date(d.epoch_days()),
        Value::LocalTime(t) => StoredValue::LocalTime(t.nanos_of_day()),
        Value::Time(t) => StoredValue::Time(t.nanos_of_day(), t.offset_seconds),
        Value::LocalDateTime(t) => StoredValue::LocalDateTime(t.epoch_seconds(), t.subsec_nanos()),
        Value::DateTime(t) => StoredValue::DateTime(
            t.epoch_seconds(),
            t.subsec_nanos(),
            t.offset_seconds,
            t.zone.clone(),
        ),
        Value::Duration(d) => StoredValue::Duration(d.months, d.days, d.seconds, d.nanos),
        Value::List(items) => StoredValue::List(
            items
                .iter()
                .map(|item| match item {
                    Value::List(_) => Err(StorageError::UnsupportedValue {
                        type_name: "a nested list",
                    }),
                    other => to_stored(other),
                })
                .collect::<Result<_, _>>()?,
        ),
        Value::Map(_) => return Err(StorageError::UnsupportedValue { type_name: "a map" }),
        Value::Node(_) => {
            return Err(StorageError::UnsupportedValue {
                type_name: "a node",
            });
        }
        Value::Relationship(_) => {
            return Err(StorageError::UnsupportedValue {
                type_name: "a relationship",
            });
        }
        Value::Path(_) => {
            return Err(StorageError::UnsupportedValue {
                type_name: "a path",
            });
        }
    })
}

/// Converts a stored value back; a value out of the temporal types' range is corruption.
pub fn from_stored(stored: &StoredValue) -> Result<Value, StorageError> {
    let bad = |what: &str| StorageError::Corruption {
        what: "property value".into(),
        detail: format!("{what} out of range"),
    };
    Ok(match stored {
        StoredValue::Null => Value::Null,
        StoredValue::Bool(b) => Value::Bool(*b),
        StoredValue::Int(i) => Value::Int(*i),
        StoredValue::Float(f) => Value::Float(*f),
        StoredValue::String(s) => Value::String(s.clone().into()),
        StoredValue::Date(days) => {
            Value::Date(Date::from_epoch_days(*days).ok_or_else(|| bad("date"))?)
        }
        StoredValue::LocalTime(n) => {
            Value::LocalTime(LocalTime::from_nanos_of_day(*n).ok_or_else(|| bad("local time"))?)
        }
        StoredValue::Time(n, off) => {
            Value::Time(Time::from_parts(*n, *off).ok_or_else(|| bad("time"))?)
        }
        StoredValue::LocalDateTime(s, n) => Value::LocalDateTime(
            LocalDateTime::from_parts(*s, *n).ok_or_else(|| bad("local datetime"))?,
        ),
        StoredValue::DateTime(s, n, off, zone) => Value::DateTime(
            DateTime::from_parts(*s, *n, *off, zone.as_deref()).ok_or_else(|| bad("datetime"))?,
        ),
        StoredValue::Duration(months, days, seconds, nanos) => Value::Duration(Duration {
            months: *months,
            days: *days,
            seconds: *seconds,
            nanos: *nanos,
        }),
        StoredValue::List(items) => {
            Value::List(items.iter().map(from_stored).collect::<Result<_, _>>()?)
        }
    })
}

/// Type tags of index keys, in the order openCypher sorts the types.
mod tag {
    pub const BOOL: u8 = 0x10;
    pub const NUMBER: u8 = 0x20;
    pub const STRING: u8 = 0x30;
    pub const DATE: u8 = 0x40;
    pub const LOCAL_TIME: u8 = 0x41;
    pub const TIME: u8 = 0x42;
    pub const LOCAL_DATETIME: u8 = 0x43;
    pub const DATETIME: u8 = 0x44;
    pub const DURATION: u8 = 0x45;
    pub const LIST: u8 = 0x50;
}

fn order_i64(out: &mut Vec<u8>, v: i64) {
    out.extend_from_slice(&(v.cast_unsigned() ^ (1 << 63)).to_be_bytes());
}

fn order_f64(out: &mut Vec<u8>, v: f64) {
    // Canonical zero and NaN, then the usual sign-flip trick for IEEE 754 order.
    let v = if v == 0.0 { 0.0 } else { v };
    let bits = if v.is_nan() {
        f64::NAN.to_bits()
    } else {
        v.to_bits()
    };
    let ordered = if bits >> 63 == 1 {
        !bits
    } else {
        bits | (1 << 63)
    };
    out.extend_from_slice(&ordered.to_be_bytes());
}

/// The order-preserving index key of a value, or `None` for values that are not indexed
/// (null, and lists holding null). Integers and floats share one numeric space: an integer
/// that a float represents exactly has the same key as that float, so `{n: 1}` finds `1.0`.
#[must_use]
pub fn index_key(value: &StoredValue) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(16);
    write_index_key(&mut out, value)?;
    Some(out)
}

#[allow(clippy::cast_precision_loss, clippy::cast_possible_truncation)]
fn write_index_key(out: &mut Vec<u8>, value: &StoredValue) -> Option<()> {
    match value {
        StoredValue::Null => return None,
        StoredValue::Bool(b) => {
            out.push(tag::BOOL);
            out.push(u8::from(*b));
        }
        StoredValue::Int(i) => {
            // An integer is keyed by its float value plus the exact integer, so that it sorts
            // among floats and stays distinct from its neighbours beyond 2^53.
            out.push(tag::NUMBER);
            order_f64(out, *i as f64);
            order_i64(out, *i);
        }
        StoredValue::Float(f) => {
            out.push(tag::NUMBER);
            order_f64(out, *f);
            let exact = f.fract() == 0.0
                && *f >= -9.223_372_036_854_776e18
                && *f < 9.223_372_036_854_776e18;
            order_i64(
                out,
                if exact {
                    *f as i64
                } else if *f > 0.0 {
                    i64::MAX
                } else {
                    i64::MIN
                },
            );
        }
        StoredValue::String(s) => {
            out.push(tag::STRING);
            // 0x00 is escaped as 0x00 0xFF and the string ends with 0x00 0x00, so prefixes sort first.
            for &byte in s.as_bytes() {
                out.push(byte);
                if byte == 0 {
                    out.push(0xFF);
                }
            }
            out.extend_from_slice(&[0, 0]);
        }
        StoredValue::Date(d) => {
            out.push(tag::DATE);
            order_i64(out, *d);
        }
        StoredValue::LocalTime(n) => {
            out.push(tag::LOCAL_TIME);
            order_i64(out, *n);
        }
        StoredValue::Time(n, off) => {
            out.push(tag::TIME);
            order_i64(out, n - i64::from(*off) * 1_000_000_000);
            order_i64(out, i64::from(*off));
        }
        StoredValue::LocalDateTime(s, n) => {
            out.push(tag::LOCAL_DATETIME);
            order_i64(out, *s);
            out.extend_from_slice(&n.to_be_bytes());
        }
        StoredValue::DateTime(s, n, off, zone) => {
            out.push(tag::DATETIME);
            order_i64(out, *s);
            out.extend_from_slice(&n.to_be_bytes());
            order_i64(out, i64::from(*off));
            out.extend_from_slice(zone.as_deref().unwrap_or("").as_bytes());
            out.extend_from_slice(&[0, 0]);
        }
        StoredValue::Duration(m, d, s, n) => {
            out.push(tag::DURATION);
            order_i64(out, *m);
            order_i64(out, *d);
            order_i64(out, *s);
            order_i64(out, i64::from(*n));
        }
        StoredValue::List(items) => {
            out.push(tag::LIST);
            for item in items {
                out.push(1);
                write_index_key(out, item)?;
            }
            out.push(0);
        }
    }
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_keys_sort_like_values() {
        let ordered = [
            StoredValue::Bool(false),
            StoredValue::Bool(true),
            StoredValue::Float(f64::NEG_INFINITY),
            StoredValue::Int(i64::MIN),
            StoredValue::Float(-1.5),
            StoredValue::Int(-1),
            StoredValue::Float(-0.5),
            StoredValue::Int(0),
            StoredValue::Float(0.5),
            StoredValue::Int(1),
            StoredValue::Int(2),
            StoredValue::Float(2.5),
            StoredValue::Int(1 << 53),
            StoredValue::Int((1 << 53) + 1),
            StoredValue::Int(i64::MAX),
            StoredValue::Float(f64::INFINITY),
            StoredValue::String(String::new()),
            StoredValue::String("a".into()),
            StoredValue::String("a\0".into()),
            StoredValue::String("ab".into()),
            StoredValue::String("b".into()),
            StoredValue::Date(-3),
            StoredValue::Date(10),
        ];
        let keys: Vec<_> = ordered.iter().map(|v| index_key(v).unwrap()).collect();
        for (i, pair) in keys.windows(2).enumerate() {
            assert!(
                pair[0] < pair[1],
                "{:?} should sort before {:?}",
                ordered[i],
                ordered[i + 1]
            );
        }
    }

    #[test]
    fn integers_and_equal_floats_share_a_key() {
        assert_eq!(
            index_key(&StoredValue::Int(3)),
            index_key(&StoredValue::Float(3.0))
        );
        assert_eq!(
            index_key(&StoredValue::Int(0)),
            index_key(&StoredValue::Float(-0.0))
        );
        assert_ne!(
            index_key(&StoredValue::Int(3)),
            index_key(&StoredValue::Float(3.5))
        );
        assert_eq!(index_key(&StoredValue::Null), None);
        assert_eq!(index_key(&StoredValue::List(vec![StoredValue::Null])), None);
    }

    #[test]
    fn a_flipped_byte_is_corruption() {
        let bytes = encode(&vec![1u64, 2, 3]).unwrap();
        for i in 0..bytes.len() {
            let mut bad = bytes.clone();
            bad[i] ^= 0x40;
            let result: Result<Vec<u64>, _> = decode(&bad, &|| "test".into());
            assert!(matches!(result, Err(StorageError::Corruption { .. })));
        }
        let good: Vec<u64> = decode(&bytes, &|| "test".into()).unwrap();
        assert_eq!(good, vec![1, 2, 3]);
    }
}

//! serde for values: `Serialize` (JSON-friendly: temporals as ISO strings, nodes as
//! `{"id", "labels", "properties"}`), `Deserialize` (from any self-describing format, e.g. JSON
//! parameters), and `Value` as a `Deserializer` so rows map onto user structs
//! (`from_value::<Summary>(row)`).
//!
//! It knows nothing of queries; `db` builds a row as a `Value::Map` of column name to value and
//! calls [`from_value`].

use std::fmt;

use ::serde::de::value::{MapDeserializer, SeqDeserializer};
use ::serde::de::{self, DeserializeOwned, IntoDeserializer, Visitor};
use ::serde::ser::{SerializeMap, SerializeSeq};
use ::serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::{Map, Node, Path, Relationship, Value, ValueError};

/// Converts a value (typically a row: a map of column name to value) into any deserializable
/// type. Temporals deserialize from their ISO string, so `chrono` types and `String` work.
pub fn from_value<T: DeserializeOwned>(value: Value) -> Result<T, ValueError> {
    T::deserialize(value)
}

/// Converts any serializable value (a parameter struct, a map, a number) into a `Value`.
/// Structs and maps become maps (keys must serialize as strings or numbers), sequences and
/// tuples lists, `None` and unit null, unit enum variants their name, other enum variants
/// `{variant: content}`. Integers beyond `i64` are an error.
pub fn to_value<T: Serialize + ?Sized>(value: &T) -> Result<Value, ValueError> {
    value.serialize(ValueSerializer)
}

impl Value {
    /// `from_value` as a method: `row.deserialize_into::<Summary>()`.
    pub fn deserialize_into<T: DeserializeOwned>(self) -> Result<T, ValueError> {
        from_value(self)
    }
}

// ---------------------------------------------------------------------------------------------
// Serialize

impl Serialize for Value {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Value::Null => serializer.serialize_unit(),
            Value::Bool(b) => serializer.serialize_bool(*b),
            Value::Int(i) => serializer.serialize_i64(*i),
            Value::Float(f) => serializer.serialize_f64(*f),
            Value::String(s) => serializer.serialize_str(s),
            Value::Date(d) => d.serialize(serializer),
            Value::LocalTime(t) => t.serialize(serializer),
            Value::Time(t) => t.serialize(serializer),
            Value::LocalDateTime(dt) => dt.serialize(serializer),
            Value::DateTime(dt) => dt.serialize(serializer),
            Value::Duration(d) => d.serialize(serializer),
            Value::List(items) => {
                let mut seq = serializer.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            Value::Map(map) => serialize_map(map, serializer),
            Value::Node(node) => node.serialize(serializer),
            Value::Relationship(rel) => rel.serialize(serializer),
            Value::Path(path) => path.serialize(serializer),
        }
    }
}

fn serialize_map<S: Serializer>(map: &Map, serializer: S) -> Result<S::Ok, S::Error> {
    let mut out = serializer.serialize_map(Some(map.len()))?;
    for (key, value) in map {
        out.serialize_entry(key, value)?;
    }
    out.end()
}

impl Serialize for Node {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut out = serializer.serialize_map(Some(3))?;
        out.serialize_entry("id", &self.id.0)?;
        out.serialize_entry("labels", &self.labels)?;
        out.serialize_entry("properties", &MapRef(&self.properties))?;
        out.end()
    }
}

impl Serialize for Relationship {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut out = serializer.serialize_map(Some(5))?;
        out.serialize_entry("id", &self.id.0)?;
        out.serialize_entry("type", &self.rel_type)?;
        out.serialize_entry("start", &self.start.0)?;
        out.serialize_entry("end", &self.end.0)?;
        out.serialize_entry("properties", &MapRef(&self.properties))?;
        out.end()
    }
}

impl Serialize for Path {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut out = serializer.serialize_map(Some(2))?;
        out.serialize_entry("nodes", &self.nodes)?;
        out.serialize_entry("relationships", &self.relationships)?;
        out.end()
    }
}

struct MapRef<'a>(&'a Map);

impl Serialize for MapRef<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serialize_map(self.0, serializer)
    }
}

// ---------------------------------------------------------------------------------------------
// Deserialize (into Value, from any self-describing format)

impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ValueVisitor)
    }
}

struct ValueVisitor;

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any openCypher value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Int(v))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Value, E> {
        i64::try_from(v)
            .map(Value::Int)
            .map_err(|_| E::custom(format!("integer {v} does not fit in 64 signed bits")))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Value::Float(v))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.into()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v.into()))
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        Value::deserialize(deserializer)
    }

    fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Value::List(items.into()))
    }

    fn visit_map<A: de::MapAccess<'de>>(self, mut access: A) -> Result<Value, A::Error> {
        let mut map = Map::new();
        while let Some((key, value)) = access.next_entry::<String, Value>()? {
            map.insert(key, value);
        }
        Ok(Value::Map(map.into()))
    }
}

// ---------------------------------------------------------------------------------------------
// Value as a Deserializer (into user types)

impl<'de> IntoDeserializer<'de, ValueError> for Value {
    type Deserializer = Value;

    fn into_deserializer(self) -> Value {
        self
    }
}

fn node_map(node: Node) -> Map {
    let mut map = Map::new();
    map.insert("id".to_owned(), id_value(node.id.0));
    map.insert(
        "labels".to_owned(),
        Value::List(node.labels.into_iter().map(Value::from).collect()),
    );
    map.insert("properties".to_owned(), Value::Map(node.properties.into()));
    map
}

fn rel_map(rel: Relationship) -> Map {
    let mut map = Map::new();
    map.insert("id".to_owned(), id_value(rel.id.0));
    map.insert("type".to_owned(), Value::String(rel.rel_type.into()));
    map.insert("start".to_owned(), id_value(rel.start.0));
    map.insert("end".to_owned(), id_value(rel.end.0));
    map.insert("properties".to_owned(), Value::Map(rel.properties.into()));
    map
}

fn id_value(id: u64) -> Value {
    i64::try_from(id).map_or_else(|_| Value::String(id.to_string().into()), Value::Int)
}

fn visit_map<'de, V: Visitor<'de>>(map: Map, visitor: V) -> Result<V::Value, ValueError> {
    let mut access = MapDeserializer::new(map.into_iter());
    let value = visitor.visit_map(&mut access)?;
    access.end()?;
    Ok(value)
}

impl<'de> Deserializer<'de> for Value {
    type Error = ValueError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ValueError> {
        match self {
            Value::Null => visitor.visit_unit(),
            Value::Bool(b) => visitor.visit_bool(b),
            Value::Int(i) => visitor.visit_i64(i),
            Value::Float(f) => visitor.visit_f64(f),
            Value::String(s) => visitor.visit_string(s.to_string()),
            Value::Date(_)
            | Value::LocalTime(_)
            | Value::Time(_)
            | Value::LocalDateTime(_)
            | Value::DateTime(_)
            | Value::Duration(_) => visitor.visit_string(self.to_cypher_string()),
            Value::List(items) => {
                let mut access = SeqDeserializer::new(items.into_iter());
                let value = visitor.visit_seq(&mut access)?;
                access.end()?;
                Ok(value)
            }
            Value::Map(map) => visit_map(map.into_map(), visitor),
            Value::Node(node) => visit_map(node_map(*node), visitor),
            Value::Relationship(rel) => visit_map(rel_map(*rel), visitor),
            Value::Path(path) => {
                let path = *path;
                let mut map = Map::new();
                map.insert(
                    "nodes".to_owned(),
                    Value::List(
                        path.nodes
                            .into_iter()
                            .map(|n| Value::Map(node_map(n).into()))
                            .collect(),
                    ),
                );
                map.insert(
                    "relationships".to_owned(),
                    Value::List(
                        path.relationships
                            .into_iter()
                            .map(|r| Value::Map(rel_map(r).into()))
                            .collect(),
                    ),
                );
                visit_map(map, visitor)
            }
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ValueError> {
        match self {
            Value::Null => visitor.visit_none(),
            other => visitor.visit_some(other),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, ValueError> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, ValueError> {
        match self {
            Value::String(variant) => visitor.visit_enum(variant.into_deserializer()),
            Value::Map(map) if map.len() == 1 => {
                let Some((variant, value)) = map.into_iter().next() else {
                    return Err(ValueError::Conversion(
                        "expected a map with one entry for an enum".to_owned(),
                    ));
                };
                visitor.visit_enum(EnumAccess { variant, value })
            }
            other => Err(ValueError::TypeMismatch {
                expected: "a string or a map with one entry",
                found: other.type_name(),
            }),
        }
    }

    ::serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct seq tuple tuple_struct map struct identifier ignored_any
    }
}

/// An externally tagged enum variant with content: `{"Variant": value}`.
struct EnumAccess {
    variant: String,
    value: Value,
}

impl<'de> de::EnumAccess<'de> for EnumAccess {
    type Error = ValueError;
    type Variant = VariantAccess;

    fn variant_seed<T: de::DeserializeSeed<'de>>(
        self,
        seed: T,
    ) -> Result<(T::Value, VariantAccess), ValueError> {
        let variant = seed.deserialize(self.variant.into_deserializer())?;
        Ok((variant, VariantAccess(self.value)))
    }
}

struct VariantAccess(Value);

impl<'de> de::VariantAccess<'de> for VariantAccess {
    type Error = ValueError;

    fn unit_variant(self) -> Result<(), ValueError> {
        match self.0 {
            Value::Null => Ok(()),
            other => Err(ValueError::TypeMismatch {
                expected: "no content for a unit variant",
                found: other.type_name(),
            }),
        }
    }

    fn newtype_variant_seed<T: de::DeserializeSeed<'de>>(
        self,
        seed: T,
    ) -> Result<T::Value, ValueError> {
        seed.deserialize(self.0)
    }

    fn tuple_variant<V: Visitor<'de>>(
        self,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value, ValueError> {
        self.0.deserialize_any(visitor)
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, ValueError> {
        self.0.deserialize_any(visitor)
    }
}

// ---------------------------------------------------------------------------------------------
// Temporal types as ISO 8601 strings, so user structs can hold them (`since: Date` in a row
// type for `from_value`) and `"2020-01-01".parse::<Date>()` works.

macro_rules! temporal_as_string {
    ($($ty:ident, $what:literal);* $(;)?) => {
        $(
            impl Serialize for super::$ty {
                /// The ISO string, wrapped in a newtype struct whose name `to_value` recognises
                /// to rebuild the temporal value; other serializers see just the string.
                fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                    serializer.serialize_newtype_struct(concat!("$cordial::", stringify!($ty)), &self.to_string())
                }
            }

            impl<'de> Deserialize<'de> for super::$ty {
                fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                    struct StrVisitor;

                    impl Visitor<'_> for StrVisitor {
                        type Value = super::$ty;

                        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                            f.write_str(concat!("an ISO 8601 ", $what, " string"))
                        }

                        fn visit_str<E: de::Error>(self, v: &str) -> Result<super::$ty, E> {
                            super::$ty::parse(v).map_err(E::custom)
                        }
                    }

                    deserializer.deserialize_str(StrVisitor)
                }
            }

            impl std::str::FromStr for super::$ty {
                type Err = ValueError;

                fn from_str(s: &str) -> Result<Self, ValueError> {
                    super::$ty::parse(s)
                }
            }
        )*
    };
}

temporal_as_string! {
    Date, "date";
    LocalTime, "local time";
    Time, "time";
    LocalDateTime, "local datetime";
    DateTime, "datetime";
    Duration, "duration";
}

// ---------------------------------------------------------------------------------------------
// A Serializer that builds a Value (behind `to_value`)

struct ValueSerializer;

fn int_value<T: TryInto<i64> + fmt::Display + Copy>(v: T) -> Result<Value, ValueError> {
    v.try_into()
        .map(Value::Int)
        .map_err(|_| ValueError::Conversion(format!("integer {v} does not fit in 64 signed bits")))
}

fn tagged(variant: &str, content: Value) -> Value {
    let mut map = Map::new();
    map.insert(variant.to_owned(), content);
    Value::Map(map.into())
}

impl Serializer for ValueSerializer {
    type Ok = Value;
    type Error = ValueError;
    type SerializeSeq = SeqBuilder;
    type SerializeTuple = SeqBuilder;
    type SerializeTupleStruct = SeqBuilder;
    type SerializeTupleVariant = SeqBuilder;
    type SerializeMap = MapBuilder;
    type SerializeStruct = MapBuilder;
    type SerializeStructVariant = MapBuilder;

    fn serialize_bool(self, v: bool) -> Result<Value, ValueError> {
        Ok(Value::Bool(v))
    }
    fn serialize_i8(self, v: i8) -> Result<Value, ValueError> {
        Ok(Value::Int(v.into()))
    }
    fn serialize_i16(self, v: i16) -> Result<Value, ValueError> {
        Ok(Value::Int(v.into()))
    }
    fn serialize_i32(self, v: i32) -> Result<Value, ValueError> {
        Ok(Value::Int(v.into()))
    }
    fn serialize_i64(self, v: i64) -> Result<Value, ValueError> {
        Ok(Value::Int(v))
    }
    fn serialize_i128(self, v: i128) -> Result<Value, ValueError> {
        int_value(v)
    }
    fn serialize_u8(self, v: u8) -> Result<Value, ValueError> {
        Ok(Value::Int(v.into()))
    }
    fn serialize_u16(self, v: u16) -> Result<Value, ValueError> {
        Ok(Value::Int(v.into()))
    }
    fn serialize_u32(self, v: u32) -> Result<Value, ValueError> {
        Ok(Value::Int(v.into()))
    }
    fn serialize_u64(self, v: u64) -> Result<Value, ValueError> {
        int_value(v)
    }
    fn serialize_u128(self, v: u128) -> Result<Value, ValueError> {
        int_value(v)
    }
    fn serialize_f32(self, v: f32) -> Result<Value, ValueError> {
        Ok(Value::Float(v.into()))
    }
    fn serialize_f64(self, v: f64) -> Result<Value, ValueError> {
        Ok(Value::Float(v))
    }
    fn serialize_char(self, v: char) -> Result<Value, ValueError> {
        Ok(Value::String(v.to_string().into()))
    }
    fn serialize_str(self, v: &str) -> Result<Value, ValueError> {
        Ok(Value::String(v.into()))
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<Value, ValueError> {
        Ok(Value::List(
            v.iter().map(|b| Value::Int((*b).into())).collect(),
        ))
    }
    fn serialize_none(self) -> Result<Value, ValueError> {
        Ok(Value::Null)
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<Value, ValueError> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<Value, ValueError> {
        Ok(Value::Null)
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Result<Value, ValueError> {
        Ok(Value::Null)
    }
    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<Value, ValueError> {
        Ok(Value::String(variant.into()))
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        value: &T,
    ) -> Result<Value, ValueError> {
        let inner = value.serialize(self)?;
        // Temporal values travel as their ISO string under a marker name (see their
        // `Serialize`); turn them back into temporal values.
        let (Some(kind), Value::String(text)) = (name.strip_prefix("$cordial::"), &inner) else {
            return Ok(inner);
        };
        Ok(match kind {
            "Date" => Value::Date(super::Date::parse(text)?),
            "LocalTime" => Value::LocalTime(super::LocalTime::parse(text)?),
            "Time" => Value::Time(super::Time::parse(text)?),
            "LocalDateTime" => Value::LocalDateTime(super::LocalDateTime::parse(text)?),
            "DateTime" => Value::DateTime(super::DateTime::parse(text)?),
            "Duration" => Value::Duration(super::Duration::parse(text)?),
            _ => inner,
        })
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<Value, ValueError> {
        Ok(tagged(variant, value.serialize(ValueSerializer)?))
    }
    fn serialize_seq(self, len: Option<usize>) -> Result<SeqBuilder, ValueError> {
        Ok(SeqBuilder {
            items: Vec::with_capacity(len.unwrap_or(0).min(4096)),
            variant: None,
        })
    }
    fn serialize_tuple(self, len: usize) -> Result<SeqBuilder, ValueError> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        len: usize,
    ) -> Result<SeqBuilder, ValueError> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<SeqBuilder, ValueError> {
        Ok(SeqBuilder {
            items: Vec::with_capacity(len.min(4096)),
            variant: Some(variant),
        })
    }
    fn serialize_map(self, _len: Option<usize>) -> Result<MapBuilder, ValueError> {
        Ok(MapBuilder {
            map: Map::new(),
            key: None,
            variant: None,
        })
    }
    fn serialize_struct(self, _name: &'static str, _len: usize) -> Result<MapBuilder, ValueError> {
        self.serialize_map(None)
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<MapBuilder, ValueError> {
        Ok(MapBuilder {
            map: Map::new(),
            key: None,
            variant: Some(variant),
        })
    }
}

struct SeqBuilder {
    items: Vec<Value>,
    variant: Option<&'static str>,
}

impl SeqBuilder {
    fn push<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), ValueError> {
        self.items.push(value.serialize(ValueSerializer)?);
        Ok(())
    }

    fn finish(self) -> Value {
        let list = Value::List(self.items.into());
        match self.variant {
            Some(variant) => tagged(variant, list),
            None => list,
        }
    }
}

impl ::serde::ser::SerializeSeq for SeqBuilder {
    type Ok = Value;
    type Error = ValueError;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), ValueError> {
        self.push(value)
    }
    fn end(self) -> Result<Value, ValueError> {
        Ok(self.finish())
    }
}

impl ::serde::ser::SerializeTuple for SeqBuilder {
    type Ok = Value;
    type Error = ValueError;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), ValueError> {
        self.push(value)
    }
    fn end(self) -> Result<Value, ValueError> {
        Ok(self.finish())
    }
}

impl ::serde::ser::SerializeTupleStruct for SeqBuilder {
    type Ok = Value;
    type Error = ValueError;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), ValueError> {
        self.push(value)
    }
    fn end(self) -> Result<Value, ValueError> {
        Ok(self.finish())
    }
}

impl ::serde::ser::SerializeTupleVariant for SeqBuilder {
    type Ok = Value;
    type Error = ValueError;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), ValueError> {
        self.push(value)
    }
    fn end(self) -> Result<Value, ValueError> {
        Ok(self.finish())
    }
}

struct MapBuilder {
    map: Map,
    key: Option<String>,
    variant: Option<&'static str>,
}

impl MapBuilder {
    fn finish(self) -> Value {
        let map = Value::Map(self.map.into());
        match self.variant {
            Some(variant) => tagged(variant, map),
            None => map,
        }
    }
}

/// Map keys: strings as they are, numbers, booleans and chars as their text.
fn key_string(key: Value) -> Result<String, ValueError> {
    match key {
        Value::String(s) => Ok(s.to_string()),
        Value::Int(_) | Value::Float(_) | Value::Bool(_) => Ok(key.to_string()),
        other => Err(ValueError::TypeMismatch {
            expected: "a string map key",
            found: other.type_name(),
        }),
    }
}

impl ::serde::ser::SerializeMap for MapBuilder {
    type Ok = Value;
    type Error = ValueError;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), ValueError> {
        self.key = Some(key_string(key.serialize(ValueSerializer)?)?);
        Ok(())
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), ValueError> {
        let key = self
            .key
            .take()
            .ok_or_else(|| ValueError::Conversion("map value without a key".to_owned()))?;
        self.map.insert(key, value.serialize(ValueSerializer)?);
        Ok(())
    }
    fn end(self) -> Result<Value, ValueError> {
        Ok(self.finish())
    }
}

impl ::serde::ser::SerializeStruct for MapBuilder {
    type Ok = Value;
    type Error = ValueError;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), ValueError> {
        self.map
            .insert(key.to_owned(), value.serialize(ValueSerializer)?);
        Ok(())
    }
    fn end(self) -> Result<Value, ValueError> {
        Ok(self.finish())
    }
}

impl ::serde::ser::SerializeStructVariant for MapBuilder {
    type Ok = Value;
    type Error = ValueError;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), ValueError> {
        self.map
            .insert(key.to_owned(), value.serialize(ValueSerializer)?);
        Ok(())
    }
    fn end(self) -> Result<Value, ValueError> {
        Ok(self.finish())
    }
}

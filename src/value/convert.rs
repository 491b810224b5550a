//! `FromValueRef`: typed, borrowing reads of a value (`let name: &str = row.get("name")?`),
//! the cheap counterpart of serde's [`from_value`](super::from_value) for one column.

use super::{
    Date, DateTime, Duration, LocalDateTime, LocalTime, Map, Node, Path, Relationship, Time, Value,
    ValueError,
};

/// A Rust type that can be read from a borrowed [`Value`]. `Option<T>` reads null as `None`;
/// every other type rejects null with a type error, as it rejects any other mismatch.
pub trait FromValueRef<'a>: Sized {
    /// Reads `value` as `Self`, or says which type was expected and found.
    fn from_value_ref(value: &'a Value) -> Result<Self, ValueError>;
}

fn mismatch(expected: &'static str, value: &Value) -> ValueError {
    ValueError::TypeMismatch {
        expected,
        found: value.type_name(),
    }
}

macro_rules! by_ref {
    ($($target:ty, $expected:literal, $variant:ident);* $(;)?) => {
        $(impl<'a> FromValueRef<'a> for &'a $target {
            fn from_value_ref(value: &'a Value) -> Result<Self, ValueError> {
                match value {
                    Value::$variant(inner) => Ok(inner),
                    other => Err(mismatch($expected, other)),
                }
            }
        })*
    };
}

macro_rules! by_copy {
    ($($target:ty, $expected:literal, $variant:ident);* $(;)?) => {
        $(impl<'a> FromValueRef<'a> for $target {
            fn from_value_ref(value: &'a Value) -> Result<Self, ValueError> {
                match value {
                    Value::$variant(inner) => Ok(inner.clone()),
                    other => Err(mismatch($expected, other)),
                }
            }
        })*
    };
}

by_ref! {
    str, "a string", String;
    Map, "a map", Map;
    Node, "a node", Node;
    Relationship, "a relationship", Relationship;
    Path, "a path", Path;
    Date, "a date", Date;
    LocalTime, "a local time", LocalTime;
    Time, "a time", Time;
    LocalDateTime, "a local datetime", LocalDateTime;
    DateTime, "a datetime", DateTime;
    Duration, "a duration", Duration;
}

by_copy! {
    bool, "a boolean", Bool;
    i64, "an integer", Int;
    std::sync::Arc<str>, "a string", String;
    Date, "a date", Date;
    LocalTime, "a local time", LocalTime;
    Time, "a time", Time;
    LocalDateTime, "a local datetime", LocalDateTime;
    DateTime, "a datetime", DateTime;
    Duration, "a duration", Duration;
}

impl<'a> FromValueRef<'a> for String {
    fn from_value_ref(value: &'a Value) -> Result<Self, ValueError> {
        match value {
            Value::String(inner) => Ok(inner.to_string()),
            other => Err(mismatch("a string", other)),
        }
    }
}

impl<'a> FromValueRef<'a> for &'a [Value] {
    fn from_value_ref(value: &'a Value) -> Result<Self, ValueError> {
        value.as_list().ok_or_else(|| mismatch("a list", value))
    }
}

impl<'a> FromValueRef<'a> for &'a Value {
    fn from_value_ref(value: &'a Value) -> Result<Self, ValueError> {
        Ok(value)
    }
}

impl<'a> FromValueRef<'a> for Value {
    fn from_value_ref(value: &'a Value) -> Result<Self, ValueError> {
        Ok(value.clone())
    }
}

/// Integers and floats both read as `f64` (integers beyond 2^53 lose precision).
impl<'a> FromValueRef<'a> for f64 {
    fn from_value_ref(value: &'a Value) -> Result<Self, ValueError> {
        value.as_float().ok_or_else(|| mismatch("a number", value))
    }
}

impl<'a> FromValueRef<'a> for i32 {
    fn from_value_ref(value: &'a Value) -> Result<Self, ValueError> {
        let int = i64::from_value_ref(value)?;
        i32::try_from(int).map_err(|_| ValueError::Overflow("32-bit integer"))
    }
}

impl<'a> FromValueRef<'a> for u64 {
    fn from_value_ref(value: &'a Value) -> Result<Self, ValueError> {
        let int = i64::from_value_ref(value)?;
        u64::try_from(int).map_err(|_| ValueError::Overflow("unsigned integer"))
    }
}

impl<'a, T: FromValueRef<'a>> FromValueRef<'a> for Option<T> {
    fn from_value_ref(value: &'a Value) -> Result<Self, ValueError> {
        match value {
            Value::Null => Ok(None),
            other => T::from_value_ref(other).map(Some),
        }
    }
}

impl<'a, T: FromValueRef<'a>> FromValueRef<'a> for Vec<T> {
    fn from_value_ref(value: &'a Value) -> Result<Self, ValueError> {
        match value {
            Value::List(items) => items.iter().map(T::from_value_ref).collect(),
            other => Err(mismatch("a list", other)),
        }
    }
}

impl Value {
    /// Reads this value as `T`: `let name: &str = value.get_as()?`.
    pub fn get_as<'a, T: FromValueRef<'a>>(&'a self) -> Result<T, ValueError> {
        T::from_value_ref(self)
    }
}

//! The scalar property types by the names of the neo4j-admin CSV header convention (`int`,
//! `date`, `string`, ...): the one vocabulary the bundle import reads and the bundle export
//! writes.

use super::Value;

/// The type of a scalar property value (an array column holds a list of one such type).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ScalarType {
    Int,
    Float,
    Bool,
    String,
    Date,
    DateTime,
    LocalDateTime,
    Time,
    LocalTime,
    Duration,
}

impl ScalarType {
    /// The type a header names, with neo4j-admin's aliases (`long`, `double`, `char`, ...),
    /// in any case.
    #[must_use]
    pub fn from_name(name: &str) -> Option<ScalarType> {
        Some(match name.to_ascii_lowercase().as_str() {
            "int" | "long" | "short" | "byte" => ScalarType::Int,
            "float" | "double" => ScalarType::Float,
            "boolean" | "bool" => ScalarType::Bool,
            "string" | "char" => ScalarType::String,
            "date" => ScalarType::Date,
            "datetime" => ScalarType::DateTime,
            "localdatetime" => ScalarType::LocalDateTime,
            "time" => ScalarType::Time,
            "localtime" => ScalarType::LocalTime,
            "duration" => ScalarType::Duration,
            _ => return None,
        })
    }

    /// The name a header writes (and error messages use).
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            ScalarType::Int => "int",
            ScalarType::Float => "float",
            ScalarType::Bool => "boolean",
            ScalarType::String => "string",
            ScalarType::Date => "date",
            ScalarType::DateTime => "datetime",
            ScalarType::LocalDateTime => "localdatetime",
            ScalarType::Time => "time",
            ScalarType::LocalTime => "localtime",
            ScalarType::Duration => "duration",
        }
    }

    /// The type of a scalar value; `None` for null, lists, maps and graph values.
    #[must_use]
    pub fn of(value: &Value) -> Option<ScalarType> {
        Some(match value {
            Value::Int(_) => ScalarType::Int,
            Value::Float(_) => ScalarType::Float,
            Value::Bool(_) => ScalarType::Bool,
            Value::String(_) => ScalarType::String,
            Value::Date(_) => ScalarType::Date,
            Value::DateTime(_) => ScalarType::DateTime,
            Value::LocalDateTime(_) => ScalarType::LocalDateTime,
            Value::Time(_) => ScalarType::Time,
            Value::LocalTime(_) => ScalarType::LocalTime,
            Value::Duration(_) => ScalarType::Duration,
            _ => return None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::ScalarType;

    #[test]
    fn every_name_reads_back() {
        for t in [
            ScalarType::Int,
            ScalarType::Float,
            ScalarType::Bool,
            ScalarType::String,
            ScalarType::Date,
            ScalarType::DateTime,
            ScalarType::LocalDateTime,
            ScalarType::Time,
            ScalarType::LocalTime,
            ScalarType::Duration,
        ] {
            assert_eq!(ScalarType::from_name(t.name()), Some(t));
            assert_eq!(ScalarType::from_name(&t.name().to_uppercase()), Some(t));
        }
        assert_eq!(ScalarType::from_name("long"), Some(ScalarType::Int));
        assert_eq!(ScalarType::from_name("integerish"), None);
    }
}

//! `ValueError`: why a value operation (temporal construction, parsing, arithmetic, conversion to
//! or from serde) failed. It knows nothing of queries; `ValueError::kind` tells the executor which
//! openCypher error class to raise.

/// The openCypher error class an executor should report for a [`ValueError`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ValueErrorKind {
    /// A value had the wrong type for the operation (`TypeError` in the TCK).
    TypeError,
    /// A value had the right type but an invalid content: a malformed string, a field out of
    /// range, a bad combination of map keys (`ArgumentError` in the TCK).
    ArgumentError,
    /// A computation left the representable range (`ArithmeticError`).
    ArithmeticError,
    /// Converting between `Value` and a Rust type through serde failed.
    Conversion,
}

/// Why a value operation failed. Messages are lowercase and carry the offending input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ValueError {
    /// A string could not be parsed as the named temporal type.
    #[error("cannot parse {input:?} as a {target}")]
    Parse { target: &'static str, input: String },
    /// A field had a value outside its range (`month: 13`).
    #[error("invalid value for {field}: {value}")]
    FieldOutOfRange { field: &'static str, value: String },
    /// A map key is not allowed for this constructor, or keys were combined illegally
    /// (`{year: 2020, week: 3, month: 2}`).
    #[error("invalid field combination: {0}")]
    InvalidFields(String),
    /// A time zone name or offset that does not exist.
    #[error("unknown time zone {0:?}")]
    UnknownTimeZone(String),
    /// A truncation or other unit name that is not known or not applicable.
    #[error("unsupported unit {unit:?} for {target}")]
    UnsupportedUnit { unit: String, target: &'static str },
    /// The result is outside the supported range (years beyond about ±262,000, or integer
    /// overflow).
    #[error("{0} is out of the supported range")]
    Overflow(&'static str),
    /// Division of a duration by zero.
    #[error("division by zero")]
    DivisionByZero,
    /// An argument had the wrong type.
    #[error("expected {expected}, found {found}")]
    TypeMismatch {
        expected: &'static str,
        found: &'static str,
    },
    /// serde conversion failed (a missing field, a value of the wrong shape).
    #[error("conversion failed: {0}")]
    Conversion(String),
}

impl ValueError {
    /// The openCypher error class this error belongs to.
    #[must_use]
    pub fn kind(&self) -> ValueErrorKind {
        match self {
            ValueError::TypeMismatch { .. } => ValueErrorKind::TypeError,
            ValueError::Overflow(_) | ValueError::DivisionByZero => ValueErrorKind::ArithmeticError,
            ValueError::Conversion(_) => ValueErrorKind::Conversion,
            ValueError::Parse { .. }
            | ValueError::FieldOutOfRange { .. }
            | ValueError::InvalidFields(_)
            | ValueError::UnknownTimeZone(_)
            | ValueError::UnsupportedUnit { .. } => ValueErrorKind::ArgumentError,
        }
    }

    pub(crate) fn parse(target: &'static str, input: &str) -> Self {
        ValueError::Parse {
            target,
            input: input.to_owned(),
        }
    }

    pub(crate) fn range(field: &'static str, value: impl ToString) -> Self {
        ValueError::FieldOutOfRange {
            field,
            value: value.to_string(),
        }
    }
}

impl serde::de::Error for ValueError {
    fn custom<T: std::fmt::Display>(msg: T) -> Self {
        ValueError::Conversion(msg.to_string())
    }
}

impl serde::ser::Error for ValueError {
    fn custom<T: std::fmt::Display>(msg: T) -> Self {
        ValueError::Conversion(msg.to_string())
    }
}

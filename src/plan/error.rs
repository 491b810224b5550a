//! `PlanError`: what is wrong with a statement that parsed, found before anything runs. The
//! TCK reports these as `SyntaxError` at compile time with a detail code, which `PlanErrorKind`
//! names.

use crate::syntax::Span;

/// The TCK's detail code of a compile-time error.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PlanErrorKind {
    UndefinedVariable,
    VariableAlreadyBound,
    VariableTypeConflict,
    InvalidAggregation,
    NestedAggregation,
    AmbiguousAggregationExpression,
    NonConstantExpression,
    NegativeIntegerArgument,
    InvalidArgumentType,
    ColumnNameConflict,
    NoExpressionAlias,
    UnknownFunction,
    UnknownProcedure,
    InvalidNumberOfArguments,
    InvalidRelationshipPattern,
    InvalidParameterUse,
    InvalidDelete,
    NoSingleRelationshipType,
    RequiresDirectedRelationship,
    CreatingVarLength,
    DifferentColumnsInUnion,
    InvalidClauseComposition,
}

/// A statement that parsed but cannot be planned.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct PlanError {
    pub kind: PlanErrorKind,
    pub message: String,
    /// Where in the query text the problem is.
    pub span: Span,
}

impl PlanError {
    pub(crate) fn new(kind: PlanErrorKind, span: Span, message: impl Into<String>) -> Self {
        PlanError {
            kind,
            message: message.into(),
            span,
        }
    }
}

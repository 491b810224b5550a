//! Scopes: the variables visible at a point of the query, their slots and what is known of
//! their types from the text alone.

use crate::syntax::{Span, ast};

use crate::plan::error::{PlanError, PlanErrorKind as K};
use crate::plan::logical::Slot;

use super::err;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Node,
    Rel,
    Path,
    Value,
    /// A value whose type is known from the query text (a literal carried by WITH).
    Known(&'static str),
}

#[derive(Debug, Clone)]
pub(super) struct Var {
    pub(super) name: String,
    pub(super) slot: Slot,
    pub(super) kind: Kind,
}

/// The variables visible at a point of the query, in the order they were introduced.
#[derive(Debug, Clone, Default)]
pub(super) struct Scope {
    pub(super) vars: Vec<Var>,
    /// Slots whose value is a function of the entities in other slots: what an aggregation
    /// grouped by those entities computed (`WITH c, collect(x) AS xs`: `xs` is determined by
    /// `c`). A later aggregation keyed by such a slot can group by the entities' ids instead
    /// of hashing the value.
    pub(super) determined: Vec<(Slot, Vec<Slot>)>,
}

impl Scope {
    pub(super) fn get(&self, name: &str) -> Option<&Var> {
        self.vars.iter().rev().find(|v| v.name == name)
    }

    pub(super) fn add(&mut self, name: &str, slot: Slot, kind: Kind) {
        self.vars.retain(|v| v.name != name);
        self.vars.push(Var {
            name: name.to_owned(),
            slot,
            kind,
        });
    }
}

/// The type of an expression when the query text alone tells it.
pub(super) fn static_type(e: &ast::Expr, scope: &Scope) -> Option<&'static str> {
    match &e.kind {
        ast::ExprKind::Literal(lit) => Some(match lit {
            ast::Literal::Integer(_) => "INTEGER",
            ast::Literal::Float(_) => "FLOAT",
            ast::Literal::String(_) => "STRING",
            ast::Literal::Bool(_) => "BOOLEAN",
            ast::Literal::Null => "NULL",
        }),
        ast::ExprKind::List(_) | ast::ExprKind::ListComprehension { .. } => Some("LIST"),
        ast::ExprKind::Map(_) => Some("MAP"),
        ast::ExprKind::Variable(name) => match scope.get(name)?.kind {
            Kind::Node => Some("NODE"),
            Kind::Rel => Some("RELATIONSHIP"),
            Kind::Path => Some("PATH"),
            Kind::Known(t) => Some(t),
            Kind::Value => None,
        },
        _ => None,
    }
}

/// Refuses an operand whose known type the operation cannot take.
pub(super) fn check_operand(
    e: &ast::Expr,
    scope: &Scope,
    allowed: &[&str],
    what: &str,
) -> Result<(), PlanError> {
    match static_type(e, scope) {
        Some(t) if t != "NULL" && !allowed.contains(&t) => Err(err(
            K::InvalidArgumentType,
            e.span,
            format!("{what} cannot take a value of type {t}"),
        )),
        _ => Ok(()),
    }
}

/// The error for a variable declared again where it may not be.
pub(super) fn already_bound(name: &str, span: Span) -> PlanError {
    err(
        K::VariableAlreadyBound,
        span,
        format!("variable `{name}` already declared"),
    )
}

//! Expressions: variables to slots, functions checked against the catalog, aggregates
//! collected (or refused where they may not be), comprehensions and quantifiers in their own
//! scope.

use crate::syntax::Span;
use crate::syntax::ast;

use crate::plan::catalog::FunctionInfo;
use crate::plan::error::{PlanError, PlanErrorKind as K};
use crate::plan::logical::{Expr, MapItem, Slot, Subquery, SubqueryKind};

use super::pattern::check_pattern_predicate;
use super::scope::{Kind, Scope, check_operand};
use super::{AggMode, Binder, err, literal};

pub(super) fn check_arity(info: &FunctionInfo, n: usize, span: Span) -> Result<(), PlanError> {
    if n < info.min_args || info.max_args.is_some_and(|max| n > max) {
        let expected = match info.max_args {
            Some(max) if max == info.min_args => format!("{max}"),
            Some(max) => format!("{} to {max}", info.min_args),
            None => format!("at least {}", info.min_args),
        };
        return Err(err(
            K::InvalidNumberOfArguments,
            span,
            format!("`{}` takes {expected} arguments, not {n}", info.name),
        ));
    }
    Ok(())
}

/// Splits `a AND b AND c` into its conjuncts.
pub(crate) fn split_conjuncts(expr: Expr, out: &mut Vec<Expr>) {
    match expr {
        Expr::Binary(ast::BinaryOp::And, a, b) => {
            split_conjuncts(*a, out);
            split_conjuncts(*b, out);
        }
        other => out.push(other),
    }
}

impl Binder<'_> {
    #[allow(clippy::too_many_lines)]
    pub(super) fn expr(
        &mut self,
        e: &ast::Expr,
        scope: &Scope,
        agg: &mut AggMode<'_>,
    ) -> Result<Expr, PlanError> {
        use ast::ExprKind as E;
        Ok(match &e.kind {
            E::Literal(lit) => Expr::Literal(literal(lit)),
            E::Parameter(name) => Expr::Parameter(name.clone()),
            E::Variable(name) => {
                let var = scope.get(name).ok_or_else(|| {
                    err(
                        K::UndefinedVariable,
                        e.span,
                        format!("variable `{name}` not defined"),
                    )
                })?;
                Expr::Slot(var.slot)
            }
            E::Property(base, key) => {
                check_operand(
                    base,
                    scope,
                    &["MAP", "NODE", "RELATIONSHIP"],
                    "property access",
                )?;
                Expr::Property(Box::new(self.expr(base, scope, agg)?), key.clone())
            }
            E::Index(base, index) => Expr::Index(
                Box::new(self.expr(base, scope, agg)?),
                Box::new(self.expr(index, scope, agg)?),
            ),
            E::Slice { expr, from, to } => Expr::Slice(
                Box::new(self.expr(expr, scope, agg)?),
                from.as_ref()
                    .map(|f| self.expr(f, scope, agg).map(Box::new))
                    .transpose()?,
                to.as_ref()
                    .map(|t| self.expr(t, scope, agg).map(Box::new))
                    .transpose()?,
            ),
            E::HasLabels(base, labels) => {
                Expr::HasLabels(Box::new(self.expr(base, scope, agg)?), labels.clone())
            }
            E::Unary(op, inner) => {
                match op {
                    ast::UnaryOp::Not => check_operand(inner, scope, &["BOOLEAN"], "NOT")?,
                    _ => check_operand(inner, scope, &["INTEGER", "FLOAT"], "a sign")?,
                }
                Expr::Unary(*op, Box::new(self.expr(inner, scope, agg)?))
            }
            E::Binary(op, a, b) => {
                use ast::BinaryOp as B;
                let (allowed, what): (&[&str], &str) = match op {
                    B::And | B::Or | B::Xor => (&["BOOLEAN"], "a boolean operator"),
                    B::In => {
                        check_operand(b, scope, &["LIST"], "IN")?;
                        (&[], "")
                    }
                    B::Sub | B::Mul | B::Div | B::Mod | B::Pow => {
                        (&["INTEGER", "FLOAT", "DURATION"], "arithmetic")
                    }
                    _ => (&[], ""),
                };
                if !allowed.is_empty() {
                    check_operand(a, scope, allowed, what)?;
                    check_operand(b, scope, allowed, what)?;
                }
                Expr::Binary(
                    *op,
                    Box::new(self.expr(a, scope, agg)?),
                    Box::new(self.expr(b, scope, agg)?),
                )
            }
            E::IsNull { expr, negated } => Expr::IsNull {
                expr: Box::new(self.expr(expr, scope, agg)?),
                negated: *negated,
            },
            E::List(items) => Expr::List(
                items
                    .iter()
                    .map(|i| self.expr(i, scope, agg))
                    .collect::<Result<_, _>>()?,
            ),
            E::Map(entries) => Expr::Map(
                entries
                    .iter()
                    .map(|(k, v)| Ok((k.clone(), self.expr(v, scope, agg)?)))
                    .collect::<Result<_, PlanError>>()?,
            ),
            E::MapProjection { variable, items } => {
                let base = Expr::Slot(self.variable_slot(variable, scope)?);
                let mut bound = Vec::new();
                for item in items {
                    bound.push(match item {
                        ast::MapProjectionItem::Property(k) => MapItem::Property(k.clone()),
                        ast::MapProjectionItem::AllProperties => MapItem::AllProperties,
                        ast::MapProjectionItem::Literal(k, v) => {
                            MapItem::Entry(k.clone(), self.expr(v, scope, agg)?)
                        }
                        ast::MapProjectionItem::Variable(v) => MapItem::Entry(
                            v.name.clone(),
                            Expr::Slot(self.variable_slot(v, scope)?),
                        ),
                    });
                }
                Expr::MapProjection {
                    base: Box::new(base),
                    items: bound,
                }
            }
            E::CountStar => self.aggregate_call("count", Vec::new(), false, e.span, agg)?,
            E::FunctionCall {
                name,
                distinct,
                args,
            } => {
                let full = name.full_name();
                if let Some(info) = self.catalog.aggregate(&full) {
                    check_arity(&info, args.len(), name.span)?;
                    let bound = match agg {
                        AggMode::Forbidden => {
                            return Err(err(
                                K::InvalidAggregation,
                                e.span,
                                format!("aggregation `{full}` is not allowed here"),
                            ));
                        }
                        AggMode::Collect(_) => {
                            // Arguments of an aggregate may not aggregate again.
                            args.iter()
                                .map(|a| self.expr(a, scope, &mut AggMode::Forbidden))
                                .collect::<Result<Vec<_>, _>>()
                                .map_err(|error| {
                                    if error.kind == K::InvalidAggregation {
                                        err(
                                            K::NestedAggregation,
                                            e.span,
                                            "aggregations cannot be nested",
                                        )
                                    } else {
                                        error
                                    }
                                })?
                        }
                    };
                    return self.aggregate_call(&info.name, bound, *distinct, e.span, agg);
                }
                let info = self.catalog.function(&full).ok_or_else(|| {
                    err(
                        K::UnknownFunction,
                        name.span,
                        format!("unknown function `{full}`"),
                    )
                })?;
                check_arity(&info, args.len(), name.span)?;
                match (info.name.to_ascii_lowercase().as_str(), args.first()) {
                    ("length", Some(a)) => {
                        check_operand(a, scope, &["PATH", "STRING", "LIST"], "length()")?;
                    }
                    ("size", Some(a)) => {
                        check_operand(a, scope, &["STRING", "LIST", "MAP"], "size()")?
                    }
                    _ => {}
                }
                let args = args
                    .iter()
                    .map(|a| self.expr(a, scope, agg))
                    .collect::<Result<Vec<_>, _>>()?;
                Expr::Function {
                    name: info.name,
                    args,
                }
            }
            E::Case {
                operand,
                alternatives,
                default,
            } => Expr::Case {
                operand: operand
                    .as_ref()
                    .map(|o| self.expr(o, scope, agg).map(Box::new))
                    .transpose()?,
                alternatives: alternatives
                    .iter()
                    .map(|(w, t)| Ok((self.expr(w, scope, agg)?, self.expr(t, scope, agg)?)))
                    .collect::<Result<_, PlanError>>()?,
                default: default
                    .as_ref()
                    .map(|d| self.expr(d, scope, agg).map(Box::new))
                    .transpose()?,
            },
            E::ListComprehension {
                variable,
                list,
                filter,
                map,
            } => {
                let (list, slot, inner) = self.iteration(variable, list, scope, agg)?;
                let filter = self.inner_expr(filter.as_deref(), &inner)?;
                let map = self.inner_expr(map.as_deref(), &inner)?;
                Expr::ListComprehension {
                    slot,
                    list: Box::new(list),
                    filter,
                    map,
                }
            }
            E::Quantified {
                quantifier,
                variable,
                list,
                filter,
            } => {
                let (list, slot, inner) = self.iteration(variable, list, scope, agg)?;
                let filter = self.inner_expr(filter.as_deref(), &inner)?;
                Expr::Quantified {
                    quantifier: *quantifier,
                    slot,
                    list: Box::new(list),
                    filter,
                }
            }
            E::Reduce {
                accumulator,
                init,
                variable,
                list,
                expr,
            } => {
                let init = self.expr(init, scope, agg)?;
                let list = self.expr(list, scope, agg)?;
                let acc_slot = self.slot();
                let slot = self.slot();
                let mut inner = scope.clone();
                inner.add(&accumulator.name, acc_slot, Kind::Value);
                inner.add(&variable.name, slot, Kind::Value);
                let expr = self.expr(expr, &inner, &mut AggMode::Forbidden)?;
                Expr::Reduce {
                    accumulator: acc_slot,
                    init: Box::new(init),
                    slot,
                    list: Box::new(list),
                    expr: Box::new(expr),
                }
            }
            E::PatternPredicate(path) => {
                check_pattern_predicate(
                    std::slice::from_ref(&ast::PatternPart {
                        variable: None,
                        shortest: None,
                        path: (**path).clone(),
                        span: e.span,
                    }),
                    scope,
                )?;
                let part = ast::PatternPart {
                    variable: None,
                    shortest: None,
                    path: (**path).clone(),
                    span: e.span,
                };
                self.pattern_subquery(vec![part], None, scope, SubqueryKind::Exists, None, e.span)?
            }
            E::PatternComprehension {
                variable,
                pattern,
                filter,
                map,
            } => {
                let part = ast::PatternPart {
                    variable: variable.clone(),
                    shortest: None,
                    path: (**pattern).clone(),
                    span: e.span,
                };
                self.pattern_subquery(
                    vec![part],
                    filter.as_deref(),
                    scope,
                    SubqueryKind::Collect,
                    Some(map),
                    e.span,
                )?
            }
            E::Exists(sub) | E::CountSubquery(sub) => {
                let kind = if matches!(e.kind, E::Exists(_)) {
                    SubqueryKind::Exists
                } else {
                    SubqueryKind::Count
                };
                match sub.as_ref() {
                    ast::Subquery::Pattern { pattern, where_ } => self.pattern_subquery(
                        pattern.parts.clone(),
                        where_.as_deref(),
                        scope,
                        kind,
                        None,
                        e.span,
                    )?,
                    ast::Subquery::Query(query) => {
                        if !query.unions.is_empty() {
                            return Err(err(
                                K::InvalidClauseComposition,
                                query.span,
                                "UNION inside a subquery is not supported",
                            ));
                        }
                        let (pipeline, _) =
                            self.single_query(&query.first, scope.clone(), false)?;
                        Expr::Subquery(Box::new(Subquery {
                            kind,
                            pipeline,
                            map: None,
                        }))
                    }
                }
            }
        })
    }

    /// The list of a comprehension or quantifier, and the scope its variable is bound in.
    pub(super) fn iteration(
        &mut self,
        variable: &ast::Ident,
        list: &ast::Expr,
        scope: &Scope,
        agg: &mut AggMode<'_>,
    ) -> Result<(Expr, Slot, Scope), PlanError> {
        let list = self.expr(list, scope, agg)?;
        let slot = self.slot();
        let mut inner = scope.clone();
        inner.add(&variable.name, slot, Kind::Value);
        Ok((list, slot, inner))
    }

    /// An optional expression evaluated per element, where aggregation is not allowed.
    pub(super) fn inner_expr(
        &mut self,
        e: Option<&ast::Expr>,
        inner: &Scope,
    ) -> Result<Option<Box<Expr>>, PlanError> {
        e.map(|e| self.expr(e, inner, &mut AggMode::Forbidden).map(Box::new))
            .transpose()
    }
}

//! RETURN and WITH: projection items and their column names, DISTINCT, aggregation (grouping
//! keys, the aggregates found in expressions, grouping by entity ids), ORDER BY, SKIP and
//! LIMIT.

use crate::syntax::Span;
use crate::syntax::ast;
use crate::value::Value;

use crate::plan::error::{PlanError, PlanErrorKind as K};
use crate::plan::logical::{Aggregate, Expr, MapItem, Operator, Slot, SortKey, free_slots};

use super::scope::{Kind, Scope, Var, static_type};
use super::{AggMode, Binder, err};

/// Grouping keys an expression with aggregates may refer to by value: variables and property
/// reads only, as openCypher says.
pub(super) fn simple_keys(keys: &[(Slot, Expr)]) -> Vec<(Slot, Expr)> {
    keys.iter()
        .filter(|(_, e)| match e {
            Expr::Slot(_) => true,
            Expr::Property(base, _) => matches!(base.as_ref(), Expr::Slot(_)),
            _ => false,
        })
        .cloned()
        .collect()
}

/// Replaces every subexpression equal to one of `keys` by its slot.
pub(super) fn replace_keys(expr: Expr, keys: &[(Slot, Expr)]) -> Expr {
    if let Some((slot, _)) = keys.iter().find(|(_, k)| *k == expr) {
        return Expr::Slot(*slot);
    }
    let r = |e: Box<Expr>| Box::new(replace_keys(*e, keys));
    let ro = |e: Option<Box<Expr>>| e.map(|e| Box::new(replace_keys(*e, keys)));
    match expr {
        Expr::Property(e, k) => Expr::Property(r(e), k),
        Expr::Index(a, b) => Expr::Index(r(a), r(b)),
        Expr::Slice(a, b, c) => Expr::Slice(r(a), ro(b), ro(c)),
        Expr::HasLabels(e, l) => Expr::HasLabels(r(e), l),
        Expr::Unary(op, e) => Expr::Unary(op, r(e)),
        Expr::Binary(op, a, b) => Expr::Binary(op, r(a), r(b)),
        Expr::IsNull { expr, negated } => Expr::IsNull {
            expr: r(expr),
            negated,
        },
        Expr::List(items) => Expr::List(items.into_iter().map(|e| replace_keys(e, keys)).collect()),
        Expr::Map(entries) => Expr::Map(
            entries
                .into_iter()
                .map(|(k, e)| (k, replace_keys(e, keys)))
                .collect(),
        ),
        Expr::Function { name, args } => Expr::Function {
            name,
            args: args.into_iter().map(|e| replace_keys(e, keys)).collect(),
        },
        Expr::Case {
            operand,
            alternatives,
            default,
        } => Expr::Case {
            operand: ro(operand),
            alternatives: alternatives
                .into_iter()
                .map(|(w, t)| (replace_keys(w, keys), replace_keys(t, keys)))
                .collect(),
            default: ro(default),
        },
        Expr::MapProjection { base, items } => Expr::MapProjection {
            base: r(base),
            items: items
                .into_iter()
                .map(|i| match i {
                    MapItem::Entry(k, e) => MapItem::Entry(k, replace_keys(e, keys)),
                    other => other,
                })
                .collect(),
        },
        other => other,
    }
}

pub(super) fn replace_slot(expr: Expr, from: Slot, to: Slot) -> Expr {
    replace_keys(expr, &[(to, Expr::Slot(from))])
}

/// The source text of a projection item without alias: the TCK names the column by it.
pub(super) fn column_name(source: &str, expr: &ast::Expr) -> String {
    match &expr.kind {
        ast::ExprKind::Variable(name) => name.clone(),
        _ => {
            let text = expr.span.text(source).trim();
            if text.is_empty() {
                expr.to_string()
            } else {
                text.to_owned()
            }
        }
    }
}

/// The node and relationship slots that every grouping key reads (each key is such a slot or
/// one of its properties, or a slot they determine), at most four; empty when some key reads
/// anything else.
pub(super) fn entity_group_keys(keys: &[(Slot, Expr)], scope: &Scope) -> Vec<Slot> {
    let mut slots = Vec::new();
    for (_, expr) in keys {
        let slot = match expr {
            Expr::Slot(s) => *s,
            Expr::Property(base, _) => match base.as_ref() {
                Expr::Slot(s) => *s,
                _ => return Vec::new(),
            },
            _ => return Vec::new(),
        };
        let is_entity = |slot: Slot| {
            scope
                .vars
                .iter()
                .any(|v| v.slot == slot && matches!(v.kind, Kind::Node | Kind::Rel))
        };
        let entities = if is_entity(slot) {
            vec![slot]
        } else {
            match scope.determined.iter().find(|(s, _)| *s == slot) {
                Some((_, by)) if by.iter().all(|b| is_entity(*b)) => by.clone(),
                _ => return Vec::new(),
            }
        };
        for slot in entities {
            if !slots.contains(&slot) {
                slots.push(slot);
            }
        }
    }
    if slots.len() > 4 {
        return Vec::new();
    }
    slots
}

impl Binder<'_> {
    /// Binds `WITH` or `RETURN`: pushes the operators and returns the new scope and, for
    /// `RETURN`, the output columns.
    #[allow(clippy::too_many_lines)]
    pub(super) fn projection(
        &mut self,
        p: &ast::Projection,
        scope: &Scope,
        ops: &mut Vec<Operator>,
        is_return: bool,
        span: Span,
    ) -> Result<(Scope, Vec<(String, Slot)>), PlanError> {
        // The items, with `*` first.
        let mut items: Vec<(String, Option<&ast::Expr>, Span)> = Vec::new();
        if p.star {
            let mut vars: Vec<&Var> = scope
                .vars
                .iter()
                .filter(|v| !v.name.starts_with("  "))
                .collect();
            vars.sort_by(|a, b| a.name.cmp(&b.name));
            for v in vars {
                items.push((v.name.clone(), None, span));
            }
        }
        for item in &p.items {
            let name = match &item.alias {
                Some(alias) => alias.name.clone(),
                None => {
                    if !is_return && !matches!(item.expr.kind, ast::ExprKind::Variable(_)) {
                        return Err(err(
                            K::NoExpressionAlias,
                            item.expr.span,
                            "expressions in WITH must be aliased (use AS)",
                        ));
                    }
                    column_name(self.source, &item.expr)
                }
            };
            if items.iter().any(|(n, _, _)| *n == name) {
                return Err(err(
                    K::ColumnNameConflict,
                    item.expr.span,
                    format!("multiple result columns with the same name `{name}`"),
                ));
            }
            items.push((name, Some(&item.expr), item.expr.span));
        }

        // Bind each item; aggregates are collected.
        let mut aggregates = Vec::new();
        let mut bound: Vec<(String, Expr, bool, Kind)> = Vec::new();
        for (name, expr, _) in &items {
            match expr {
                None => {
                    let var = scope.get(name).ok_or_else(|| {
                        err(
                            K::UndefinedVariable,
                            span,
                            format!("variable `{name}` not defined"),
                        )
                    })?;
                    bound.push((name.clone(), Expr::Slot(var.slot), false, var.kind));
                }
                Some(e) => {
                    let before = aggregates.len();
                    let expr = self.expr(e, scope, &mut AggMode::Collect(&mut aggregates))?;
                    let kind = match (&e.kind, &expr) {
                        (ast::ExprKind::Variable(n), _) => {
                            scope.get(n).map_or(Kind::Value, |v| v.kind)
                        }
                        _ => static_type(e, scope)
                            .filter(|t| *t != "NULL")
                            .map_or(Kind::Value, Kind::Known),
                    };
                    bound.push((name.clone(), expr, aggregates.len() > before, kind));
                }
            }
        }
        let aggregating = !aggregates.is_empty();
        let projected_exprs: Vec<Expr> = bound.iter().map(|(_, e, _, _)| e.clone()).collect();

        // New slots: a plain variable keeps its slot, anything else gets a fresh one.
        let mut new_scope = Scope::default();
        let mut computed: Vec<(Slot, Expr)> = Vec::new();
        let mut out_slots = Vec::new();
        let mut keys: Vec<(Slot, Expr)> = Vec::new();
        for (name, expr, has_agg, kind) in &bound {
            let slot = match expr {
                Expr::Slot(s) if !aggregating || !*has_agg => *s,
                _ => self.slot(),
            };
            if aggregating && !has_agg {
                keys.push((slot, expr.clone()));
            } else if !matches!(expr, Expr::Slot(s) if *s == slot) {
                computed.push((slot, expr.clone()));
            }
            new_scope.add(name, slot, *kind);
            out_slots.push((name.clone(), slot));
        }

        let projected: Vec<(Slot, Expr)> = out_slots
            .iter()
            .map(|(_, s)| *s)
            .zip(projected_exprs)
            .collect();
        if aggregating {
            // Grouping keys become slots; aggregate items may use keys and aggregates only.
            let key_exprs: Vec<(Slot, Expr)> = keys.clone();
            let agg_slots: Vec<Slot> = aggregates.iter().map(|a: &Aggregate| a.slot).collect();
            let mut final_items = Vec::new();
            for (slot, expr) in computed {
                let rewritten = replace_keys(expr, &simple_keys(&key_exprs));
                let used = free_slots(&rewritten);
                if used
                    .iter()
                    .any(|s| !agg_slots.contains(s) && !key_exprs.iter().any(|(k, _)| k == s))
                {
                    return Err(err(
                        K::AmbiguousAggregationExpression,
                        span,
                        "an expression mixing aggregation and variables must group by those variables",
                    ));
                }
                final_items.push((slot, rewritten));
            }
            // Order by may add aggregates of its own.
            let mut order_keys = Vec::new();
            for sort in &p.order_by {
                let expr = self.order_expr(
                    &sort.expr,
                    scope,
                    &new_scope,
                    &mut aggregates,
                    &key_exprs,
                    &out_slots,
                    true,
                )?;
                order_keys.push(SortKey {
                    expr,
                    descending: sort.order == ast::SortOrder::Descending,
                });
            }
            let keys_of = if self.writes || self.options.simple {
                Vec::new()
            } else {
                entity_group_keys(&keys, scope)
            };
            // When the entities the keys are read from are keys themselves, they determine
            // every column of the result.
            let entities_kept = keys_of.iter().all(|s| {
                keys.iter()
                    .any(|(k, e)| k == s && matches!(e, Expr::Slot(x) if x == s))
            });
            if !keys_of.is_empty() && entities_kept {
                new_scope.determined = new_scope
                    .vars
                    .iter()
                    .filter(|v| !keys_of.contains(&v.slot))
                    .map(|v| (v.slot, keys_of.clone()))
                    .collect();
            }
            ops.push(Operator::Aggregate {
                keys,
                aggregates,
                keys_of,
            });
            if !final_items.is_empty() {
                ops.push(Operator::Project {
                    items: final_items,
                    keep: Vec::new(),
                });
            }
            if p.distinct {
                ops.push(Operator::Distinct {
                    slots: out_slots.iter().map(|(_, s)| *s).collect(),
                });
            }
            if !order_keys.is_empty() {
                ops.push(Operator::Sort { keys: order_keys });
            }
        } else {
            // Variables passed on keep what determines them, while that is passed on too.
            new_scope.determined = (scope.determined.iter())
                .filter(|(slot, by)| {
                    new_scope.vars.iter().any(|v| v.slot == *slot)
                        && by
                            .iter()
                            .all(|b| new_scope.vars.iter().any(|v| v.slot == *b))
                })
                .cloned()
                .collect();
            if !computed.is_empty() {
                ops.push(Operator::Project {
                    items: computed,
                    keep: Vec::new(),
                });
            }
            if p.distinct {
                ops.push(Operator::Distinct {
                    slots: out_slots.iter().map(|(_, s)| *s).collect(),
                });
            }
            let mut order_keys = Vec::new();
            let item_exprs: Vec<(Slot, Expr)> = bound
                .iter()
                .zip(&out_slots)
                .map(|((_, e, _, _), (_, s))| (*s, e.clone()))
                .collect();
            for sort in &p.order_by {
                let expr = if p.distinct {
                    let mut none = Vec::new();
                    self.order_expr(
                        &sort.expr,
                        scope,
                        &new_scope,
                        &mut none,
                        &item_exprs,
                        &out_slots,
                        false,
                    )?
                } else {
                    // Both the projected names and the earlier variables are visible.
                    let mut both = scope.clone();
                    for v in &new_scope.vars {
                        both.add(&v.name, v.slot, v.kind);
                    }
                    self.expr(&sort.expr, &both, &mut AggMode::Forbidden)
                        .map_err(|e| {
                            if e.kind == K::InvalidAggregation {
                                err(
                                    K::InvalidAggregation,
                                    sort.expr.span,
                                    "aggregation in ORDER BY needs aggregation in the projection",
                                )
                            } else {
                                e
                            }
                        })?
                };
                order_keys.push(SortKey {
                    expr,
                    descending: sort.order == ast::SortOrder::Descending,
                });
            }
            if !order_keys.is_empty() {
                ops.push(Operator::Sort { keys: order_keys });
            }
        }
        if let Some(skip) = &p.skip {
            ops.push(Operator::Skip(self.constant_count(skip, "SKIP")?));
        }
        if let Some(limit) = &p.limit {
            ops.push(Operator::Limit(self.constant_count(limit, "LIMIT")?));
        }
        if let Some(where_) = &p.where_ {
            // Like ORDER BY: the projected names, and before DISTINCT or aggregation the earlier
            // variables too; the filter runs before the earlier slots are cleared.
            let predicate = if aggregating || p.distinct {
                let mut none = Vec::new();
                self.order_expr(
                    where_, scope, &new_scope, &mut none, &projected, &out_slots, false,
                )?
            } else {
                let mut both = scope.clone();
                for v in &new_scope.vars {
                    both.add(&v.name, v.slot, v.kind);
                }
                self.expr(where_, &both, &mut AggMode::Forbidden)?
            };
            ops.push(Operator::Filter(predicate));
        }
        ops.push(Operator::Project {
            items: Vec::new(),
            keep: out_slots.iter().map(|(_, s)| *s).collect(),
        });
        Ok((new_scope, out_slots))
    }

    /// An ORDER BY expression after DISTINCT or aggregation: it may use the projected columns,
    /// expressions equal to projected items, and (with aggregation) aggregates.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn order_expr(
        &mut self,
        e: &ast::Expr,
        old: &Scope,
        new: &Scope,
        aggregates: &mut Vec<Aggregate>,
        items: &[(Slot, Expr)],
        out_slots: &[(String, Slot)],
        aggregating: bool,
    ) -> Result<Expr, PlanError> {
        let mut both = old.clone();
        for v in &new.vars {
            both.add(&v.name, v.slot, v.kind);
        }
        let before: Vec<Aggregate> = aggregates.clone();
        let mut mode = if aggregating {
            AggMode::Collect(aggregates)
        } else {
            AggMode::Forbidden
        };
        let expr = self.expr(e, &both, &mut mode)?;
        // An aggregate identical to one already computed reuses its slot.
        let expr = if aggregating {
            let mut expr = expr;
            let added: Vec<Aggregate> = aggregates.drain(before.len()..).collect();
            for agg in added {
                match before.iter().find(|b| {
                    b.name == agg.name && b.args == agg.args && b.distinct == agg.distinct
                }) {
                    Some(existing) => expr = replace_slot(expr, agg.slot, existing.slot),
                    None => aggregates.push(agg),
                }
            }
            expr
        } else {
            expr
        };
        let reads_aggregate = free_slots(&expr)
            .iter()
            .any(|s| aggregates.iter().any(|a| a.slot == *s));
        let expr = if reads_aggregate {
            replace_keys(expr, &simple_keys(items))
        } else {
            replace_keys(expr, items)
        };
        let used = free_slots(&expr);
        let allowed: Vec<Slot> = out_slots
            .iter()
            .map(|(_, s)| *s)
            .chain(aggregates.iter().map(|a| a.slot))
            .collect();
        if used.iter().any(|s| !allowed.contains(s)) {
            return Err(err(
                K::UndefinedVariable,
                e.span,
                "after DISTINCT or aggregation, ORDER BY can only use the projected columns",
            ));
        }
        Ok(expr)
    }

    /// SKIP and LIMIT: a constant, non-negative integer (or a parameter, checked when run).
    pub(super) fn constant_count(&mut self, e: &ast::Expr, what: &str) -> Result<Expr, PlanError> {
        let expr = self
            .expr(e, &Scope::default(), &mut AggMode::Forbidden)
            .map_err(|error| {
                if error.kind == K::UndefinedVariable {
                    err(
                        K::NonConstantExpression,
                        e.span,
                        format!("{what} must be a constant"),
                    )
                } else {
                    error
                }
            })?;
        match &expr {
            Expr::Literal(Value::Int(n)) if *n < 0 => Err(err(
                K::NegativeIntegerArgument,
                e.span,
                format!("{what} must not be negative"),
            )),
            Expr::Literal(Value::Int(_)) | Expr::Parameter(_) => Ok(expr),
            Expr::Literal(_) => Err(err(
                K::InvalidArgumentType,
                e.span,
                format!("{what} must be an integer"),
            )),
            _ => Ok(expr),
        }
    }

    // ---- patterns ---------------------------------------------------------------------------

    pub(super) fn aggregate_call(
        &mut self,
        name: &str,
        args: Vec<Expr>,
        distinct: bool,
        span: Span,
        agg: &mut AggMode<'_>,
    ) -> Result<Expr, PlanError> {
        match agg {
            AggMode::Forbidden => Err(err(
                K::InvalidAggregation,
                span,
                format!("aggregation `{name}` is not allowed here"),
            )),
            AggMode::Collect(list) => {
                if let Some(same) = list
                    .iter()
                    .find(|a| a.name == name && a.args == args && a.distinct == distinct)
                {
                    return Ok(Expr::Slot(same.slot));
                }
                let slot = self.slot();
                list.push(Aggregate {
                    slot,
                    name: name.to_owned(),
                    args,
                    distinct,
                });
                Ok(Expr::Slot(slot))
            }
        }
    }
}

//! Binding: the AST of a query becomes pipelines over row slots. Variables are resolved in
//! their scopes, and the TCK's compile-time errors (undefined or rebound variables, misplaced
//! aggregation, bad SKIP/LIMIT, unknown functions) are raised here, before any row exists.
//!
//! Knows nothing of execution or storage; the functions, aggregates and procedures that exist
//! come from the `Catalog` the caller passes.
//!
//! In parts: `scope.rs` (variables and their kinds), `expr.rs` (expressions), `pattern.rs`
//! (MATCH patterns and pattern subqueries), `projection.rs` (RETURN, WITH, aggregation, ORDER
//! BY), `update.rs` (CREATE, MERGE, SET, REMOVE), `call.rs` (procedure calls); this file holds
//! the binder itself and the clause sequence of a query.

mod call;
mod expr;
mod pattern;
mod projection;
mod scope;
mod update;

use crate::syntax::Span;
use crate::syntax::ast;
use crate::value::Value;

use crate::plan::catalog::Catalog;
use crate::plan::error::{PlanError, PlanErrorKind as K};
use crate::plan::logical::{Aggregate, Expr, Operator, Pipeline, QueryPlan, Slot};
use crate::plan::options::PlanOptions;

use scope::{Kind, Scope};

/// How aggregate calls are treated while binding an expression.
enum AggMode<'a> {
    /// An aggregate here is an error.
    Forbidden,
    /// Aggregates are collected and replaced by the slot they will be computed into.
    Collect(&'a mut Vec<Aggregate>),
}

pub(crate) struct Binder<'a> {
    catalog: &'a dyn Catalog,
    source: &'a str,
    next_slot: Slot,
    writes: bool,
    options: PlanOptions,
}

fn err(kind: K, span: Span, message: impl Into<String>) -> PlanError {
    PlanError::new(kind, span, message)
}

fn literal(lit: &ast::Literal) -> Value {
    match lit {
        ast::Literal::Integer(i) => Value::Int(*i),
        ast::Literal::Float(f) => Value::Float(*f),
        ast::Literal::String(s) => Value::String(s.clone().into()),
        ast::Literal::Bool(b) => Value::Bool(*b),
        ast::Literal::Null => Value::Null,
    }
}

/// Before a write that follows a MATCH, every row of the reads is produced first, so the
/// write cannot feed the reads of later rows (the classic Halloween problem).
fn eager_after_reads(ops: &mut Vec<Operator>) {
    let reads = ops
        .iter()
        .rev()
        .take_while(|op| !matches!(op, Operator::Eager))
        .any(|op| matches!(op, Operator::Match { .. }));
    if reads {
        ops.push(Operator::Eager);
    }
}

impl<'a> Binder<'a> {
    pub fn new(catalog: &'a dyn Catalog, source: &'a str, options: PlanOptions) -> Self {
        Binder {
            catalog,
            source,
            next_slot: 0,
            writes: false,
            options,
        }
    }

    fn slot(&mut self) -> Slot {
        self.next_slot += 1;
        self.next_slot - 1
    }

    /// Binds a whole query (with its UNION branches).
    pub fn query(mut self, query: &ast::Query) -> Result<QueryPlan, PlanError> {
        let mut branches = Vec::new();
        let mut columns = Vec::new();
        let mut distinct_union = false;
        let (pipeline, cols) = self.single_query(&query.first, Scope::default(), true)?;
        branches.push(pipeline);
        columns.push(cols);
        for union in &query.unions {
            distinct_union |= !union.all;
            let (pipeline, cols) = self.single_query(&union.query, Scope::default(), true)?;
            let names =
                |c: &Vec<(String, Slot)>| c.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>();
            if names(&cols) != names(&columns[0]) {
                return Err(err(
                    K::DifferentColumnsInUnion,
                    union.query.span,
                    "all parts of a UNION must return the same columns",
                ));
            }
            branches.push(pipeline);
            columns.push(cols);
        }
        if query.unions.iter().any(|u| u.all) && query.unions.iter().any(|u| !u.all) {
            return Err(err(
                K::InvalidClauseComposition,
                query.span,
                "cannot mix UNION and UNION ALL",
            ));
        }
        Ok(QueryPlan {
            branches,
            columns,
            distinct_union,
            width: self.next_slot,
            writes: self.writes,
        })
    }

    /// Binds the clauses of one query part; `outer` is the scope it starts in (empty at top
    /// level, the enclosing row's variables in a subquery). Returns the pipeline and its output
    /// columns.
    fn single_query(
        &mut self,
        query: &ast::SingleQuery,
        outer: Scope,
        top_level: bool,
    ) -> Result<(Pipeline, Vec<(String, Slot)>), PlanError> {
        let mut scope = outer;
        let mut ops = Vec::new();
        let mut columns = Vec::new();
        let count = query.clauses.len();
        for (i, clause) in query.clauses.iter().enumerate() {
            let last = i + 1 == count;
            match &clause.kind {
                ast::ClauseKind::Match(m) => {
                    let pattern =
                        self.match_pattern(&m.pattern, m.where_.as_ref(), &mut scope, m.optional)?;
                    ops.push(Operator::Match {
                        pattern,
                        optional: m.optional,
                    });
                }
                ast::ClauseKind::Unwind(u) => {
                    let expr = self.expr(&u.expr, &scope, &mut AggMode::Forbidden)?;
                    let slot = self.slot();
                    scope.add(&u.variable.name, slot, Kind::Value);
                    ops.push(Operator::Unwind { expr, slot });
                }
                ast::ClauseKind::With(p) => {
                    let (new_scope, _) =
                        self.projection(p, &scope, &mut ops, false, clause.span)?;
                    scope = new_scope;
                }
                ast::ClauseKind::Return(p) => {
                    if !last {
                        return Err(err(
                            K::InvalidClauseComposition,
                            clause.span,
                            "RETURN must be the last clause",
                        ));
                    }
                    let (_, cols) = self.projection(p, &scope, &mut ops, true, clause.span)?;
                    columns = cols;
                }
                ast::ClauseKind::Create(pattern) => {
                    self.writes = true;
                    eager_after_reads(&mut ops);
                    let create = self.create_pattern(pattern, &mut scope)?;
                    ops.push(Operator::Create(create));
                    if !last {
                        ops.push(Operator::Eager);
                    }
                }
                ast::ClauseKind::Merge(merge) => {
                    self.writes = true;
                    eager_after_reads(&mut ops);
                    ops.push(self.merge(merge, &mut scope)?);
                    if !last {
                        ops.push(Operator::Eager);
                    }
                }
                ast::ClauseKind::Set(items) => {
                    self.writes = true;
                    eager_after_reads(&mut ops);
                    let set = items
                        .iter()
                        .map(|item| self.set_item(item, &scope))
                        .collect::<Result<_, _>>()?;
                    ops.push(Operator::Set(set));
                    if !last {
                        ops.push(Operator::Eager);
                    }
                }
                ast::ClauseKind::Remove(items) => {
                    self.writes = true;
                    let set = items
                        .iter()
                        .map(|item| self.remove_item(item, &scope))
                        .collect::<Result<_, _>>()?;
                    ops.push(Operator::Set(set));
                    if !last {
                        ops.push(Operator::Eager);
                    }
                }
                ast::ClauseKind::Delete(delete) => {
                    self.writes = true;
                    let mut exprs = Vec::new();
                    for e in &delete.exprs {
                        if matches!(e.kind, ast::ExprKind::HasLabels(..)) {
                            return Err(err(
                                K::InvalidDelete,
                                e.span,
                                "DELETE takes nodes, relationships or paths, not label expressions",
                            ));
                        }
                        let bound = self.expr(e, &scope, &mut AggMode::Forbidden)?;
                        if matches!(
                            bound,
                            Expr::Literal(_) | Expr::Binary(..) | Expr::Unary(..) | Expr::Map(_)
                        ) {
                            return Err(err(
                                K::InvalidArgumentType,
                                e.span,
                                "DELETE takes nodes, relationships or paths",
                            ));
                        }
                        exprs.push(bound);
                    }
                    ops.push(Operator::Delete {
                        exprs,
                        detach: delete.detach,
                    });
                    if !last {
                        ops.push(Operator::Eager);
                    }
                }
                ast::ClauseKind::Call(call) => {
                    let writes = self
                        .catalog
                        .procedure(&call.procedure.full_name())
                        .is_some_and(|p| p.writes);
                    if writes {
                        self.writes = true;
                        eager_after_reads(&mut ops);
                    }
                    let (op, cols) = self.call(call, &mut scope, last && top_level)?;
                    ops.push(op);
                    if writes && !last {
                        ops.push(Operator::Eager);
                    }
                    if last {
                        columns = cols;
                    }
                }
                ast::ClauseKind::LoadCsv(load) => {
                    let source = self.expr(&load.source, &scope, &mut AggMode::Forbidden)?;
                    let terminator = match load.field_terminator.as_deref() {
                        None => b',',
                        Some(t) if t.len() == 1 => t.as_bytes()[0],
                        Some(t) => {
                            return Err(err(
                                K::InvalidArgumentType,
                                clause.span,
                                format!("field terminator must be one character, not {t:?}"),
                            ));
                        }
                    };
                    let slot = self.slot();
                    scope.add(&load.variable.name, slot, Kind::Value);
                    ops.push(Operator::LoadCsv {
                        source,
                        slot,
                        headers: load.with_headers,
                        terminator,
                    });
                }
            }
        }
        Ok((
            Pipeline {
                operators: ops,
                live: Vec::new(),
            },
            columns,
        ))
    }

    // ---- projections ------------------------------------------------------------------------
}

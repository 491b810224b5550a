//! Binding: the AST of a query becomes pipelines over row slots. Variables are resolved in
//! their scopes, and the TCK's compile-time errors (undefined or rebound variables, misplaced
//! aggregation, bad SKIP/LIMIT, unknown functions) are raised here, before any row exists.
//!
//! Knows nothing of execution or storage; the functions, aggregates and procedures that exist
//! come from the `Catalog` the caller passes.

use crate::syntax::Span;
use crate::syntax::ast;
use crate::value::Value;

use super::error::{PlanError, PlanErrorKind as K};
use super::logical::{
    Aggregate, CreateNode, CreatePattern, CreateRel, Direction, Expr, Length, MapItem, Operator,
    Pattern, PatternNode, PatternPath, PatternRel, Pipeline, QueryPlan, SetOp, Slot, SortKey,
    Subquery, SubqueryKind,
};
use super::options::PlanOptions;
use super::pattern::order_steps;

/// A function or aggregate the catalog knows: its canonical name and arity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FunctionInfo {
    pub name: String,
    pub min_args: usize,
    pub max_args: Option<usize>,
}

/// A procedure the catalog knows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProcedureInfo {
    pub name: String,
    pub min_args: usize,
    pub max_args: usize,
    /// Output column names, in order.
    pub outputs: Vec<String>,
    /// It changes the graph.
    pub writes: bool,
}

/// What the planner may ask about the world: the function library, and figures for choosing
/// how to match patterns.
pub trait Catalog {
    fn function(&self, name: &str) -> Option<FunctionInfo>;
    fn aggregate(&self, name: &str) -> Option<FunctionInfo>;
    fn procedure(&self, name: &str) -> Option<ProcedureInfo>;
    /// Nodes carrying the label, if known.
    fn label_count(&self, label: &str) -> Option<u64>;
    fn has_index(&self, label: &str, key: &str) -> bool;
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Node,
    Rel,
    Path,
    Value,
    /// A value whose type is known from the query text (a literal carried by WITH).
    Known(&'static str),
}

#[derive(Debug, Clone)]
struct Var {
    name: String,
    slot: Slot,
    kind: Kind,
}

/// The variables visible at a point of the query, in the order they were introduced.
#[derive(Debug, Clone, Default)]
struct Scope {
    vars: Vec<Var>,
    /// Slots whose value is a function of the entities in other slots: what an aggregation
    /// grouped by those entities computed (`WITH c, collect(x) AS xs`: `xs` is determined by
    /// `c`). A later aggregation keyed by such a slot can group by the entities' ids instead
    /// of hashing the value.
    determined: Vec<(Slot, Vec<Slot>)>,
}

impl Scope {
    fn get(&self, name: &str) -> Option<&Var> {
        self.vars.iter().rev().find(|v| v.name == name)
    }

    fn add(&mut self, name: &str, slot: Slot, kind: Kind) {
        self.vars.retain(|v| v.name != name);
        self.vars.push(Var {
            name: name.to_owned(),
            slot,
            kind,
        });
    }
}

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

/// Slots an expression reads.
pub(crate) fn slots_of(expr: &Expr, out: &mut Vec<Slot>) {
    let mut visit = |e: &Expr| slots_of(e, out);
    match expr {
        Expr::Literal(_) | Expr::Parameter(_) => {}
        Expr::Slot(s) => out.push(*s),
        Expr::Property(e, _)
        | Expr::HasLabels(e, _)
        | Expr::Unary(_, e)
        | Expr::IsNull { expr: e, .. } => visit(e),
        Expr::Index(a, b) | Expr::Binary(_, a, b) => {
            slots_of(a, out);
            slots_of(b, out);
        }
        Expr::Slice(a, b, c) => {
            slots_of(a, out);
            for e in [b, c].into_iter().flatten() {
                slots_of(e, out);
            }
        }
        Expr::List(items) | Expr::Function { args: items, .. } => {
            items.iter().for_each(|e| slots_of(e, out))
        }
        Expr::Map(entries) => entries.iter().for_each(|(_, e)| slots_of(e, out)),
        Expr::MapProjection { base, items } => {
            slots_of(base, out);
            for item in items {
                if let MapItem::Entry(_, e) = item {
                    slots_of(e, out);
                }
            }
        }
        Expr::Case {
            operand,
            alternatives,
            default,
        } => {
            for e in operand.iter().chain(default.iter()) {
                slots_of(e, out);
            }
            for (w, t) in alternatives {
                slots_of(w, out);
                slots_of(t, out);
            }
        }
        Expr::ListComprehension {
            list, filter, map, ..
        } => {
            slots_of(list, out);
            for e in filter.iter().chain(map.iter()) {
                slots_of(e, out);
            }
        }
        Expr::Quantified { list, filter, .. } => {
            slots_of(list, out);
            if let Some(f) = filter {
                slots_of(f, out);
            }
        }
        Expr::Reduce {
            init, list, expr, ..
        } => {
            slots_of(init, out);
            slots_of(list, out);
            slots_of(expr, out);
        }
        Expr::Subquery(sub) => {
            // A subquery reads the outer slots its pipeline refers to; conservatively, all of
            // them that appear anywhere inside.
            for op in &sub.pipeline.operators {
                operator_slots(op, out);
            }
            if let Some(m) = &sub.map {
                slots_of(m, out);
            }
        }
    }
}

fn operator_slots(op: &Operator, out: &mut Vec<Slot>) {
    match op {
        Operator::Match { pattern, .. } => {
            for n in &pattern.nodes {
                out.push(n.slot);
                if let Some(p) = &n.properties {
                    slots_of(p, out);
                }
            }
            for r in &pattern.rels {
                out.push(r.slot);
                if let Some(p) = &r.properties {
                    slots_of(p, out);
                }
            }
            for step in &pattern.steps {
                match step {
                    super::logical::MatchStep::Filter(e) => slots_of(e, out),
                    super::logical::MatchStep::Start {
                        source: super::logical::NodeSource::Seek { value, .. },
                        ..
                    } => {
                        slots_of(value, out);
                    }
                    _ => {}
                }
            }
        }
        Operator::Filter(e) | Operator::Skip(e) | Operator::Limit(e) => slots_of(e, out),
        Operator::Unwind { expr, .. } => slots_of(expr, out),
        Operator::Project { items, .. } => items.iter().for_each(|(_, e)| slots_of(e, out)),
        Operator::Aggregate {
            keys, aggregates, ..
        } => {
            keys.iter().for_each(|(_, e)| slots_of(e, out));
            aggregates
                .iter()
                .for_each(|a| a.args.iter().for_each(|e| slots_of(e, out)));
        }
        Operator::Sort { keys } => keys.iter().for_each(|k| slots_of(&k.expr, out)),
        _ => {}
    }
}

/// Slots an expression binds itself (comprehension, quantifier and reduce variables, and the
/// variables of its subqueries' patterns): reading them is not reading the row.
fn local_slots(expr: &Expr, out: &mut Vec<Slot>) {
    match expr {
        Expr::ListComprehension {
            slot,
            list,
            filter,
            map,
        } => {
            out.push(*slot);
            local_slots(list, out);
            for e in filter.iter().chain(map.iter()) {
                local_slots(e, out);
            }
        }
        Expr::Quantified {
            slot, list, filter, ..
        } => {
            out.push(*slot);
            local_slots(list, out);
            if let Some(f) = filter {
                local_slots(f, out);
            }
        }
        Expr::Reduce {
            accumulator,
            slot,
            init,
            list,
            expr,
        } => {
            out.push(*accumulator);
            out.push(*slot);
            local_slots(init, out);
            local_slots(list, out);
            local_slots(expr, out);
        }
        Expr::Subquery(sub) => {
            for op in &sub.pipeline.operators {
                if let Operator::Match { pattern, .. } = op {
                    out.extend(pattern.nodes.iter().filter(|n| !n.bound).map(|n| n.slot));
                    out.extend(pattern.rels.iter().filter(|r| !r.bound).map(|r| r.slot));
                    out.extend(pattern.paths.iter().map(|p| p.slot));
                }
            }
        }
        Expr::Property(e, _)
        | Expr::HasLabels(e, _)
        | Expr::Unary(_, e)
        | Expr::IsNull { expr: e, .. } => {
            local_slots(e, out);
        }
        Expr::Index(a, b) | Expr::Binary(_, a, b) => {
            local_slots(a, out);
            local_slots(b, out);
        }
        Expr::List(items) | Expr::Function { args: items, .. } => {
            items.iter().for_each(|e| local_slots(e, out));
        }
        Expr::Map(entries) => entries.iter().for_each(|(_, e)| local_slots(e, out)),
        Expr::Case {
            operand,
            alternatives,
            default,
        } => {
            for e in operand.iter().chain(default.iter()) {
                local_slots(e, out);
            }
            for (w, t) in alternatives {
                local_slots(w, out);
                local_slots(t, out);
            }
        }
        _ => {}
    }
}

/// Slots an expression reads from the row.
fn free_slots(expr: &Expr) -> Vec<Slot> {
    let mut used = Vec::new();
    slots_of(expr, &mut used);
    let mut local = Vec::new();
    local_slots(expr, &mut local);
    used.retain(|s| !local.contains(s));
    used
}

/// Grouping keys an expression with aggregates may refer to by value: variables and property
/// reads only, as openCypher says.
fn simple_keys(keys: &[(Slot, Expr)]) -> Vec<(Slot, Expr)> {
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
fn replace_keys(expr: Expr, keys: &[(Slot, Expr)]) -> Expr {
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

/// The source text of a projection item without alias: the TCK names the column by it.
fn column_name(source: &str, expr: &ast::Expr) -> String {
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

/// The type of an expression when the query text alone tells it.
fn static_type(e: &ast::Expr, scope: &Scope) -> Option<&'static str> {
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
fn check_operand(
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

    /// Binds `WITH` or `RETURN`: pushes the operators and returns the new scope and, for
    /// `RETURN`, the output columns.
    #[allow(clippy::too_many_lines)]
    fn projection(
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
    fn order_expr(
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
    fn constant_count(&mut self, e: &ast::Expr, what: &str) -> Result<Expr, PlanError> {
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

    fn properties(
        &mut self,
        props: Option<&ast::Expr>,
        scope: &Scope,
    ) -> Result<Option<Expr>, PlanError> {
        props
            .map(|p| self.expr(p, scope, &mut AggMode::Forbidden))
            .transpose()
    }

    /// Binds a MATCH pattern (and its WHERE) and orders the steps of matching it.
    fn match_pattern(
        &mut self,
        pattern: &ast::Pattern,
        where_: Option<&ast::Expr>,
        scope: &mut Scope,
        optional: bool,
    ) -> Result<Pattern, PlanError> {
        let mut nodes: Vec<PatternNode> = Vec::new();
        let mut rels: Vec<PatternRel> = Vec::new();
        let mut paths = Vec::new();
        let before = scope.clone();
        let mut rel_names: Vec<String> = Vec::new();
        // Conjuncts: from property maps a node repeats (see `pattern_node`), then from WHERE.
        let mut filters = Vec::new();
        for part in &pattern.parts {
            let mut node_ids = Vec::new();
            let mut rel_ids = Vec::new();
            let start =
                self.pattern_node(&part.path.start, scope, &before, &mut nodes, &mut filters)?;
            node_ids.push(start);
            let mut left = start;
            for (rel, node) in &part.path.steps {
                let right = self.pattern_node(node, scope, &before, &mut nodes, &mut filters)?;
                let r = self.pattern_rel(rel, left, right, scope, &before, &mut rel_names)?;
                rels.push(r);
                rel_ids.push(rels.len() - 1);
                node_ids.push(right);
                left = right;
            }
            if let Some(shortest) = part.shortest {
                if rel_ids.len() != 1 {
                    return Err(err(
                        K::InvalidRelationshipPattern,
                        part.span,
                        "shortestPath needs a pattern of exactly one relationship",
                    ));
                }
                let rel = &mut rels[rel_ids[0]];
                if rel.length.is_none() {
                    rel.length = Some(Length {
                        min: 1,
                        max: Some(1),
                    });
                }
                if rel.length.is_some_and(|l| l.min > 1) {
                    return Err(err(
                        K::InvalidRelationshipPattern,
                        part.span,
                        "shortestPath needs a minimum length of 0 or 1",
                    ));
                }
                paths.push(PatternPath {
                    slot: self.slot(),
                    nodes: node_ids.clone(),
                    rels: rel_ids.clone(),
                    shortest: Some(shortest),
                });
                if let Some(v) = &part.variable {
                    let slot = paths.last().map_or(0, |p| p.slot);
                    self.declare(scope, &before, v, slot, Kind::Path)?;
                }
                continue;
            }
            if let Some(v) = &part.variable {
                let slot = self.slot();
                self.declare(scope, &before, v, slot, Kind::Path)?;
                paths.push(PatternPath {
                    slot,
                    nodes: node_ids,
                    rels: rel_ids,
                    shortest: None,
                });
            }
        }
        if let Some(w) = where_ {
            check_operand(w, scope, &["BOOLEAN"], "WHERE")?;
            let predicate = self.expr(w, scope, &mut AggMode::Forbidden)?;
            split_conjuncts(predicate, &mut filters);
        }
        let _ = optional;
        let steps = order_steps(&nodes, &rels, &paths, filters, self.catalog, self.options);
        Ok(Pattern {
            nodes,
            rels,
            paths,
            steps,
        })
    }

    /// Declares a new pattern variable, or checks a reuse: returns (slot, was already bound).
    fn declare(
        &mut self,
        scope: &mut Scope,
        before: &Scope,
        v: &ast::Ident,
        slot: Slot,
        kind: Kind,
    ) -> Result<(), PlanError> {
        if let Some(existing) = scope.get(&v.name)
            && (existing.kind != kind || before.get(&v.name).is_some() || kind == Kind::Path)
        {
            return Err(err(
                K::VariableAlreadyBound,
                v.span,
                format!("variable `{}` already declared", v.name),
            ));
        }
        scope.add(&v.name, slot, kind);
        Ok(())
    }

    fn pattern_node(
        &mut self,
        node: &ast::NodePattern,
        scope: &mut Scope,
        _before: &Scope,
        nodes: &mut Vec<PatternNode>,
        filters: &mut Vec<Expr>,
    ) -> Result<usize, PlanError> {
        let properties = self.properties(node.properties.as_ref(), scope)?;
        let (slot, bound) = match &node.variable {
            Some(v) => match scope.get(&v.name) {
                Some(var) if matches!(var.kind, Kind::Known(_)) => {
                    return Err(err(
                        K::VariableTypeConflict,
                        v.span,
                        format!("variable `{}` is not a node", v.name),
                    ));
                }
                Some(var) if var.kind == Kind::Node || var.kind == Kind::Value => {
                    // A node seen earlier in this pattern is the same pattern node.
                    if let Some(i) = nodes.iter().position(|n| n.slot == var.slot) {
                        let existing = &mut nodes[i];
                        for l in &node.labels {
                            if !existing.labels.contains(l) {
                                existing.labels.push(l.clone());
                            }
                        }
                        // Each map constrains the node. The entries of a later map join the
                        // first (MERGE creates the node with all of them); one for a key the
                        // first map has already becomes a filter, so both values are checked.
                        existing.properties = match (existing.properties.take(), properties) {
                            (Some(Expr::Map(mut first)), Some(Expr::Map(later))) => {
                                for (key, value) in later {
                                    if first.iter().any(|(k, _)| *k == key) {
                                        let property = Expr::Property(
                                            Box::new(Expr::Slot(existing.slot)),
                                            key,
                                        );
                                        filters.push(Expr::Binary(
                                            ast::BinaryOp::Eq,
                                            Box::new(property),
                                            Box::new(value),
                                        ));
                                    } else {
                                        first.push((key, value));
                                    }
                                }
                                Some(Expr::Map(first))
                            }
                            // Not reached: a pattern's property maps are map literals (the
                            // parser refuses a parameter there).
                            (Some(q), Some(p)) => {
                                Some(Expr::Binary(ast::BinaryOp::Add, Box::new(q), Box::new(p)))
                            }
                            (q, p) => q.or(p),
                        };
                        return Ok(i);
                    }
                    (var.slot, true)
                }
                Some(_) => {
                    return Err(err(
                        K::VariableTypeConflict,
                        v.span,
                        format!("variable `{}` is not a node", v.name),
                    ));
                }
                None => {
                    let slot = self.slot();
                    scope.add(&v.name, slot, Kind::Node);
                    (slot, false)
                }
            },
            None => (self.slot(), false),
        };
        nodes.push(PatternNode {
            slot,
            labels: node.labels.clone(),
            properties,
            bound,
        });
        Ok(nodes.len() - 1)
    }

    fn pattern_rel(
        &mut self,
        rel: &ast::RelPattern,
        left: usize,
        right: usize,
        scope: &mut Scope,
        before: &Scope,
        rel_names: &mut Vec<String>,
    ) -> Result<PatternRel, PlanError> {
        let properties = self.properties(rel.properties.as_ref(), scope)?;
        let length = rel.length.map(|l| Length {
            min: l.min.unwrap_or(1),
            max: l.max,
        });
        if let Some(l) = length
            && l.max.is_some_and(|max| max < l.min)
        {
            // An empty range matches nothing; keep it (the matcher yields no rows).
        }
        let (slot, bound) = match &rel.variable {
            Some(v) => {
                if rel_names.contains(&v.name) {
                    return Err(err(
                        K::VariableAlreadyBound,
                        v.span,
                        format!(
                            "relationship variable `{}` used twice in one pattern",
                            v.name
                        ),
                    ));
                }
                rel_names.push(v.name.clone());
                match scope.get(&v.name) {
                    Some(var)
                        if (var.kind == Kind::Rel || var.kind == Kind::Value)
                            && before.get(&v.name).is_some() =>
                    {
                        if length.is_some() {
                            return Err(err(
                                K::VariableTypeConflict,
                                v.span,
                                "a bound relationship cannot be variable-length",
                            ));
                        }
                        (var.slot, true)
                    }
                    Some(_) => {
                        return Err(err(
                            K::VariableTypeConflict,
                            v.span,
                            format!("variable `{}` is not a relationship", v.name),
                        ));
                    }
                    None => {
                        let slot = self.slot();
                        scope.add(
                            &v.name,
                            slot,
                            if length.is_some() {
                                Kind::Value
                            } else {
                                Kind::Rel
                            },
                        );
                        (slot, false)
                    }
                }
            }
            None => (self.slot(), false),
        };
        let direction = rel.direction;
        Ok(PatternRel {
            slot,
            types: rel.types.clone(),
            direction,
            left,
            right,
            length,
            properties,
            bound,
        })
    }

    fn create_pattern(
        &mut self,
        pattern: &ast::Pattern,
        scope: &mut Scope,
    ) -> Result<CreatePattern, PlanError> {
        let mut create = CreatePattern {
            nodes: Vec::new(),
            rels: Vec::new(),
            paths: Vec::new(),
        };
        for part in &pattern.parts {
            if part.shortest.is_some() {
                return Err(err(
                    K::InvalidClauseComposition,
                    part.span,
                    "shortestPath cannot be created",
                ));
            }
            if part.path.steps.is_empty()
                && let Some(v) = &part.path.start.variable
                && scope.get(&v.name).is_some()
            {
                return Err(err(
                    K::VariableAlreadyBound,
                    v.span,
                    format!("variable `{}` already declared", v.name),
                ));
            }
            let mut node_ids = Vec::new();
            let mut rel_ids = Vec::new();
            let mut left = self.create_node(&part.path.start, scope, &mut create)?;
            node_ids.push(left);
            for (rel, node) in &part.path.steps {
                let right = self.create_node(node, scope, &mut create)?;
                check_creatable(rel, "CREATE")?;
                let (start, end) = match rel.direction {
                    ast::Direction::Outgoing => (left, right),
                    ast::Direction::Incoming => (right, left),
                    ast::Direction::Both => {
                        return Err(err(
                            K::RequiresDirectedRelationship,
                            rel.span,
                            "a relationship to create needs a direction",
                        ));
                    }
                };
                let properties = self.properties(rel.properties.as_ref(), scope)?;
                let slot = match &rel.variable {
                    Some(v) => {
                        if scope.get(&v.name).is_some() {
                            return Err(err(
                                K::VariableAlreadyBound,
                                v.span,
                                format!("variable `{}` already declared", v.name),
                            ));
                        }
                        let slot = self.slot();
                        scope.add(&v.name, slot, Kind::Rel);
                        slot
                    }
                    None => self.slot(),
                };
                create.rels.push(CreateRel {
                    slot,
                    rel_type: rel.types[0].clone(),
                    start,
                    end,
                    properties,
                });
                rel_ids.push(create.rels.len() - 1);
                node_ids.push(right);
                left = right;
            }
            if let Some(v) = &part.variable {
                if scope.get(&v.name).is_some() {
                    return Err(err(
                        K::VariableAlreadyBound,
                        v.span,
                        format!("variable `{}` already declared", v.name),
                    ));
                }
                let slot = self.slot();
                scope.add(&v.name, slot, Kind::Path);
                create.paths.push(PatternPath {
                    slot,
                    nodes: node_ids,
                    rels: rel_ids,
                    shortest: None,
                });
            }
        }
        Ok(create)
    }

    fn create_node(
        &mut self,
        node: &ast::NodePattern,
        scope: &mut Scope,
        create: &mut CreatePattern,
    ) -> Result<usize, PlanError> {
        let properties = self.properties(node.properties.as_ref(), scope)?;
        if let Some(v) = &node.variable {
            if let Some(var) = scope.get(&v.name) {
                if var.kind != Kind::Node && var.kind != Kind::Value {
                    return Err(err(
                        K::VariableTypeConflict,
                        v.span,
                        format!("variable `{}` is not a node", v.name),
                    ));
                }
                if !node.labels.is_empty() || properties.is_some() {
                    return Err(err(
                        K::VariableAlreadyBound,
                        v.span,
                        format!("variable `{}` already declared", v.name),
                    ));
                }
                if let Some(i) = create.nodes.iter().position(|n| n.slot == var.slot) {
                    return Ok(i);
                }
                create.nodes.push(CreateNode {
                    slot: var.slot,
                    labels: Vec::new(),
                    properties: None,
                    bound: true,
                });
                return Ok(create.nodes.len() - 1);
            }
            let slot = self.slot();
            scope.add(&v.name, slot, Kind::Node);
            create.nodes.push(CreateNode {
                slot,
                labels: node.labels.clone(),
                properties,
                bound: false,
            });
            return Ok(create.nodes.len() - 1);
        }
        let slot = self.slot();
        create.nodes.push(CreateNode {
            slot,
            labels: node.labels.clone(),
            properties,
            bound: false,
        });
        Ok(create.nodes.len() - 1)
    }

    fn merge(&mut self, merge: &ast::Merge, scope: &mut Scope) -> Result<Operator, PlanError> {
        let pattern_ast = ast::Pattern {
            parts: vec![merge.part.clone()],
            span: merge.part.span,
        };
        if merge.part.path.steps.is_empty()
            && let Some(v) = &merge.part.path.start.variable
            && scope.get(&v.name).is_some()
        {
            return Err(err(
                K::VariableAlreadyBound,
                v.span,
                format!("variable `{}` already declared", v.name),
            ));
        }
        // Match first, in a scratch scope, to learn the slots; creation must use the same ones.
        let mut match_scope = scope.clone();
        let pattern = self.match_pattern(&pattern_ast, None, &mut match_scope, false)?;
        for (rel, _) in &merge.part.path.steps {
            check_creatable(rel, "MERGE")?;
        }
        // The create pattern reuses the match pattern's slots.
        let mut create = CreatePattern {
            nodes: Vec::new(),
            rels: Vec::new(),
            paths: Vec::new(),
        };
        for n in &pattern.nodes {
            create.nodes.push(CreateNode {
                slot: n.slot,
                labels: n.labels.clone(),
                properties: n.properties.clone(),
                bound: n.bound,
            });
        }
        for r in &pattern.rels {
            let (start, end) = match r.direction {
                Direction::Outgoing | Direction::Both => (r.left, r.right),
                Direction::Incoming => (r.right, r.left),
            };
            create.rels.push(CreateRel {
                slot: r.slot,
                rel_type: r.types[0].clone(),
                start,
                end,
                properties: r.properties.clone(),
            });
            if r.bound {
                return Err(err(
                    K::VariableAlreadyBound,
                    merge.part.span,
                    "MERGE cannot reuse a bound relationship",
                ));
            }
        }
        create.paths = pattern.paths.clone();
        for n in &merge.part.path.steps {
            if let Some(v) = &n.1.variable
                && scope.get(&v.name).is_some()
                && (!n.1.labels.is_empty() || n.1.properties.is_some())
            {
                return Err(err(
                    K::VariableAlreadyBound,
                    v.span,
                    format!("variable `{}` already declared", v.name),
                ));
            }
        }
        if let Some(v) = &merge.part.path.start.variable
            && scope.get(&v.name).is_some()
            && (!merge.part.path.start.labels.is_empty()
                || merge.part.path.start.properties.is_some())
        {
            return Err(err(
                K::VariableAlreadyBound,
                v.span,
                format!("variable `{}` already declared", v.name),
            ));
        }
        *scope = match_scope;
        let mut on_create = Vec::new();
        let mut on_match = Vec::new();
        for action in &merge.actions {
            for item in &action.items {
                let op = self.set_item(item, scope)?;
                if action.on_create {
                    on_create.push(op)
                } else {
                    on_match.push(op)
                }
            }
        }
        Ok(Operator::Merge {
            pattern,
            create,
            on_create,
            on_match,
        })
    }

    fn variable_slot(&self, v: &ast::Ident, scope: &Scope) -> Result<Slot, PlanError> {
        scope.get(&v.name).map(|var| var.slot).ok_or_else(|| {
            err(
                K::UndefinedVariable,
                v.span,
                format!("variable `{}` not defined", v.name),
            )
        })
    }

    fn set_item(&mut self, item: &ast::SetItem, scope: &Scope) -> Result<SetOp, PlanError> {
        Ok(match item {
            ast::SetItem::Property {
                target, key, value, ..
            } => SetOp::Property {
                target: self.expr(target, scope, &mut AggMode::Forbidden)?,
                key: key.clone(),
                value: self.expr(value, scope, &mut AggMode::Forbidden)?,
            },
            ast::SetItem::Replace {
                variable, value, ..
            } => SetOp::Replace {
                slot: self.variable_slot(variable, scope)?,
                value: self.expr(value, scope, &mut AggMode::Forbidden)?,
            },
            ast::SetItem::Update {
                variable, value, ..
            } => SetOp::Merge {
                slot: self.variable_slot(variable, scope)?,
                value: self.expr(value, scope, &mut AggMode::Forbidden)?,
            },
            ast::SetItem::Labels {
                variable, labels, ..
            } => SetOp::Labels {
                slot: self.variable_slot(variable, scope)?,
                labels: labels.clone(),
            },
        })
    }

    fn remove_item(&mut self, item: &ast::RemoveItem, scope: &Scope) -> Result<SetOp, PlanError> {
        Ok(match item {
            ast::RemoveItem::Property { target, key, .. } => SetOp::RemoveProperty {
                target: self.expr(target, scope, &mut AggMode::Forbidden)?,
                key: key.clone(),
            },
            ast::RemoveItem::Labels {
                variable, labels, ..
            } => SetOp::RemoveLabels {
                slot: self.variable_slot(variable, scope)?,
                labels: labels.clone(),
            },
        })
    }

    fn call(
        &mut self,
        call: &ast::Call,
        scope: &mut Scope,
        standalone: bool,
    ) -> Result<(Operator, Vec<(String, Slot)>), PlanError> {
        let name = call.procedure.full_name();
        let info = self.catalog.procedure(&name).ok_or_else(|| {
            err(
                K::UnknownProcedure,
                call.procedure.span,
                format!("there is no procedure `{name}`"),
            )
        })?;
        let args = match &call.args {
            Some(args) => args
                .iter()
                .map(|a| self.expr(a, scope, &mut AggMode::Forbidden))
                .collect::<Result<Vec<_>, _>>()?,
            None => Vec::new(),
        };
        if call.args.is_some() && (args.len() < info.min_args || args.len() > info.max_args) {
            return Err(err(
                K::InvalidNumberOfArguments,
                call.procedure.span,
                format!(
                    "`{name}` takes {} to {} arguments",
                    info.min_args, info.max_args
                ),
            ));
        }
        let mut yields = Vec::new();
        let mut columns = Vec::new();
        match &call.yield_ {
            Some(y) if !y.star => {
                for item in &y.items {
                    if !info.outputs.contains(&item.field) {
                        return Err(err(
                            K::UndefinedVariable,
                            item.span,
                            format!("`{name}` has no output `{}`", item.field),
                        ));
                    }
                    let var = item
                        .alias
                        .as_ref()
                        .map_or(item.field.as_str(), |a| a.name.as_str());
                    if scope.get(var).is_some() {
                        return Err(err(
                            K::VariableAlreadyBound,
                            item.span,
                            format!("variable `{var}` already declared"),
                        ));
                    }
                    let slot = self.slot();
                    scope.add(var, slot, Kind::Value);
                    yields.push((item.field.clone(), slot));
                    columns.push((var.to_owned(), slot));
                }
            }
            Some(_) | None => {
                if call.yield_.is_none() && !standalone && !info.outputs.is_empty() {
                    return Err(err(
                        K::InvalidClauseComposition,
                        call.procedure.span,
                        "a CALL inside a query needs YIELD",
                    ));
                }
                for field in &info.outputs {
                    let slot = self.slot();
                    scope.add(field, slot, Kind::Value);
                    yields.push((field.clone(), slot));
                    columns.push((field.clone(), slot));
                }
            }
        }
        let filter = match call.yield_.as_ref().and_then(|y| y.where_.as_ref()) {
            Some(w) => Some(self.expr(w, scope, &mut AggMode::Forbidden)?),
            None => None,
        };
        Ok((
            Operator::Call {
                procedure: info.name,
                args,
                yields,
                filter,
            },
            columns,
        ))
    }

    // ---- expressions ------------------------------------------------------------------------

    #[allow(clippy::too_many_lines)]
    fn expr(
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
    fn iteration(
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
    fn inner_expr(
        &mut self,
        e: Option<&ast::Expr>,
        inner: &Scope,
    ) -> Result<Option<Box<Expr>>, PlanError> {
        e.map(|e| self.expr(e, inner, &mut AggMode::Forbidden).map(Box::new))
            .transpose()
    }

    fn aggregate_call(
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

    /// A pattern evaluated per row (predicate, comprehension, EXISTS or COUNT short form).
    fn pattern_subquery(
        &mut self,
        parts: Vec<ast::PatternPart>,
        where_: Option<&ast::Expr>,
        scope: &Scope,
        kind: SubqueryKind,
        map: Option<&ast::Expr>,
        span: Span,
    ) -> Result<Expr, PlanError> {
        let mut inner = scope.clone();
        let pattern =
            self.match_pattern(&ast::Pattern { parts, span }, where_, &mut inner, false)?;
        let map = map
            .map(|m| self.expr(m, &inner, &mut AggMode::Forbidden))
            .transpose()?;
        let pipeline = Pipeline {
            operators: vec![Operator::Match {
                pattern,
                optional: false,
            }],
            live: Vec::new(),
        };
        Ok(Expr::Subquery(Box::new(Subquery {
            kind,
            pipeline,
            map,
        })))
    }
}

fn check_arity(info: &super::bind::FunctionInfo, n: usize, span: Span) -> Result<(), PlanError> {
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

fn replace_slot(expr: Expr, from: Slot, to: Slot) -> Expr {
    replace_keys(expr, &[(to, Expr::Slot(from))])
}

/// A pattern predicate may not introduce variables.
fn check_pattern_predicate(parts: &[ast::PatternPart], scope: &Scope) -> Result<(), PlanError> {
    // Only the variables of the enclosing scope may appear.
    for part in parts {
        let named = std::iter::once(&part.path.start.variable).chain(
            part.path
                .steps
                .iter()
                .flat_map(|(r, n)| [&r.variable, &n.variable]),
        );
        for v in named.flatten() {
            if scope.get(&v.name).is_none() {
                return Err(err(
                    K::UndefinedVariable,
                    v.span,
                    format!(
                        "variable `{}` not defined: a pattern predicate cannot introduce new variables",
                        v.name
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// A relationship CREATE or MERGE may make: one type, fixed length.
fn check_creatable(rel: &ast::RelPattern, clause: &str) -> Result<(), PlanError> {
    if rel.types.len() != 1 {
        return Err(err(
            K::NoSingleRelationshipType,
            rel.span,
            format!("a relationship that {clause} creates needs exactly one type"),
        ));
    }
    if rel.length.is_some() {
        return Err(err(
            K::CreatingVarLength,
            rel.span,
            format!("{clause} cannot create variable-length relationships"),
        ));
    }
    Ok(())
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

/// The node and relationship slots that every grouping key reads (each key is such a slot or
/// one of its properties, or a slot they determine), at most four; empty when some key reads
/// anything else.
fn entity_group_keys(keys: &[(Slot, Expr)], scope: &Scope) -> Vec<Slot> {
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

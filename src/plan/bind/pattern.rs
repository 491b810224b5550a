//! MATCH patterns: nodes, relationships and paths bound to slots, their property maps, the
//! order of the steps, and pattern predicates and subqueries (EXISTS, COUNT, COLLECT).

use crate::syntax::Span;
use crate::syntax::ast;

use crate::plan::error::{PlanError, PlanErrorKind as K};
use crate::plan::logical::{
    Expr, Length, Operator, Pattern, PatternNode, PatternPath, PatternRel, Pipeline, Slot,
    Subquery, SubqueryKind,
};
use crate::plan::pattern::order_steps;

use super::expr::split_conjuncts;
use super::scope::{Kind, Scope, already_bound, check_operand};
use super::{AggMode, Binder, err};

/// A pattern predicate may not introduce variables.
pub(super) fn check_pattern_predicate(
    parts: &[ast::PatternPart],
    scope: &Scope,
) -> Result<(), PlanError> {
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

impl Binder<'_> {
    pub(super) fn properties(
        &mut self,
        props: Option<&ast::Expr>,
        scope: &Scope,
    ) -> Result<Option<Expr>, PlanError> {
        props
            .map(|p| self.expr(p, scope, &mut AggMode::Forbidden))
            .transpose()
    }

    /// Binds a MATCH pattern (and its WHERE) and orders the steps of matching it.
    pub(super) fn match_pattern(
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
        let steps = order_steps(
            &nodes,
            &rels,
            &paths,
            filters,
            self.catalog,
            self.options,
            None,
        );
        Ok(Pattern {
            nodes,
            rels,
            paths,
            steps,
        })
    }

    /// Declares a new pattern variable, or checks a reuse: returns (slot, was already bound).
    pub(super) fn declare(
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
            return Err(already_bound(&v.name, v.span));
        }
        scope.add(&v.name, slot, kind);
        Ok(())
    }

    pub(super) fn pattern_node(
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

    pub(super) fn pattern_rel(
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

    /// A pattern evaluated per row (predicate, comprehension, EXISTS or COUNT short form).
    pub(super) fn pattern_subquery(
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

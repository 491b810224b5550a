//! Writes: CREATE, MERGE, SET, REMOVE (DELETE is bound with the clauses, in `mod.rs`).

use crate::syntax::ast;

use crate::plan::error::{PlanError, PlanErrorKind as K};
use crate::plan::logical::{
    CreateNode, CreatePattern, CreateRel, Direction, Operator, PatternPath, SetOp, Slot,
};

use super::scope::{Kind, Scope, already_bound};
use super::{AggMode, Binder, err};

/// A relationship CREATE or MERGE may make: one type, fixed length.
pub(super) fn check_creatable(rel: &ast::RelPattern, clause: &str) -> Result<(), PlanError> {
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

impl Binder<'_> {
    pub(super) fn create_pattern(
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
                return Err(already_bound(&v.name, v.span));
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
                            return Err(already_bound(&v.name, v.span));
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
                    return Err(already_bound(&v.name, v.span));
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

    pub(super) fn create_node(
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
                    return Err(already_bound(&v.name, v.span));
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

    pub(super) fn merge(
        &mut self,
        merge: &ast::Merge,
        scope: &mut Scope,
    ) -> Result<Operator, PlanError> {
        let pattern_ast = ast::Pattern {
            parts: vec![merge.part.clone()],
            span: merge.part.span,
        };
        if merge.part.path.steps.is_empty()
            && let Some(v) = &merge.part.path.start.variable
            && scope.get(&v.name).is_some()
        {
            return Err(already_bound(&v.name, v.span));
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
                return Err(already_bound(&v.name, v.span));
            }
        }
        if let Some(v) = &merge.part.path.start.variable
            && scope.get(&v.name).is_some()
            && (!merge.part.path.start.labels.is_empty()
                || merge.part.path.start.properties.is_some())
        {
            return Err(already_bound(&v.name, v.span));
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

    pub(super) fn variable_slot(&self, v: &ast::Ident, scope: &Scope) -> Result<Slot, PlanError> {
        scope.get(&v.name).map(|var| var.slot).ok_or_else(|| {
            err(
                K::UndefinedVariable,
                v.span,
                format!("variable `{}` not defined", v.name),
            )
        })
    }

    pub(super) fn set_item(
        &mut self,
        item: &ast::SetItem,
        scope: &Scope,
    ) -> Result<SetOp, PlanError> {
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

    pub(super) fn remove_item(
        &mut self,
        item: &ast::RemoveItem,
        scope: &Scope,
    ) -> Result<SetOp, PlanError> {
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
}

//! Matching a pattern against the graph for one input row: a depth-first search over the
//! planner's steps (start a component, expand a relationship, check a predicate), with
//! relationship uniqueness across the whole pattern, variable-length expansion, and
//! breadth-first search for shortest paths (`shortest.rs`).

use std::collections::{HashMap, VecDeque};

use crate::plan::logical::Shortest;
use crate::plan::logical::{Direction, MatchStep, NodeSource, Pattern, PatternNode, PatternRel};
use crate::storage::{self, Edge, GraphRead};
use crate::value::{Map, NodeId, Path, RelId, Value};

use super::context::Context;
use super::eval::{Slots, eval, is_true};
use super::{ExecError, node_ref, rel_ref, set_node_ref, set_rel_ref};

mod shortest;

use shortest::shortest;

/// Whether matching should go on after a row was emitted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flow {
    Continue,
    Stop,
}

pub type Emit<'e> = dyn FnMut(&mut Context<'_>, &mut Slots) -> Result<Flow, ExecError> + 'e;

/// One search of a pattern for one input row: the pattern and the parts it works in.
struct Search<'p> {
    pattern: &'p Pattern,
    parts: MatchScratch,
}

impl std::ops::Deref for Search<'_> {
    type Target = MatchScratch;
    fn deref(&self) -> &MatchScratch {
        &self.parts
    }
}

impl std::ops::DerefMut for Search<'_> {
    fn deref_mut(&mut self) -> &mut MatchScratch {
        &mut self.parts
    }
}

fn node_id(value: &Value) -> Option<NodeId> {
    match value {
        Value::Node(n) => Some(n.id),
        _ => None,
    }
}

pub(super) fn as_map(value: Value, what: &str) -> Result<Map, ExecError> {
    match value {
        Value::Map(m) => Ok(m.into_map()),
        Value::Null => Ok(Map::new()),
        other => Err(ExecError::Type(format!(
            "{what} properties must be a map, found {}",
            other.type_name()
        ))),
    }
}

/// True when the entity's properties include every entry of `wanted` (by openCypher equality).
pub(super) fn properties_match(
    graph: &dyn GraphRead,
    wanted: &Map,
    read: impl Fn(u32) -> Result<Value, storage::StorageError>,
) -> Result<bool, ExecError> {
    for (key, value) in wanted {
        let Some(k) = graph.key_id(key) else {
            return Ok(false);
        };
        if read(k)?.eq_cypher(value) != Some(true) {
            return Ok(false);
        }
    }
    Ok(true)
}

/// A pattern node's labels and property map resolved to ids once, to check many candidates.
/// `None` when no node can match (a label or key the graph does not have).
#[derive(Clone)]
pub(super) struct NodeCheck {
    labels: Vec<u32>,
    props: Vec<(u32, Value)>,
}

impl NodeCheck {
    /// `known_label`: a label every candidate has already (it came from that label's scan).
    pub(super) fn new(
        graph: &dyn GraphRead,
        node: &PatternNode,
        props: Option<&Map>,
        known_label: Option<&str>,
    ) -> Option<Self> {
        let mut labels = Vec::with_capacity(node.labels.len());
        for label in &node.labels {
            if Some(label.as_str()) == known_label {
                continue;
            }
            labels.push(graph.label_id(label)?);
        }
        let mut resolved = Vec::new();
        for (key, value) in props.into_iter().flatten() {
            resolved.push((graph.key_id(key)?, value.clone()));
        }
        Some(NodeCheck {
            labels,
            props: resolved,
        })
    }

    pub(super) fn matches(&self, graph: &dyn GraphRead, id: NodeId) -> Result<bool, ExecError> {
        for &label in &self.labels {
            if !graph.node_has_label(id, label)? {
                return Ok(false);
            }
        }
        for (key, value) in &self.props {
            if graph.node_property_equals(id, *key, value)? != Some(true) {
                return Ok(false);
            }
        }
        Ok(true)
    }
}

fn node_matches(
    ctx: &Context<'_>,
    node: &PatternNode,
    props: Option<&Map>,
    id: NodeId,
) -> Result<bool, ExecError> {
    let graph = ctx.read();
    match NodeCheck::new(graph, node, props, None) {
        Some(check) => check.matches(graph, id),
        None => Ok(false),
    }
}

/// Type ids of a relationship pattern; `None` when it names only types the graph lacks.
pub(super) fn type_ids(graph: &dyn GraphRead, rel: &PatternRel) -> Option<Vec<u32>> {
    if rel.types.is_empty() {
        return Some(Vec::new());
    }
    let ids: Vec<u32> = rel.types.iter().filter_map(|t| graph.type_id(t)).collect();
    if ids.is_empty() { None } else { Some(ids) }
}

pub(super) fn storage_direction(rel: &PatternRel, from: usize) -> storage::Direction {
    match (rel.direction, from == rel.left) {
        (Direction::Both, _) => storage::Direction::Both,
        (Direction::Outgoing, true) | (Direction::Incoming, false) => storage::Direction::Outgoing,
        (Direction::Outgoing, false) | (Direction::Incoming, true) => storage::Direction::Incoming,
    }
}

fn edge_value(edge: &Edge, from: NodeId) -> Value {
    match edge.direction {
        storage::Direction::Incoming => rel_ref(edge.rel, edge.other, from),
        _ => rel_ref(edge.rel, from, edge.other),
    }
}

/// `edge_value` written into `slot`, reusing the reference it holds.
fn set_edge_value(slot: &mut Value, edge: &Edge, from: NodeId) {
    match edge.direction {
        storage::Direction::Incoming => set_rel_ref(slot, edge.rel, edge.other, from),
        _ => set_rel_ref(slot, edge.rel, from, edge.other),
    }
}

/// What the searches of one pattern keep from one input row to the next, so that a search
/// per row (an OPTIONAL MATCH from a bound node) allocates nothing: its buffers, the type ids
/// resolved, and the checks of targets that have no property map (those depend only on names).
#[derive(Default)]
pub struct MatchScratch {
    /// The address of the pattern these were made for.
    pattern: usize,
    /// Pattern nodes assigned so far (bound ones from the start).
    assigned: Vec<bool>,
    /// Relationships used by the current partial match.
    used: Vec<RelId>,
    /// Property maps, evaluated when first needed (they may read earlier bindings).
    node_props: Vec<Option<Map>>,
    /// The checks of expansion targets: names resolved to ids and the property map evaluated.
    /// Only checks that can pass are kept, as a label or key the graph lacked may be created
    /// by the statement while the search runs.
    target_checks: Vec<Option<NodeCheck>>,
    /// Buffers of edges that finished expansions leave for the next ones.
    edge_buffers: Vec<Vec<Edge>>,
    /// The type ids of each pattern relationship, once every type it names exists.
    rel_types: Vec<Option<std::sync::Arc<[u32]>>>,
}

/// Runs the pattern for `row`, calling `emit` with each match written into the row.
pub fn match_pattern(
    ctx: &mut Context<'_>,
    pattern: &Pattern,
    row: &mut Slots,
    emit: &mut Emit<'_>,
) -> Result<Flow, ExecError> {
    match_pattern_reusing(ctx, pattern, row, emit, &mut MatchScratch::default())
}

/// `match_pattern` with what an earlier search of the same operator left in `scratch`.
pub fn match_pattern_reusing(
    ctx: &mut Context<'_>,
    pattern: &Pattern,
    row: &mut Slots,
    emit: &mut Emit<'_>,
    scratch: &mut MatchScratch,
) -> Result<Flow, ExecError> {
    let mut parts = std::mem::take(scratch);
    let address = std::ptr::from_ref(pattern) as usize;
    if parts.pattern != address {
        parts = MatchScratch {
            pattern: address,
            target_checks: std::iter::repeat_with(|| None)
                .take(pattern.nodes.len())
                .collect(),
            rel_types: vec![None; pattern.rels.len()],
            edge_buffers: std::mem::take(&mut parts.edge_buffers),
            ..MatchScratch::default()
        };
    }
    parts.assigned.clear();
    parts.assigned.extend(pattern.nodes.iter().map(|n| n.bound));
    parts.used.clear();
    parts.node_props.clear();
    parts.node_props.resize(pattern.nodes.len(), None);
    // A property map may read the row's bindings: its check is made again for each row.
    for (check, node) in parts.target_checks.iter_mut().zip(&pattern.nodes) {
        if node.properties.is_some() {
            *check = None;
        }
    }
    let mut search = Search { pattern, parts };
    // Bound relationships count as used: another pattern relationship may not match them again.
    for rel in &pattern.rels {
        if rel.bound
            && let Some(Value::Relationship(r)) = row.get(rel.slot)
        {
            search.used.push(r.id);
        }
    }
    let flow = step(ctx, &mut search, 0, row, emit);
    *scratch = search.parts;
    flow
}

fn props_for(
    ctx: &mut Context<'_>,
    search: &mut Search<'_>,
    node: usize,
    row: &mut Slots,
) -> Result<Option<Map>, ExecError> {
    ensure_props(ctx, search, node, row)?;
    Ok(search.node_props[node].clone())
}

/// Evaluates the property map of pattern node `node` if it has one and it is not yet known.
fn ensure_props(
    ctx: &mut Context<'_>,
    search: &mut Search<'_>,
    node: usize,
    row: &mut Slots,
) -> Result<(), ExecError> {
    if search.node_props[node].is_none()
        && let Some(expr) = &search.pattern.nodes[node].properties
    {
        search.node_props[node] = Some(as_map(eval(ctx, expr, row)?, "node")?);
    }
    Ok(())
}

fn step(
    ctx: &mut Context<'_>,
    search: &mut Search<'_>,
    index: usize,
    row: &mut Slots,
    emit: &mut Emit<'_>,
) -> Result<Flow, ExecError> {
    let pattern = search.pattern;
    let Some(current) = pattern.steps.get(index) else {
        bind_paths(ctx, pattern, row)?;
        return emit(ctx, row);
    };
    match current {
        MatchStep::Filter(expr) => {
            if !pattern.paths.is_empty() {
                // A predicate on a named path sees the path built from the bindings so far.
                bind_paths(ctx, pattern, row)?;
            }
            if is_true(&eval(ctx, expr, row)?)? {
                return step(ctx, search, index + 1, row, emit);
            }
            Ok(Flow::Continue)
        }
        MatchStep::Start { node, source } => {
            let pnode = &pattern.nodes[*node];
            let props = props_for(ctx, search, *node, row)?;
            let candidates: Vec<NodeId> = match source {
                NodeSource::Bound => match row.get(pnode.slot) {
                    Some(Value::Node(n)) => vec![n.id],
                    Some(Value::Null) | None => return Ok(Flow::Continue),
                    Some(other) => {
                        return Err(ExecError::Type(format!(
                            "expected a node, found {}",
                            other.type_name()
                        )));
                    }
                },
                NodeSource::AllNodes => ctx.read().all_nodes()?,
                NodeSource::Label(label) => match ctx.read().label_id(label) {
                    Some(l) => ctx.read().nodes_with_label(l)?,
                    None => return Ok(Flow::Continue),
                },
                NodeSource::Seek { label, key, value } => {
                    let value = eval(ctx, value, row)?;
                    let graph = ctx.read();
                    match (graph.label_id(label), graph.key_id(key)) {
                        (Some(l), Some(k)) if !value.is_null() => {
                            graph.nodes_by_property(l, k, &value)?
                        }
                        _ => return Ok(Flow::Continue),
                    }
                }
            };
            // A worker of a parallel run scans its part of the candidates.
            let part = match source {
                NodeSource::AllNodes | NodeSource::Label(_) => ctx.scan_part.take(),
                _ => None,
            };
            let candidates = match part {
                Some((part, parts)) => {
                    let n = candidates.len();
                    candidates[n * part / parts..n * (part + 1) / parts].to_vec()
                }
                None => candidates,
            };
            let known_label = match source {
                NodeSource::Label(l) | NodeSource::Seek { label: l, .. } => Some(l.as_str()),
                _ => None,
            };
            let Some(check) = NodeCheck::new(ctx.read(), pnode, props.as_ref(), known_label) else {
                return Ok(Flow::Continue);
            };
            let was_assigned = search.assigned[*node];
            for id in candidates {
                ctx.check_interrupt()?;
                if !check.matches(ctx.read(), id)? {
                    continue;
                }
                set_node_ref(&mut row[pnode.slot], id);
                search.assigned[*node] = true;
                let flow = step(ctx, search, index + 1, row, emit)?;
                search.assigned[*node] = was_assigned;
                if flow == Flow::Stop {
                    return Ok(Flow::Stop);
                }
            }
            Ok(Flow::Continue)
        }
        MatchStep::Expand { rel, from } => expand(ctx, search, index, *rel, *from, row, emit),
    }
}

#[allow(clippy::too_many_arguments)]
fn expand(
    ctx: &mut Context<'_>,
    search: &mut Search<'_>,
    index: usize,
    rel_index: usize,
    from: usize,
    row: &mut Slots,
    emit: &mut Emit<'_>,
) -> Result<Flow, ExecError> {
    let pattern = search.pattern;
    let prel = &pattern.rels[rel_index];
    let to = if from == prel.left {
        prel.right
    } else {
        prel.left
    };
    let Some(from_id) = row.get(pattern.nodes[from].slot).and_then(node_id) else {
        return Ok(Flow::Continue);
    };
    let types = match &search.rel_types[rel_index] {
        Some(types) => types.clone(),
        None => {
            let Some(types) = type_ids(ctx.read(), prel) else {
                return Ok(Flow::Continue);
            };
            let types: std::sync::Arc<[u32]> = types.into();
            // Kept once every named type exists: one the statement creates later is found.
            if types.len() == prel.types.len() {
                search.rel_types[rel_index] = Some(types.clone());
            }
            types
        }
    };
    let direction = storage_direction(prel, from);
    let rel_props = match &prel.properties {
        Some(e) => Some(as_map(eval(ctx, e, row)?, "relationship")?),
        None => None,
    };
    ensure_props(ctx, search, to, row)?;
    let to_assigned = search.assigned[to];
    let target_fixed = if to_assigned {
        row.get(pattern.nodes[to].slot).and_then(node_id)
    } else {
        None
    };
    if to_assigned && target_fixed.is_none() {
        return Ok(Flow::Continue);
    }

    if let Some(path) = pattern
        .paths
        .iter()
        .find(|p| p.shortest.is_some() && p.rels.contains(&rel_index))
    {
        let all = path.shortest == Some(Shortest::All);
        return shortest(
            ctx,
            search,
            index,
            prel,
            to,
            from_id,
            target_fixed,
            &types,
            direction,
            rel_props.as_ref(),
            search.node_props[to].clone().as_ref(),
            all,
            row,
            emit,
        );
    }

    let Some(length) = prel.length else {
        if search.target_checks[to].is_none() {
            let check = NodeCheck::new(
                ctx.read(),
                &pattern.nodes[to],
                search.node_props[to].as_ref(),
                None,
            );
            search.target_checks[to] = check;
        }
        let Some(to_check) = search.target_checks[to].take() else {
            return Ok(Flow::Continue);
        };
        let mut edges = search.edge_buffers.pop().unwrap_or_default();
        edges.clear();
        let flow = expand_edges(
            ctx,
            search,
            index,
            prel,
            to,
            (from_id, direction, &types),
            target_fixed,
            rel_props.as_ref(),
            &to_check,
            &mut edges,
            row,
            emit,
        );
        search.target_checks[to] = Some(to_check);
        search.edge_buffers.push(edges);
        return flow;
    };

    // Variable length: depth-first over trails (no relationship twice).
    let mut trail: Vec<Value> = Vec::new();
    var_length(
        ctx,
        search,
        index,
        prel,
        to,
        from_id,
        from_id,
        target_fixed,
        &types,
        direction,
        rel_props.as_ref(),
        search.node_props[to].clone().as_ref(),
        length.min,
        length.max,
        &mut trail,
        row,
        emit,
    )
}

/// One hop of `expand`: the edges from `from_id` (read into `edges`) whose relationship and
/// target pass, each written into the row and followed by the rest of the pattern.
#[allow(clippy::too_many_arguments)]
fn expand_edges(
    ctx: &mut Context<'_>,
    search: &mut Search<'_>,
    index: usize,
    prel: &PatternRel,
    to: usize,
    (from_id, direction, types): (NodeId, storage::Direction, &[u32]),
    target_fixed: Option<NodeId>,
    rel_props: Option<&Map>,
    to_check: &NodeCheck,
    edges: &mut Vec<Edge>,
    row: &mut Slots,
    emit: &mut Emit<'_>,
) -> Result<Flow, ExecError> {
    let pattern = search.pattern;
    let to_assigned = search.assigned[to];
    {
        ctx.read().expand(from_id, direction, types, edges)?;
        for edge in edges.iter() {
            ctx.check_interrupt()?;
            if !prel.bound && search.used.contains(&edge.rel) {
                continue;
            }
            if prel.bound {
                match row.get(prel.slot) {
                    Some(Value::Relationship(r)) if r.id == edge.rel => {}
                    _ => continue,
                }
            } else if let Some(p) = rel_props
                && !properties_match(ctx.read(), p, |k| ctx.read().rel_property(edge.rel, k))?
            {
                continue;
            }
            if target_fixed.is_some_and(|t| t != edge.other) {
                continue;
            }
            // A node bound before the pattern still has to carry the pattern's labels.
            if !to_check.matches(ctx.read(), edge.other)? {
                continue;
            }
            // The row's own references are rewritten in place: no allocation per edge.
            let saved_rel = if prel.bound {
                std::mem::replace(&mut row[prel.slot], edge_value(edge, from_id))
            } else {
                set_edge_value(&mut row[prel.slot], edge, from_id);
                Value::Null
            };
            set_node_ref(&mut row[pattern.nodes[to].slot], edge.other);
            search.used.push(edge.rel);
            search.assigned[to] = true;
            let flow = step(ctx, search, index + 1, row, emit)?;
            search.assigned[to] = to_assigned;
            search.used.pop();
            if prel.bound {
                row[prel.slot] = saved_rel;
            }
            if flow == Flow::Stop {
                return Ok(Flow::Stop);
            }
        }
    }
    Ok(Flow::Continue)
}

#[allow(clippy::too_many_arguments)]
fn var_length(
    ctx: &mut Context<'_>,
    search: &mut Search<'_>,
    index: usize,
    prel: &PatternRel,
    to: usize,
    at: NodeId,
    start: NodeId,
    target_fixed: Option<NodeId>,
    types: &[u32],
    direction: storage::Direction,
    rel_props: Option<&Map>,
    to_props: Option<&Map>,
    min: u64,
    max: Option<u64>,
    trail: &mut Vec<Value>,
    row: &mut Slots,
    emit: &mut Emit<'_>,
) -> Result<Flow, ExecError> {
    let pattern = search.pattern;
    let depth = trail.len() as u64;
    if depth >= min {
        let ok = target_fixed.is_none_or(|t| t == at)
            && node_matches(ctx, &pattern.nodes[to], to_props, at)?;
        if ok {
            let was = search.assigned[to];
            // The list runs in the pattern's order, from its left node to its right, whichever
            // end the expansion started from.
            let mut rels = trail.clone();
            if to == prel.left && to != prel.right {
                rels.reverse();
            }
            row[prel.slot] = Value::List(rels.into());
            row[pattern.nodes[to].slot] = node_ref(at);
            search.assigned[to] = true;
            let flow = step(ctx, search, index + 1, row, emit)?;
            search.assigned[to] = was;
            if flow == Flow::Stop {
                return Ok(Flow::Stop);
            }
        }
    }
    if max.is_some_and(|m| depth >= m) {
        return Ok(Flow::Continue);
    }
    let _ = start;
    let mut edges = Vec::new();
    ctx.read().expand(at, direction, types, &mut edges)?;
    for edge in edges {
        ctx.check_interrupt()?;
        if search.used.contains(&edge.rel) {
            continue;
        }
        if let Some(p) = rel_props
            && !properties_match(ctx.read(), p, |k| ctx.read().rel_property(edge.rel, k))?
        {
            continue;
        }
        search.used.push(edge.rel);
        trail.push(edge_value(&edge, at));
        let flow = var_length(
            ctx,
            search,
            index,
            prel,
            to,
            edge.other,
            start,
            target_fixed,
            types,
            direction,
            rel_props,
            to_props,
            min,
            max,
            trail,
            row,
            emit,
        )?;
        trail.pop();
        search.used.pop();
        if flow == Flow::Stop {
            return Ok(Flow::Stop);
        }
    }
    Ok(Flow::Continue)
}

/// Builds the named paths of a complete match.
fn bind_paths(ctx: &Context<'_>, pattern: &Pattern, row: &mut Slots) -> Result<(), ExecError> {
    let _ = ctx;
    for path in &pattern.paths {
        let Some(&first) = path.nodes.first() else {
            continue;
        };
        let Some(start) = row.get(pattern.nodes[first].slot).and_then(node_id) else {
            row[path.slot] = Value::Null;
            continue;
        };
        let mut nodes = vec![node_stub(start)];
        let mut rels = Vec::new();
        let mut at = start;
        for &r in &path.rels {
            let hops: Vec<Value> = match &row[pattern.rels[r].slot] {
                Value::List(items) => items.clone().into_vec(),
                Value::Null => {
                    row[path.slot] = Value::Null;
                    continue;
                }
                single => vec![single.clone()],
            };
            for hop in hops {
                let Value::Relationship(rel) = hop else {
                    continue;
                };
                let next = if rel.start == at { rel.end } else { rel.start };
                rels.push(*rel);
                nodes.push(node_stub(next));
                at = next;
            }
        }
        row[path.slot] = Value::Path(Box::new(Path {
            nodes,
            relationships: rels,
        }));
    }
    Ok(())
}

fn node_stub(id: NodeId) -> crate::value::Node {
    crate::value::Node {
        id,
        labels: Vec::new(),
        properties: Map::new(),
    }
}

//! Shortest paths (`shortestPath`, `allShortestPaths`): breadth-first search from the bound
//! end, bidirectional when both ends are bound, and binding the paths found.

use super::*;
/// Shortest paths by breadth-first search from `from_id`: to the fixed target, or to every
/// node that matches the target pattern node.
#[allow(clippy::too_many_arguments)]
pub(super) fn shortest(
    ctx: &mut Context<'_>,
    search: &mut Search<'_>,
    index: usize,
    prel: &PatternRel,
    to: usize,
    from_id: NodeId,
    target_fixed: Option<NodeId>,
    types: &[u32],
    direction: storage::Direction,
    rel_props: Option<&Map>,
    to_props: Option<&Map>,
    all: bool,
    row: &mut Slots,
    emit: &mut Emit<'_>,
) -> Result<Flow, ExecError> {
    let pattern = search.pattern;
    let length = prel
        .length
        .unwrap_or(crate::plan::logical::Length { min: 1, max: None });
    // One shortest path between two known nodes: search from both ends, which visits far fewer
    // nodes than a search from one end in a graph that fans out.
    if let Some(target) = target_fixed
        && !all
        && rel_props.is_none()
        && length.min == 1
        && target != from_id
    {
        if !node_matches(ctx, &pattern.nodes[to], to_props, target)? {
            return Ok(Flow::Continue);
        }
        let Some(rels) = bidirectional(ctx, from_id, target, types, direction, length.max)? else {
            return Ok(Flow::Continue);
        };
        return bind_shortest(ctx, search, index, prel, to, target, rels, row, emit);
    }
    // Distance and predecessors (node, edge) of every reached node.
    let mut dist: HashMap<NodeId, u64> = HashMap::new();
    let mut preds: HashMap<NodeId, Vec<(NodeId, Edge)>> = HashMap::new();
    let mut order = Vec::new();
    let mut queue = VecDeque::new();
    dist.insert(from_id, 0);
    queue.push_back(from_id);
    let mut edges = Vec::new();
    while let Some(node) = queue.pop_front() {
        ctx.check_interrupt()?;
        let d = dist[&node];
        order.push(node);
        if target_fixed == Some(node) || length.max.is_some_and(|m| d >= m) {
            continue;
        }
        edges.clear();
        ctx.read().expand(node, direction, types, &mut edges)?;
        for edge in &edges {
            if let Some(p) = rel_props
                && !properties_match(ctx.read(), p, |k| ctx.read().rel_property(edge.rel, k))?
            {
                continue;
            }
            match dist.get(&edge.other) {
                None => {
                    dist.insert(edge.other, d + 1);
                    preds.entry(edge.other).or_default().push((node, *edge));
                    queue.push_back(edge.other);
                }
                Some(&e) if e == d + 1 && all => {
                    preds.entry(edge.other).or_default().push((node, *edge))
                }
                _ => {}
            }
        }
    }
    let targets: Vec<NodeId> = match target_fixed {
        Some(t) => vec![t],
        None => order.clone(),
    };
    for target in targets {
        let Some(&d) = dist.get(&target) else {
            continue;
        };
        if d < length.min {
            continue;
        }
        if !node_matches(ctx, &pattern.nodes[to], to_props, target)? {
            continue;
        }
        // Every shortest path (or the first) from the start to the target, as relationship lists.
        let mut paths: Vec<Vec<Value>> = Vec::new();
        let mut stack: Vec<(NodeId, Vec<Value>)> = vec![(target, Vec::new())];
        while let Some((node, suffix)) = stack.pop() {
            if node == from_id {
                let mut rels = suffix;
                rels.reverse();
                paths.push(rels);
                if !all {
                    break;
                }
                continue;
            }
            for (prev, edge) in preds.get(&node).into_iter().flatten() {
                let mut next = suffix.clone();
                next.push(edge_value(edge, *prev));
                stack.push((*prev, next));
                if !all {
                    break;
                }
            }
        }
        for rels in paths {
            if bind_shortest(ctx, search, index, prel, to, target, rels, row, emit)? == Flow::Stop {
                return Ok(Flow::Stop);
            }
        }
    }
    Ok(Flow::Continue)
}

/// Binds one shortest path (its relationships and end node) and matches the rest.
#[allow(clippy::too_many_arguments)]
fn bind_shortest(
    ctx: &mut Context<'_>,
    search: &mut Search<'_>,
    index: usize,
    prel: &PatternRel,
    to: usize,
    target: NodeId,
    mut rels: Vec<Value>,
    row: &mut Slots,
    emit: &mut Emit<'_>,
) -> Result<Flow, ExecError> {
    // In the pattern's order, from its left node to its right, whichever end the search
    // started from.
    if to == prel.left && to != prel.right {
        rels.reverse();
    }
    let was = search.assigned[to];
    row[prel.slot] =
        if prel.length.is_some_and(|l| l.min == 1 && l.max == Some(1)) && rels.len() == 1 {
            rels.into_iter().next().unwrap_or(Value::Null)
        } else {
            Value::List(rels.into())
        };
    row[search.pattern.nodes[to].slot] = node_ref(target);
    search.assigned[to] = true;
    let flow = step(ctx, search, index + 1, row, emit)?;
    search.assigned[to] = was;
    Ok(flow)
}

fn reverse(direction: storage::Direction) -> storage::Direction {
    match direction {
        storage::Direction::Outgoing => storage::Direction::Incoming,
        storage::Direction::Incoming => storage::Direction::Outgoing,
        storage::Direction::Both => storage::Direction::Both,
    }
}

/// A shortest path from `from` to `to` of at most `max` hops by breadth-first search from both
/// ends, one level at a time on the smaller frontier; the relationships in path order.
fn bidirectional(
    ctx: &Context<'_>,
    from: NodeId,
    to: NodeId,
    types: &[u32],
    direction: storage::Direction,
    max: Option<u64>,
) -> Result<Option<Vec<Value>>, ExecError> {
    let graph = ctx.read();
    // For each reached node: its distance and the (neighbour towards the origin, edge) it was
    // reached by.
    let mut forward: HashMap<NodeId, (u64, Option<(NodeId, Edge)>)> = HashMap::new();
    let mut backward: HashMap<NodeId, (u64, Option<(NodeId, Edge)>)> = HashMap::new();
    forward.insert(from, (0, None));
    backward.insert(to, (0, None));
    let mut forward_frontier = vec![from];
    let mut backward_frontier = vec![to];
    let (mut forward_depth, mut backward_depth) = (0u64, 0u64);
    let mut edges = Vec::new();
    let meeting = loop {
        if forward_frontier.is_empty() || backward_frontier.is_empty() {
            return Ok(None);
        }
        if max.is_some_and(|m| forward_depth + backward_depth >= m) {
            return Ok(None);
        }
        let expand_forward = forward_frontier.len() <= backward_frontier.len();
        let (frontier, seen, other, dir, depth) = if expand_forward {
            (
                &mut forward_frontier,
                &mut forward,
                &backward,
                direction,
                &mut forward_depth,
            )
        } else {
            (
                &mut backward_frontier,
                &mut backward,
                &forward,
                reverse(direction),
                &mut backward_depth,
            )
        };
        *depth += 1;
        let mut next = Vec::new();
        let mut best: Option<(u64, NodeId)> = None;
        for &node in frontier.iter() {
            edges.clear();
            graph.expand(node, dir, types, &mut edges)?;
            for edge in &edges {
                if seen.contains_key(&edge.other) {
                    continue;
                }
                seen.insert(edge.other, (*depth, Some((node, *edge))));
                next.push(edge.other);
                if let Some((d, _)) = other.get(&edge.other)
                    && best.is_none_or(|(b, _)| *d < b)
                {
                    best = Some((*d, edge.other));
                }
            }
        }
        *frontier = next;
        if let Some((_, node)) = best {
            break node;
        }
    };
    // From the meeting node back to the start, then on to the target.
    let mut rels = Vec::new();
    let mut at = meeting;
    while let Some((_, Some((prev, edge)))) = forward.get(&at) {
        rels.push(edge_value(edge, *prev));
        at = *prev;
    }
    rels.reverse();
    let mut at = meeting;
    while let Some((_, Some((next, edge)))) = backward.get(&at) {
        rels.push(edge_value(edge, *next));
        at = *next;
    }
    Ok(Some(rels))
}

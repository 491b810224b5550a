//! The coverage procedures: who on our side and on the customer's side holds each relationship
//! (`crm.keyPersonRisk`, `crm.singleThreaded`, `crm.keepInTouch`) and how to reach someone
//! (`crm.warmPath`). Knows nothing of the query language.

use std::collections::{BTreeSet, HashMap, HashSet};

use crate::procedure::{ProcedureContext, ProcedureError};
use crate::storage::{Direction, Edge};
use crate::value::{Node, NodeId, Path, Relationship, Value};

use super::view::{Options, View, node, strings};

type Rows = Result<Vec<Vec<Value>>, ProcedureError>;

/// Whether a staff member is active (`active = true`), cached: staff are few and met often.
struct StaffActive<'v, 'g> {
    view: &'v View<'g>,
    cache: HashMap<NodeId, bool>,
}

impl<'v, 'g> StaffActive<'v, 'g> {
    fn new(view: &'v View<'g>) -> Self {
        StaffActive {
            view,
            cache: HashMap::new(),
        }
    }

    /// Whether `n` is a Staff node with `active = true`.
    fn check(&mut self, n: NodeId) -> Result<bool, ProcedureError> {
        if let Some(b) = self.cache.get(&n) {
            return Ok(*b);
        }
        let b = self.view.has_label(n, "Staff")?
            && matches!(self.view.prop(n, "active")?, Value::Bool(true));
        self.cache.insert(n, b);
        Ok(b)
    }
}

/// `crm.keyPersonRisk({days})`.
pub fn key_person_risk(args: &[Value], ctx: &mut dyn ProcedureContext) -> Rows {
    let opts = Options::parse("crm.keyPersonRisk", args, 0, &["days"])?;
    let days = opts.int("days", 365)?;
    let clock = opts.clock(ctx)?;
    let since_at = clock.instant_days_ago(days);
    let since_day = clock.days_ago(days);
    let view = View::new(ctx.graph());
    let mut active = StaffActive::new(&view);
    let mut rows: Vec<(f64, Vec<Value>)> = Vec::new();
    for c in view.active_customers()? {
        let mut people: BTreeSet<NodeId> = BTreeSet::new();
        for e in view.edges(c, "SERVES", Direction::Incoming)? {
            if view.rel_prop(&e, "until")?.is_null() && active.check(e.other)? {
                people.insert(e.other);
            }
        }
        for i in view.out(c, "HAS_INTERACTION")? {
            if !view.has_label(i, "Interaction")? {
                continue;
            }
            if view.instant_prop(i, "at")?.is_none_or(|at| at < since_at) {
                continue;
            }
            for s in view.inc(i, "PARTICIPATED_IN")? {
                if active.check(s)? {
                    people.insert(s);
                    if people.len() > 1 {
                        break;
                    }
                }
            }
            if people.len() > 1 {
                break;
            }
        }
        if people.len() != 1 {
            continue;
        }
        let staff = *people.iter().next().unwrap_or(&c);
        let revenue = view.revenue(c, Some(since_day))?;
        let (opps, pipeline) = view.open_pipeline(c)?;
        let mut open_tickets = 0i64;
        for t in view.out(c, "RAISED")? {
            if view.has_label(t, "Ticket")? && view.prop(t, "closedAt")?.is_null() {
                open_tickets += 1;
            }
        }
        let mut open_commitments = 0i64;
        for p in view.out(staff, "MADE")? {
            if view.has_label(p, "Commitment")?
                && view.is(p, "status", "open")?
                && view.out(p, "OWED_TO")?.contains(&c)
            {
                open_commitments += 1;
            }
        }
        rows.push((
            revenue,
            vec![
                node(c),
                node(staff),
                Value::Float(revenue),
                Value::Int(opps),
                Value::Float(pipeline),
                Value::Int(open_tickets),
                Value::Int(open_commitments),
            ],
        ));
    }
    rows.sort_by(|a, b| b.0.total_cmp(&a.0));
    Ok(rows.into_iter().map(|r| r.1).collect())
}

/// `crm.singleThreaded({days})`.
pub fn single_threaded(args: &[Value], ctx: &mut dyn ProcedureContext) -> Rows {
    let opts = Options::parse("crm.singleThreaded", args, 0, &["days"])?;
    let days = opts.int("days", 180)?;
    let clock = opts.clock(ctx)?;
    let since_at = clock.instant_days_ago(days);
    let view = View::new(ctx.graph());
    let mut rows: Vec<(f64, Vec<Value>)> = Vec::new();
    for c in view.active_customers()? {
        let mut engaged: BTreeSet<NodeId> = BTreeSet::new();
        for i in view.out(c, "HAS_INTERACTION")? {
            if !view.has_label(i, "Interaction")?
                || view.instant_prop(i, "at")?.is_none_or(|at| at < since_at)
            {
                continue;
            }
            for p in view.inc(i, "PARTICIPATED_IN")? {
                if view.has_label(p, "Contact")? {
                    engaged.insert(p);
                }
            }
        }
        let mut current: HashSet<NodeId> = HashSet::new();
        for e in view.edges(c, "WORKS_AT", Direction::Incoming)? {
            if view.rel_prop(&e, "until")?.is_null() && view.has_label(e.other, "Contact")? {
                current.insert(e.other);
            }
        }
        if engaged.len() != 1 && current.len() > 1 {
            continue;
        }
        let (opps, pipeline) = view.open_pipeline(c)?;
        let mut names = Vec::new();
        for p in &engaged {
            if let Some(n) = view.str_prop(*p, "name")? {
                names.push(n);
            }
        }
        names.sort();
        rows.push((
            pipeline,
            vec![
                node(c),
                strings(names),
                Value::Int(i64::try_from(current.len()).unwrap_or(i64::MAX)),
                Value::Int(opps),
                Value::Float(pipeline),
            ],
        ));
    }
    rows.sort_by(|a, b| b.0.total_cmp(&a.0));
    Ok(rows.into_iter().map(|r| r.1).collect())
}

/// `crm.keepInTouch({days, salesDays})`.
pub fn keep_in_touch(args: &[Value], ctx: &mut dyn ProcedureContext) -> Rows {
    let opts = Options::parse("crm.keepInTouch", args, 0, &["days", "salesDays"])?;
    let days = opts.int("days", 120)?;
    let sales_days = opts.int("salesDays", 180)?;
    let clock = opts.clock(ctx)?;
    let quiet_since = clock.instant_days_ago(days);
    let sales_since = clock.instant_days_ago(sales_days);
    let view = View::new(ctx.graph());
    let mut rows: Vec<(i64, Vec<Value>)> = Vec::new();
    for c in view.active_customers()? {
        let mut pushes = 0i64;
        let mut last: Option<(chrono::NaiveDateTime, Value)> = None;
        for i in view.out(c, "HAS_INTERACTION")? {
            if !view.has_label(i, "Interaction")? || !view.is(i, "direction", "outbound")? {
                continue;
            }
            let at_value = view.prop(i, "at")?;
            let at = match &at_value {
                Value::DateTime(d) => Some(d.utc()),
                _ => None,
            };
            match view.str_prop(i, "purpose")? {
                Some(p) if p == "sales" => {
                    pushes += i64::from(at.is_some_and(|a| a >= sales_since));
                }
                Some(_) => {
                    if let Some(a) = at
                        && last.as_ref().is_none_or(|(l, _)| a > *l)
                    {
                        last = Some((a, at_value));
                    }
                }
                None => {}
            }
        }
        if last.as_ref().is_some_and(|(l, _)| *l >= quiet_since) {
            continue;
        }
        let mut primary = Vec::new();
        for e in view.edges(c, "SERVES", Direction::Incoming)? {
            if view.rel_prop(&e, "until")?.is_null()
                && matches!(view.rel_prop(&e, "isPrimary")?, Value::Bool(true))
                && view.has_label(e.other, "Staff")?
                && let Some(n) = view.str_prop(e.other, "name")?
            {
                primary.push(n);
            }
        }
        primary.sort();
        rows.push((
            pushes,
            vec![
                node(c),
                last.map_or(Value::Null, |l| l.1),
                Value::Int(pushes),
                strings(primary),
            ],
        ));
    }
    rows.sort_by_key(|r| std::cmp::Reverse(r.0));
    Ok(rows.into_iter().map(|r| r.1).collect())
}

/// The relationship types an introduction can travel along, either way.
pub const WARM_TYPES: &[&str] = &["KNOWS", "PARTICIPATED_IN", "WORKS_AT", "REFERRED", "SERVES"];

/// The node a `crm.warmPath` target names: a node, or the `id` of a Contact or Customer.
fn target_node(view: &View<'_>, target: &Value) -> Result<Option<NodeId>, ProcedureError> {
    match target {
        Value::Node(n) => Ok(Some(n.id)),
        Value::String(_) => {
            for label in ["Contact", "Customer"] {
                if let (Some(l), Some(k)) = (view.graph.label_id(label), view.graph.key_id("id")) {
                    let found = view.graph.nodes_by_property(l, k, target)?;
                    if let Some(n) = found.first() {
                        return Ok(Some(*n));
                    }
                }
            }
            Ok(None)
        }
        Value::Null => Ok(None),
        other => Err(ProcedureError::Type(format!(
            "crm.warmPath() takes a node or an id string as its target, found {}",
            other.type_name()
        ))),
    }
}

/// `crm.warmPath(target, {maxHops})`: breadth first from the target until the nearest level
/// holding active staff; one row per active staff member at that distance, each with one
/// shortest path (from the staff member to the target).
pub fn warm_path(args: &[Value], ctx: &mut dyn ProcedureContext) -> Rows {
    let opts = Options::parse("crm.warmPath", args, 1, &["maxHops"])?;
    let max_hops = opts.int("maxHops", 4)?;
    let view = View::new(ctx.graph());
    let Some(target) = target_node(&view, args.first().unwrap_or(&Value::Null))? else {
        return Ok(Vec::new());
    };
    if !view.graph.node_exists(target)? {
        return Ok(Vec::new());
    }
    let types: Vec<_> = WARM_TYPES.iter().filter_map(|t| view.type_id(t)).collect();
    if types.is_empty() {
        return Ok(Vec::new());
    }
    let mut active = StaffActive::new(&view);
    // parent[n] = the edge by which n was first reached, walking away from the target.
    let mut parent: HashMap<NodeId, Option<Edge>> = HashMap::new();
    parent.insert(target, None);
    let mut level = vec![target];
    let mut found: Vec<NodeId> = Vec::new();
    let mut hops = 0;
    let mut edges = Vec::new();
    while found.is_empty() && !level.is_empty() && hops < max_hops {
        hops += 1;
        let mut next = Vec::new();
        for n in level {
            edges.clear();
            view.graph.expand(n, Direction::Both, &types, &mut edges)?;
            for e in &edges {
                if parent.contains_key(&e.other) {
                    continue;
                }
                parent.insert(e.other, Some(Edge { other: n, ..*e }));
                if active.check(e.other)? {
                    found.push(e.other);
                }
                next.push(e.other);
            }
        }
        level = next;
    }
    found.sort();
    let mut rows = Vec::new();
    for staff in found {
        rows.push(vec![
            node(staff),
            Value::Int(hops),
            Value::Path(Box::new(walk(&view, staff, &parent)?)),
        ]);
    }
    Ok(rows)
}

/// The path from `start` back to the root of the breadth-first tree.
fn walk(
    view: &View<'_>,
    start: NodeId,
    parent: &HashMap<NodeId, Option<Edge>>,
) -> Result<Path, ProcedureError> {
    let reference = |id| Node {
        id,
        labels: Vec::new(),
        properties: crate::value::Map::new(),
    };
    let mut nodes = vec![reference(start)];
    let mut relationships = Vec::new();
    let mut at = start;
    while let Some(Some(edge)) = parent.get(&at) {
        let info = view.graph.relationship(edge.rel)?;
        let (s, e) = info.map_or((at, edge.other), |i| (i.start, i.end));
        relationships.push(Relationship {
            id: edge.rel,
            rel_type: String::new(),
            start: s,
            end: e,
            properties: crate::value::Map::new(),
        });
        at = edge.other;
        nodes.push(reference(at));
    }
    Ok(Path {
        nodes,
        relationships,
    })
}

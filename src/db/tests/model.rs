//! Model-based test of the store: random sequences of writes, commits, rollbacks, savepoints,
//! checkpoints and reopens are applied to a real database and to a plain in-memory model
//! (`BTreeMap`s), and after every step everything readable is compared: nodes with labels and
//! properties, relationships with endpoints and properties, adjacency in each direction, label
//! scans, property lookups (indexed and not) and counts, both inside the open transaction and
//! in a fresh snapshot of the committed state.
//!
//! Most cases run on sled, some with a tiny `checkpoint_after_ops` so that automatic
//! checkpoints land in the middle of sequences; a quarter run on the in-memory store (where
//! `Reopen` is skipped). `PROPTEST_CASES` overrides the number of cases; failing cases are
//! kept in `tests/model.proptest-regressions`.

use std::collections::{BTreeMap, BTreeSet};

use crate::db::GraphReadExt;
use crate::storage::{Direction, GraphRead, GraphWrite, OpenOptions, Savepoint, Store};
use crate::{NodeId, RelId, Value, WriteTxn};
use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;

const LABELS: [&str; 3] = ["A", "B", "C"];
const TYPES: [&str; 2] = ["R", "S"];
/// `id` has the engine's implicit index on every label; `k` gets a user index on `A`; `p` has none.
const KEYS: [&str; 3] = ["id", "k", "p"];

fn values() -> Vec<Value> {
    vec![
        Value::Int(1),
        Value::Float(1.0),
        Value::Int(2),
        Value::Float(f64::NAN),
        Value::String(String::new().into()),
        Value::String("x".into()),
        Value::Bool(true),
        Value::List(vec![Value::Int(1), Value::String("y".into())].into()),
    ]
}

#[derive(Debug, Clone)]
enum Op {
    CreateNode {
        labels: Vec<usize>,
        props: Vec<(usize, usize)>,
    },
    CreateRel {
        src: usize,
        dst: usize,
        rel_type: usize,
        props: Vec<(usize, usize)>,
    },
    /// `value: None` sets `Null`, which removes the property.
    SetNodeProperty {
        node: usize,
        key: usize,
        value: Option<usize>,
    },
    AddLabel {
        node: usize,
        label: usize,
    },
    RemoveLabel {
        node: usize,
        label: usize,
    },
    DeleteNode {
        node: usize,
    },
    DetachDelete {
        node: usize,
    },
    DeleteRel {
        rel: usize,
    },
    SetRelProperty {
        rel: usize,
        key: usize,
        value: Option<usize>,
    },
    Commit,
    Rollback,
    Savepoint,
    RollbackTo,
    Checkpoint,
    Reopen,
}

fn props_strategy() -> impl Strategy<Value = Vec<(usize, usize)>> {
    prop::collection::vec((0..KEYS.len(), 0..values().len()), 0..3)
}

fn op_strategy() -> impl Strategy<Value = Op> {
    let n = values().len();
    // Node and relationship references are indexes into every id ever created (live or not),
    // reduced modulo their number, so some ops hit deleted ids on purpose.
    prop_oneof![
        6 => (prop::collection::vec(0..LABELS.len(), 0..3), props_strategy())
            .prop_map(|(labels, props)| Op::CreateNode { labels, props }),
        5 => (any::<usize>(), any::<usize>(), 0..TYPES.len(), props_strategy()).prop_map(
            |(src, dst, rel_type, props)| Op::CreateRel { src, dst, rel_type, props }
        ),
        5 => (any::<usize>(), 0..KEYS.len(), prop::option::weighted(0.8, 0..n))
            .prop_map(|(node, key, value)| Op::SetNodeProperty { node, key, value }),
        2 => (any::<usize>(), 0..LABELS.len()).prop_map(|(node, label)| Op::AddLabel { node, label }),
        2 => (any::<usize>(), 0..LABELS.len())
            .prop_map(|(node, label)| Op::RemoveLabel { node, label }),
        1 => any::<usize>().prop_map(|node| Op::DeleteNode { node }),
        1 => any::<usize>().prop_map(|node| Op::DetachDelete { node }),
        2 => any::<usize>().prop_map(|rel| Op::DeleteRel { rel }),
        2 => (any::<usize>(), 0..KEYS.len(), prop::option::weighted(0.8, 0..n))
            .prop_map(|(rel, key, value)| Op::SetRelProperty { rel, key, value }),
        4 => Just(Op::Commit),
        1 => Just(Op::Rollback),
        1 => Just(Op::Savepoint),
        1 => Just(Op::RollbackTo),
        2 => Just(Op::Checkpoint),
        1 => Just(Op::Reopen),
    ]
}

#[derive(Debug, Clone, Default)]
struct MNode {
    labels: BTreeSet<&'static str>,
    props: BTreeMap<&'static str, Value>,
}

#[derive(Debug, Clone)]
struct MRel {
    rel_type: &'static str,
    src: NodeId,
    dst: NodeId,
    props: BTreeMap<&'static str, Value>,
}

/// The model: what the graph should be.
#[derive(Debug, Clone, Default)]
struct Model {
    nodes: BTreeMap<NodeId, MNode>,
    rels: BTreeMap<RelId, MRel>,
}

impl Model {
    fn has_rels(&self, node: NodeId) -> bool {
        self.rels.values().any(|r| r.src == node || r.dst == node)
    }
}

fn set_prop(props: &mut BTreeMap<&'static str, Value>, key: &'static str, value: Value) {
    if value.is_null() {
        props.remove(key);
    } else {
        props.insert(key, value);
    }
}

struct Harness {
    db: Option<Store>,
    path: Option<tempfile::TempDir>,
    options: OpenOptions,
    committed: Model,
    /// The open transaction and the model of its state, with the savepoint if one was taken.
    tx: Option<(WriteTxn, Model)>,
    savepoint: Option<(Savepoint, Model)>,
    /// Every id ever handed out (ids of rolled-back creations included).
    node_ids: Vec<NodeId>,
    rel_ids: Vec<RelId>,
}

impl Harness {
    fn new(sled: bool, checkpoint_after_ops: Option<usize>) -> Harness {
        let mut options = OpenOptions::default();
        if let Some(n) = checkpoint_after_ops {
            options.checkpoint_after_ops = n;
        }
        let (db, path) = if sled {
            let dir = tempfile::tempdir().unwrap();
            (
                Store::open(&dir.path().join("db"), options.clone()).unwrap(),
                Some(dir),
            )
        } else {
            (Store::in_memory(options.clone()).unwrap(), None)
        };
        let h = Harness {
            db: Some(db),
            path,
            options,
            committed: Model::default(),
            tx: None,
            savepoint: None,
            node_ids: Vec::new(),
            rel_ids: Vec::new(),
        };
        // The user index on (A, k), created up front so that lookups use it.
        let mut tx = h.db().begin_write().unwrap();
        tx.create_index(None, "A", "k").unwrap();
        tx.intern_label("B").unwrap();
        tx.intern_label("C").unwrap();
        for t in TYPES {
            tx.intern_type(t).unwrap();
        }
        for k in KEYS {
            tx.intern_key(k).unwrap();
        }
        tx.commit().unwrap();
        h
    }

    fn db(&self) -> &Store {
        self.db.as_ref().unwrap()
    }

    fn tx(&mut self) -> &mut (WriteTxn, Model) {
        if self.tx.is_none() {
            let tx = self.db().begin_write().unwrap();
            self.tx = Some((tx, self.committed.clone()));
        }
        self.tx.as_mut().unwrap()
    }

    fn node_ref(&self, i: usize) -> Option<NodeId> {
        (!self.node_ids.is_empty()).then(|| self.node_ids[i % self.node_ids.len()])
    }

    fn rel_ref(&self, i: usize) -> Option<RelId> {
        (!self.rel_ids.is_empty()).then(|| self.rel_ids[i % self.rel_ids.len()])
    }

    fn commit(&mut self) {
        self.savepoint = None;
        if let Some((tx, model)) = self.tx.take() {
            tx.commit().unwrap();
            self.committed = model;
        }
    }

    fn apply(&mut self, op: &Op) -> Result<(), TestCaseError> {
        let vals = values();
        match op {
            Op::CreateNode { labels, props } => {
                let labels: Vec<&'static str> = labels.iter().map(|&l| LABELS[l]).collect();
                let props: Vec<(&'static str, Value)> = props
                    .iter()
                    .map(|&(k, v)| (KEYS[k], vals[v].clone()))
                    .collect();
                let (tx, model) = self.tx();
                let id = tx.add_node(&labels, &props).unwrap();
                let mut node = MNode::default();
                node.labels.extend(labels);
                // Duplicate keys: the store keeps the first.
                for (k, v) in props.into_iter().rev() {
                    set_prop(&mut node.props, k, v);
                }
                prop_assert!(
                    model.nodes.insert(id, node).is_none(),
                    "node id {id} reused"
                );
                self.node_ids.push(id);
            }
            Op::CreateRel {
                src,
                dst,
                rel_type,
                props,
            } => {
                let (Some(src), Some(dst)) = (self.node_ref(*src), self.node_ref(*dst)) else {
                    return Ok(());
                };
                let props: Vec<(&'static str, Value)> = props
                    .iter()
                    .map(|&(k, v)| (KEYS[k], vals[v].clone()))
                    .collect();
                let (tx, model) = self.tx();
                let result = tx.add_relationship(TYPES[*rel_type], src, dst, &props);
                let live = model.nodes.contains_key(&src) && model.nodes.contains_key(&dst);
                prop_assert_eq!(result.is_ok(), live, "create rel {:?}->{:?}", src, dst);
                if let Ok(id) = result {
                    let mut rel = MRel {
                        rel_type: TYPES[*rel_type],
                        src,
                        dst,
                        props: BTreeMap::new(),
                    };
                    for (k, v) in props.into_iter().rev() {
                        set_prop(&mut rel.props, k, v);
                    }
                    prop_assert!(model.rels.insert(id, rel).is_none(), "rel id {id} reused");
                    self.rel_ids.push(id);
                }
            }
            Op::SetNodeProperty { node, key, value } => {
                let Some(node) = self.node_ref(*node) else {
                    return Ok(());
                };
                let value = value.map_or(Value::Null, |v| vals[v].clone());
                let (tx, model) = self.tx();
                let result = tx.set_property(node, KEYS[*key], value.clone());
                match model.nodes.get_mut(&node) {
                    Some(n) => {
                        prop_assert!(result.is_ok(), "set {node:?}: {result:?}");
                        set_prop(&mut n.props, KEYS[*key], value);
                    }
                    None => prop_assert!(result.is_err(), "set on deleted node {node:?}"),
                }
            }
            Op::AddLabel { node, label } | Op::RemoveLabel { node, label } => {
                let Some(node) = self.node_ref(*node) else {
                    return Ok(());
                };
                let add = matches!(op, Op::AddLabel { .. });
                let (tx, model) = self.tx();
                let result = if add {
                    tx.label_node(node, LABELS[*label])
                } else {
                    tx.unlabel_node(node, LABELS[*label])
                };
                match model.nodes.get_mut(&node) {
                    Some(n) => {
                        let changed = if add {
                            n.labels.insert(LABELS[*label])
                        } else {
                            n.labels.remove(LABELS[*label])
                        };
                        prop_assert_eq!(result.ok(), Some(changed), "label op on {:?}", node);
                    }
                    None => prop_assert!(result.is_err(), "label op on deleted node {node:?}"),
                }
            }
            Op::DeleteNode { node } => {
                let Some(node) = self.node_ref(*node) else {
                    return Ok(());
                };
                let (tx, model) = self.tx();
                let result = tx.delete_node(node);
                let ok = model.nodes.contains_key(&node) && !model.has_rels(node);
                prop_assert_eq!(result.is_ok(), ok, "delete {:?}: {:?}", node, result);
                if ok {
                    model.nodes.remove(&node);
                }
            }
            Op::DetachDelete { node } => {
                let Some(node) = self.node_ref(*node) else {
                    return Ok(());
                };
                let (tx, model) = self.tx();
                let result = tx.detach_delete_node(node);
                if model.nodes.remove(&node).is_some() {
                    let before = model.rels.len();
                    model.rels.retain(|_, r| r.src != node && r.dst != node);
                    let removed = (before - model.rels.len()) as u64;
                    prop_assert_eq!(result.ok(), Some(removed), "detach delete {:?}", node);
                } else {
                    prop_assert!(result.is_err(), "detach delete of deleted {node:?}");
                }
            }
            Op::DeleteRel { rel } => {
                let Some(rel) = self.rel_ref(*rel) else {
                    return Ok(());
                };
                let (tx, model) = self.tx();
                let result = tx.delete_relationship(rel);
                let live = model.rels.remove(&rel).is_some();
                prop_assert_eq!(result.is_ok(), live, "delete rel {:?}: {:?}", rel, result);
            }
            Op::SetRelProperty { rel, key, value } => {
                let Some(rel) = self.rel_ref(*rel) else {
                    return Ok(());
                };
                let value = value.map_or(Value::Null, |v| vals[v].clone());
                let (tx, model) = self.tx();
                let key_id = tx.intern_key(KEYS[*key]).unwrap();
                let result = tx.set_rel_property(rel, key_id, value.clone());
                match model.rels.get_mut(&rel) {
                    Some(r) => {
                        prop_assert!(result.is_ok(), "set rel {rel:?}: {result:?}");
                        set_prop(&mut r.props, KEYS[*key], value);
                    }
                    None => prop_assert!(result.is_err(), "set on deleted rel {rel:?}"),
                }
            }
            Op::Commit => self.commit(),
            Op::Rollback => {
                self.savepoint = None;
                if let Some((tx, _)) = self.tx.take() {
                    tx.rollback();
                }
            }
            Op::Savepoint => {
                let (tx, model) = self.tx();
                let saved = (tx.savepoint(), model.clone());
                self.savepoint = Some(saved);
            }
            Op::RollbackTo => {
                if let (Some((savepoint, saved)), Some((tx, model))) =
                    (self.savepoint.take(), self.tx.as_mut())
                {
                    tx.rollback_to(savepoint.clone());
                    *model = saved.clone();
                    self.savepoint = Some((savepoint, saved));
                }
            }
            Op::Checkpoint => {
                self.commit();
                self.db().checkpoint().unwrap();
            }
            Op::Reopen => {
                let Some(dir) = &self.path else {
                    return Ok(());
                };
                let path = dir.path().join("db");
                self.savepoint = None;
                self.tx = None;
                let db = self.db.take().unwrap();
                // Alternate a clean close with a drop that leaves the log to replay.
                if self.node_ids.len().is_multiple_of(2) {
                    db.close().unwrap();
                } else {
                    drop(db);
                }
                self.db = Some(Store::open(&path, self.options.clone()).unwrap());
            }
        }
        Ok(())
    }

    fn check(&self, step: usize) -> Result<(), TestCaseError> {
        let snap = self.db().snapshot();
        compare(&snap, &self.committed)
            .map_err(|e| TestCaseError::fail(format!("step {step}, committed state: {e}")))?;
        if let Some((tx, model)) = &self.tx {
            compare(tx, model)
                .map_err(|e| TestCaseError::fail(format!("step {step}, open transaction: {e}")))?;
        }
        Ok(())
    }
}

type Sighting = (RelId, NodeId, bool, String);

fn model_edges(model: &Model, node: NodeId, direction: Direction) -> Vec<Sighting> {
    let mut out = Vec::new();
    for (id, r) in &model.rels {
        let outgoing = r.src == node;
        let incoming = r.dst == node;
        let t = r.rel_type.to_owned();
        match direction {
            Direction::Outgoing if outgoing => out.push((*id, r.dst, true, t)),
            Direction::Incoming if incoming => out.push((*id, r.src, false, t)),
            Direction::Both if outgoing => out.push((*id, r.dst, true, t)),
            Direction::Both if incoming => out.push((*id, r.src, false, t)),
            _ => {}
        }
    }
    out.sort();
    out
}

fn exact_props(props: &BTreeMap<&'static str, Value>) -> Vec<(String, String)> {
    props
        .iter()
        .map(|(k, v)| ((*k).to_owned(), format!("{v:?}")))
        .collect()
}

fn exact_map(props: &crate::Map) -> Vec<(String, String)> {
    props
        .iter()
        .map(|(k, v)| (k.clone(), format!("{v:?}")))
        .collect()
}

/// Compares everything readable in `g` with the model; the error says what differs.
fn compare(g: &impl GraphRead, model: &Model) -> Result<(), String> {
    let fail = |what: String| Err::<(), String>(what);
    let all_nodes = g.all_nodes().map_err(|e| e.to_string())?;
    let model_nodes: Vec<NodeId> = model.nodes.keys().copied().collect();
    if all_nodes != model_nodes {
        return fail(format!("all_nodes {all_nodes:?} != {model_nodes:?}"));
    }
    for (id, m) in &model.nodes {
        let n = g
            .node(*id)
            .map_err(|e| e.to_string())?
            .ok_or(format!("node {id} missing"))?;
        let labels: BTreeSet<&str> = n.labels.iter().map(String::as_str).collect();
        let want: BTreeSet<&str> = m.labels.iter().copied().collect();
        if labels != want || labels.len() != n.labels.len() {
            return fail(format!("labels of {id}: {:?} != {want:?}", n.labels));
        }
        if exact_map(&n.properties) != exact_props(&m.props) {
            return fail(format!(
                "props of {id}: {:?} != {:?}",
                n.properties, m.props
            ));
        }
        for d in [Direction::Outgoing, Direction::Incoming, Direction::Both] {
            let mut edges = Vec::new();
            g.expand(*id, d, &[], &mut edges)
                .map_err(|e| e.to_string())?;
            let mut got: Vec<Sighting> = edges
                .iter()
                .map(|e| {
                    (
                        e.rel,
                        e.other,
                        e.direction == Direction::Outgoing,
                        g.type_name(e.rel_type).unwrap_or("?").to_owned(),
                    )
                })
                .collect();
            got.sort();
            let want = model_edges(model, *id, d);
            if got != want {
                return fail(format!("expand {id} {d:?}: {got:?} != {want:?}"));
            }
            for t in TYPES {
                let Some(tid) = g.type_id(t) else { continue };
                let mut edges = Vec::new();
                g.expand(*id, d, &[tid], &mut edges)
                    .map_err(|e| e.to_string())?;
                let n = want.iter().filter(|s| s.3 == t).count();
                if edges.len() != n {
                    return fail(format!(
                        "expand {id} {d:?} type {t}: {} != {n}",
                        edges.len()
                    ));
                }
            }
        }
    }
    let all_rels = g.all_relationships().map_err(|e| e.to_string())?;
    let model_rels: Vec<RelId> = model.rels.keys().copied().collect();
    if all_rels != model_rels {
        return fail(format!("all_relationships {all_rels:?} != {model_rels:?}"));
    }
    for (id, m) in &model.rels {
        let r = g
            .relationship_value(*id)
            .map_err(|e| e.to_string())?
            .ok_or(format!("relationship {id} missing"))?;
        if (r.rel_type.as_str(), r.start, r.end) != (m.rel_type, m.src, m.dst) {
            return fail(format!("relationship {id}: {r:?} != {m:?}"));
        }
        if exact_map(&r.properties) != exact_props(&m.props) {
            return fail(format!(
                "props of rel {id}: {:?} != {:?}",
                r.properties, m.props
            ));
        }
    }
    if g.count_nodes(None).map_err(|e| e.to_string())? != model.nodes.len() as u64 {
        return fail("count_nodes(None)".into());
    }
    if g.count_relationships(None).map_err(|e| e.to_string())? != model.rels.len() as u64 {
        return fail("count_relationships(None)".into());
    }
    for t in TYPES {
        let want = model.rels.values().filter(|r| r.rel_type == t).count() as u64;
        let got = g
            .count_relationships(g.type_id(t))
            .map_err(|e| e.to_string())?;
        if g.type_id(t).is_some() && got != want {
            return fail(format!("count_relationships({t}) {got} != {want}"));
        }
    }
    for l in LABELS {
        let want: Vec<NodeId> = model
            .nodes
            .iter()
            .filter(|(_, n)| n.labels.contains(l))
            .map(|(id, _)| *id)
            .collect();
        let got = g.nodes_labelled(l).map_err(|e| e.to_string())?;
        if got != want {
            return fail(format!("nodes_with_label({l}) {got:?} != {want:?}"));
        }
        if let Some(lid) = g.label_id(l) {
            let count = g.count_nodes(Some(lid)).map_err(|e| e.to_string())?;
            if count != want.len() as u64 {
                return fail(format!("count_nodes({l}) {count} != {}", want.len()));
            }
        }
        for k in KEYS {
            for v in values() {
                let want: Vec<NodeId> = model
                    .nodes
                    .iter()
                    .filter(|(_, n)| n.labels.contains(l) && n.props.get(k) == Some(&v))
                    .map(|(id, _)| *id)
                    .collect();
                let got = g.find_nodes(l, k, &v).map_err(|e| e.to_string())?;
                if got != want {
                    return fail(format!("find_nodes({l}, {k}, {v:?}) {got:?} != {want:?}"));
                }
            }
        }
    }
    Ok(())
}

fn case_strategy() -> impl Strategy<Value = (bool, Option<usize>, Vec<Op>)> {
    (
        prop::bool::weighted(0.75),
        prop::option::weighted(0.5, 3usize..40),
        prop::collection::vec(op_strategy(), 1..48),
    )
}

fn run_case(
    sled: bool,
    checkpoint_after_ops: Option<usize>,
    ops: &[Op],
) -> Result<(), TestCaseError> {
    let mut h = Harness::new(sled, checkpoint_after_ops);
    h.check(0)?;
    for (step, op) in ops.iter().enumerate() {
        h.apply(op)
            .map_err(|e| TestCaseError::fail(format!("step {} ({op:?}): {e}", step + 1)))?;
        h.check(step + 1)
            .map_err(|e| TestCaseError::fail(format!("after {op:?}: {e}")))?;
    }
    // Finally everything committed must survive a reopen.
    h.apply(&Op::Commit)?;
    h.apply(&Op::Reopen)?;
    h.check(ops.len() + 1)
}

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(300)
}

proptest! {
    // Failing cases are kept where they were when this was an integration test.
    #![proptest_config(ProptestConfig {
        cases: cases(),
        max_shrink_iters: 2000,
        failure_persistence: Some(Box::new(FileFailurePersistence::Direct(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/model.proptest-regressions"
        )))),
        ..ProptestConfig::default()
    })]

    #[test]
    fn store_matches_model((sled, checkpoint_after_ops, ops) in case_strategy()) {
        run_case(sled, checkpoint_after_ops, &ops)?;
    }
}

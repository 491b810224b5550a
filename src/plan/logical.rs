//! The logical plan: bound expressions over row slots, and pipelines of operators. Variables
//! are resolved to slots of a fixed-width row; names survive only for column headers and
//! EXPLAIN. The plan prints as an S-expression (`to_sexpr`) for EXPLAIN and plan snapshots.

use std::fmt::Write as _;

/// The syntax tree's enums the plan carries as they are: operators, quantifiers, shortest-path
/// selectors, and a pattern relationship's direction as written, left to right (`Outgoing`:
/// from `left` to `right`; `Incoming`: from `right` to `left`; `Both`: either).
pub use crate::syntax::ast::{BinaryOp, Direction, Quantifier, Shortest, UnaryOp};
use crate::value::Value;

/// A position in a row.
pub type Slot = usize;

/// A bound expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    Literal(Value),
    Parameter(String),
    Slot(Slot),
    Property(Box<Expr>, String),
    Index(Box<Expr>, Box<Expr>),
    Slice(Box<Expr>, Option<Box<Expr>>, Option<Box<Expr>>),
    HasLabels(Box<Expr>, Vec<String>),
    Unary(UnaryOp, Box<Expr>),
    Binary(BinaryOp, Box<Expr>, Box<Expr>),
    IsNull {
        expr: Box<Expr>,
        negated: bool,
    },
    List(Vec<Expr>),
    Map(Vec<(String, Expr)>),
    MapProjection {
        base: Box<Expr>,
        items: Vec<MapItem>,
    },
    /// A call of a scalar function by its canonical (registry) name.
    Function {
        name: String,
        args: Vec<Expr>,
    },
    Case {
        operand: Option<Box<Expr>>,
        alternatives: Vec<(Expr, Expr)>,
        default: Option<Box<Expr>>,
    },
    ListComprehension {
        slot: Slot,
        list: Box<Expr>,
        filter: Option<Box<Expr>>,
        map: Option<Box<Expr>>,
    },
    Quantified {
        quantifier: Quantifier,
        slot: Slot,
        list: Box<Expr>,
        filter: Option<Box<Expr>>,
    },
    Reduce {
        accumulator: Slot,
        init: Box<Expr>,
        slot: Slot,
        list: Box<Expr>,
        expr: Box<Expr>,
    },
    /// A pattern evaluated per row: `EXISTS { }`, `COUNT { }`, a pattern predicate or a pattern
    /// comprehension.
    Subquery(Box<Subquery>),
}

/// Calls `$f` on each direct child of `$expr` (not inside subquery pipelines), reaching list
/// items through `$iter` (`iter` or `iter_mut`): one traversal for both mutabilities.
macro_rules! each_child {
    ($expr:expr, $f:ident, $iter:ident) => {
        match $expr {
            Expr::Literal(_) | Expr::Parameter(_) | Expr::Slot(_) | Expr::Subquery(_) => {}
            Expr::Property(e, _)
            | Expr::HasLabels(e, _)
            | Expr::Unary(_, e)
            | Expr::IsNull { expr: e, .. } => $f(e),
            Expr::Index(a, b) | Expr::Binary(_, a, b) => {
                $f(a);
                $f(b);
            }
            Expr::Slice(a, b, c) => {
                $f(a);
                for e in [b, c].into_iter().flatten() {
                    $f(e);
                }
            }
            Expr::List(items) | Expr::Function { args: items, .. } => items.$iter().for_each($f),
            Expr::Map(entries) => entries.$iter().for_each(|(_, e)| $f(e)),
            Expr::MapProjection { base, items } => {
                $f(base);
                for item in items {
                    if let MapItem::Entry(_, e) = item {
                        $f(e);
                    }
                }
            }
            Expr::Case {
                operand,
                alternatives,
                default,
            } => {
                for e in operand.$iter().chain(default.$iter()) {
                    $f(e);
                }
                for (w, t) in alternatives {
                    $f(w);
                    $f(t);
                }
            }
            Expr::ListComprehension {
                list, filter, map, ..
            } => {
                $f(list);
                for e in filter.$iter().chain(map.$iter()) {
                    $f(e);
                }
            }
            Expr::Quantified { list, filter, .. } => {
                $f(list);
                if let Some(e) = filter {
                    $f(e);
                }
            }
            Expr::Reduce {
                init, list, expr, ..
            } => {
                $f(init);
                $f(list);
                $f(expr);
            }
        }
    };
}

impl Expr {
    /// Calls `f` on each direct child expression (not inside subquery pipelines).
    pub fn for_each_child_mut(&mut self, f: &mut dyn FnMut(&mut Expr)) {
        each_child!(self, f, iter_mut);
    }

    /// Calls `f` on each direct child expression (not inside subquery pipelines).
    pub fn for_each_child(&self, f: &mut dyn FnMut(&Expr)) {
        each_child!(self, f, iter);
    }
}

/// Slots an expression reads.
pub(crate) fn slots_of(expr: &Expr, out: &mut Vec<Slot>) {
    match expr {
        Expr::Slot(s) => out.push(*s),
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
        _ => expr.for_each_child(&mut |e| slots_of(e, out)),
    }
}

/// Slots an operator's expressions and patterns name.
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
                    MatchStep::Filter(e) => slots_of(e, out),
                    MatchStep::Start {
                        source: NodeSource::Seek { value, .. },
                        ..
                    } => slots_of(value, out),
                    MatchStep::Start { .. } | MatchStep::Expand { .. } => {}
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
pub(crate) fn local_slots(expr: &Expr, out: &mut Vec<Slot>) {
    match expr {
        Expr::ListComprehension { slot, .. } | Expr::Quantified { slot, .. } => out.push(*slot),
        Expr::Reduce {
            accumulator, slot, ..
        } => {
            out.push(*accumulator);
            out.push(*slot);
        }
        Expr::Subquery(sub) => {
            for op in &sub.pipeline.operators {
                if let Operator::Match { pattern, .. } = op {
                    out.extend(pattern.nodes.iter().filter(|n| !n.bound).map(|n| n.slot));
                    out.extend(pattern.rels.iter().filter(|r| !r.bound).map(|r| r.slot));
                    out.extend(pattern.paths.iter().map(|p| p.slot));
                }
            }
            return;
        }
        _ => {}
    }
    expr.for_each_child(&mut |e| local_slots(e, out));
}

/// Slots an expression reads from the row.
pub(crate) fn free_slots(expr: &Expr) -> Vec<Slot> {
    let mut used = Vec::new();
    slots_of(expr, &mut used);
    let mut local = Vec::new();
    local_slots(expr, &mut local);
    used.retain(|s| !local.contains(s));
    used
}

#[derive(Debug, Clone, PartialEq)]
pub enum MapItem {
    Property(String),
    AllProperties,
    Entry(String, Expr),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubqueryKind {
    /// True when the pipeline yields a row.
    Exists,
    /// The number of rows.
    Count,
    /// The list of `map` evaluated on each row.
    Collect,
}

/// A pipeline run per outer row; it reads the outer row's slots and writes its own.
#[derive(Debug, Clone, PartialEq)]
pub struct Subquery {
    pub kind: SubqueryKind,
    pub pipeline: Pipeline,
    /// For `Collect`: the value collected per row.
    pub map: Option<Expr>,
}

/// A node of a pattern.
#[derive(Debug, Clone, PartialEq)]
pub struct PatternNode {
    pub slot: Slot,
    pub labels: Vec<String>,
    /// Property equalities from the pattern's map (or the entries of a parameter map).
    pub properties: Option<Expr>,
    /// Bound before this pattern (by an earlier clause or an earlier part of it).
    pub bound: bool,
}

/// Bounds of a variable-length relationship.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Length {
    pub min: u64,
    pub max: Option<u64>,
}

/// A relationship of a pattern between two pattern nodes (indexes into `Pattern::nodes`).
#[derive(Debug, Clone, PartialEq)]
pub struct PatternRel {
    pub slot: Slot,
    pub types: Vec<String>,
    pub direction: Direction,
    pub left: usize,
    pub right: usize,
    pub length: Option<Length>,
    pub properties: Option<Expr>,
    pub bound: bool,
}

/// A named path: the pattern nodes and relationships it runs through, in order.
#[derive(Debug, Clone, PartialEq)]
pub struct PatternPath {
    pub slot: Slot,
    pub nodes: Vec<usize>,
    pub rels: Vec<usize>,
    pub shortest: Option<Shortest>,
}

/// How the matcher finds the first node of a connected component.
#[derive(Debug, Clone, PartialEq)]
pub enum NodeSource {
    /// Already bound in the row.
    Bound,
    AllNodes,
    Label(String),
    /// `label.key = value` through the index (or a scan where there is none).
    Seek {
        label: String,
        key: String,
        value: Expr,
    },
}

/// One step of matching a pattern, in the order the planner chose.
#[derive(Debug, Clone, PartialEq)]
pub enum MatchStep {
    /// Bind (or check) pattern node `node` from `source`.
    Start { node: usize, source: NodeSource },
    /// Follow pattern relationship `rel` from its already matched end `from`.
    Expand { rel: usize, from: usize },
    /// A predicate whose slots are all bound here.
    Filter(Expr),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Pattern {
    pub nodes: Vec<PatternNode>,
    pub rels: Vec<PatternRel>,
    pub paths: Vec<PatternPath>,
    pub steps: Vec<MatchStep>,
}

/// A node or relationship to create.
#[derive(Debug, Clone, PartialEq)]
pub struct CreateNode {
    pub slot: Slot,
    pub labels: Vec<String>,
    pub properties: Option<Expr>,
    /// Bound already: reuse, create nothing.
    pub bound: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CreateRel {
    pub slot: Slot,
    pub rel_type: String,
    pub start: usize,
    pub end: usize,
    pub properties: Option<Expr>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CreatePattern {
    pub nodes: Vec<CreateNode>,
    pub rels: Vec<CreateRel>,
    pub paths: Vec<PatternPath>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum SetOp {
    Property {
        target: Expr,
        key: String,
        value: Expr,
    },
    Replace {
        slot: Slot,
        value: Expr,
    },
    Merge {
        slot: Slot,
        value: Expr,
    },
    Labels {
        slot: Slot,
        labels: Vec<String>,
    },
    RemoveProperty {
        target: Expr,
        key: String,
    },
    RemoveLabels {
        slot: Slot,
        labels: Vec<String>,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct SortKey {
    pub expr: Expr,
    pub descending: bool,
}

/// An aggregate function call inside a projection.
#[derive(Debug, Clone, PartialEq)]
pub struct Aggregate {
    pub slot: Slot,
    /// Canonical name; `count` with no arguments is `count(*)`.
    pub name: String,
    pub args: Vec<Expr>,
    pub distinct: bool,
}

/// What `StoreCount` counts.
#[derive(Debug, Clone, PartialEq)]
pub enum CountSource {
    /// Every node, or the nodes with a label.
    Nodes(Option<String>),
    /// Every relationship, or those of a type.
    Relationships(Option<String>),
    /// The nodes of each label: one row per label that has nodes.
    NodesPerLabel,
}

/// One operator of a pipeline; each consumes the rows the previous one produces.
#[derive(Debug, Clone, PartialEq)]
pub enum Operator {
    Match {
        pattern: Pattern,
        optional: bool,
    },
    Unwind {
        expr: Expr,
        slot: Slot,
    },
    Filter(Expr),
    /// Evaluates expressions into slots; with `only`, every other slot is cleared (a `WITH` or
    /// `RETURN` boundary).
    Project {
        items: Vec<(Slot, Expr)>,
        keep: Vec<Slot>,
    },
    Aggregate {
        keys: Vec<(Slot, Expr)>,
        aggregates: Vec<Aggregate>,
        /// When every key is a node or relationship slot or one of its properties (at most
        /// four such slots), and the query has not written before: rows whose slots hold the
        /// same entities share a group, found by their ids without reading the keys again.
        keys_of: Vec<Slot>,
    },
    Distinct {
        slots: Vec<Slot>,
    },
    Sort {
        keys: Vec<SortKey>,
    },
    Skip(Expr),
    Limit(Expr),
    Create(CreatePattern),
    Merge {
        pattern: Pattern,
        create: CreatePattern,
        on_create: Vec<SetOp>,
        on_match: Vec<SetOp>,
    },
    Set(Vec<SetOp>),
    Delete {
        exprs: Vec<Expr>,
        detach: bool,
    },
    Call {
        procedure: String,
        args: Vec<Expr>,
        yields: Vec<(String, Slot)>,
        filter: Option<Expr>,
    },
    LoadCsv {
        source: Expr,
        slot: Slot,
        headers: bool,
        terminator: u8,
    },
    /// Every row of the input is produced before the first goes on: a write is complete before
    /// a later clause reads.
    Eager,
    /// Counts read from the store's metadata, without visiting nodes: the count goes into
    /// `count`, and for `NodesPerLabel` the label's name into `key`.
    StoreCount {
        source: CountSource,
        key: Option<Slot>,
        count: Slot,
    },
}

/// A sequence of operators over rows of `width` slots.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Pipeline {
    pub operators: Vec<Operator>,
    /// `live[k]`: the slots read by operator `k` or anything after it (`live[n]`: what the
    /// pipeline's consumer reads). Filled in by the liveness pass (`live.rs`); the executor
    /// copies only these slots when it holds a row.
    pub live: Vec<Vec<Slot>>,
}

/// A planned query: one pipeline per UNION branch, the output columns (name, slot) of each.
#[derive(Debug, Clone, PartialEq)]
pub struct QueryPlan {
    pub branches: Vec<Pipeline>,
    /// Output columns per branch, in order; every branch has the same names.
    pub columns: Vec<Vec<(String, Slot)>>,
    /// `UNION` (deduplicated) rather than `UNION ALL`; meaningful with several branches.
    pub distinct_union: bool,
    /// Row width: slots used by any branch.
    pub width: usize,
    /// The query writes to the graph.
    pub writes: bool,
}

impl QueryPlan {
    /// The column names of the result.
    #[must_use]
    pub fn column_names(&self) -> Vec<String> {
        self.columns
            .first()
            .map(|c| c.iter().map(|(n, _)| n.clone()).collect())
            .unwrap_or_default()
    }

    /// True when every branch is known to return at most `max` rows: it ends in a LIMIT of at
    /// most `max` (a literal, or a parameter given in `params`), in an aggregation without
    /// grouping keys, or in a single count from the store. Such a result is small enough to
    /// compute at once instead of streaming it.
    #[must_use]
    pub fn output_at_most(&self, max: i64, params: &crate::value::Map) -> bool {
        self.branches.iter().all(|branch| {
            for op in branch.operators.iter().rev() {
                match op {
                    Operator::Project { .. }
                    | Operator::Filter(_)
                    | Operator::Skip(_)
                    | Operator::Distinct { .. }
                    | Operator::Sort { .. } => {}
                    Operator::Limit(Expr::Literal(Value::Int(n))) => return *n <= max,
                    Operator::Limit(Expr::Parameter(name)) => {
                        return matches!(params.get(name), Some(Value::Int(n)) if *n <= max);
                    }
                    Operator::Aggregate { keys, .. } => return keys.is_empty(),
                    Operator::StoreCount { key, .. } => return key.is_none(),
                    _ => return false,
                }
            }
            false
        })
    }

    /// True when every branch begins by seeking its first nodes through an index (a lookup by
    /// key), which usually finds few: such a query is run at once rather than streamed.
    #[must_use]
    pub fn starts_from_seeks(&self) -> bool {
        self.branches.iter().all(|branch| {
            matches!(
                branch.operators.first(),
                Some(Operator::Match { pattern, .. })
                    if matches!(
                        pattern.steps.first(),
                        Some(MatchStep::Start { source: NodeSource::Seek { .. }, .. })
                    )
            )
        })
    }

    /// The plan as an S-expression, for EXPLAIN and plan snapshots.
    #[must_use]
    pub fn to_sexpr(&self) -> String {
        self.to_sexpr_annotated(&|_| String::new())
    }

    /// The plan with a note after each operator (PROFILE's row counts).
    #[must_use]
    pub fn to_sexpr_annotated(&self, note: &dyn Fn(&Operator) -> String) -> String {
        let mut out = String::new();
        for (i, branch) in self.branches.iter().enumerate() {
            if i > 0 {
                out.push_str(if self.distinct_union {
                    "(union)\n"
                } else {
                    "(union-all)\n"
                });
            }
            for op in &branch.operators {
                let _ = writeln!(out, "{}{}", operator_sexpr(op), note(op));
            }
            let names: Vec<String> = self.columns[i]
                .iter()
                .map(|(n, s)| format!("{n}@{s}"))
                .collect();
            let _ = writeln!(out, "(return {})", names.join(" "));
        }
        out
    }
}

fn operator_sexpr(op: &Operator) -> String {
    match op {
        Operator::Match { pattern, optional } => {
            let steps: Vec<String> = pattern
                .steps
                .iter()
                .map(|s| match s {
                    MatchStep::Start { node, source } => {
                        let slot = pattern.nodes[*node].slot;
                        match source {
                            NodeSource::Bound => format!("(bound @{slot})"),
                            NodeSource::AllNodes => format!("(all-nodes @{slot})"),
                            NodeSource::Label(l) => format!("(label-scan @{slot} :{l})"),
                            NodeSource::Seek { label, key, .. } => {
                                format!("(index-seek @{slot} :{label}.{key})")
                            }
                        }
                    }
                    MatchStep::Expand { rel, from } => {
                        let r = &pattern.rels[*rel];
                        let to = if *from == r.left { r.right } else { r.left };
                        format!(
                            "(expand @{} -[@{}{}{}]- @{})",
                            pattern.nodes[*from].slot,
                            r.slot,
                            if r.types.is_empty() {
                                String::new()
                            } else {
                                format!(":{}", r.types.join("|"))
                            },
                            if r.length.is_some() { "*" } else { "" },
                            pattern.nodes[to].slot
                        )
                    }
                    MatchStep::Filter(_) => "(filter)".to_owned(),
                })
                .collect();
            format!(
                "({} {})",
                if *optional { "optional-match" } else { "match" },
                steps.join(" ")
            )
        }
        Operator::Unwind { slot, .. } => format!("(unwind @{slot})"),
        Operator::Filter(_) => "(filter)".into(),
        Operator::Project { items, keep } if items.is_empty() => {
            format!(
                "(scope {})",
                keep.iter()
                    .map(|s| format!("@{s}"))
                    .collect::<Vec<_>>()
                    .join(" ")
            )
        }
        Operator::Project { items, .. } => {
            format!(
                "(project {})",
                items
                    .iter()
                    .map(|(s, _)| format!("@{s}"))
                    .collect::<Vec<_>>()
                    .join(" ")
            )
        }
        Operator::Aggregate {
            keys,
            aggregates,
            keys_of,
        } => format!(
            "(aggregate (keys {}{}) {})",
            keys.iter()
                .map(|(s, _)| format!("@{s}"))
                .collect::<Vec<_>>()
                .join(" "),
            if keys_of.is_empty() {
                String::new()
            } else {
                format!(
                    " (by-ids {})",
                    keys_of
                        .iter()
                        .map(|s| format!("@{s}"))
                        .collect::<Vec<_>>()
                        .join(" ")
                )
            },
            aggregates
                .iter()
                .map(|a| format!("({} @{})", a.name, a.slot))
                .collect::<Vec<_>>()
                .join(" ")
        ),
        Operator::Distinct { .. } => "(distinct)".into(),
        Operator::Sort { keys } => format!("(sort {})", keys.len()),
        Operator::Skip(_) => "(skip)".into(),
        Operator::Limit(_) => "(limit)".into(),
        Operator::Create(c) => format!(
            "(create {} {})",
            c.nodes.iter().filter(|n| !n.bound).count(),
            c.rels.len()
        ),
        Operator::Merge { .. } => "(merge)".into(),
        Operator::Set(ops) => format!("(set {})", ops.len()),
        Operator::Delete { detach, .. } => if *detach {
            "(detach-delete)"
        } else {
            "(delete)"
        }
        .into(),
        Operator::Call { procedure, .. } => format!("(call {procedure})"),
        Operator::LoadCsv { .. } => "(load-csv)".into(),
        Operator::Eager => "(eager)".into(),
        Operator::StoreCount { source, .. } => match source {
            CountSource::Nodes(None) => "(store-count nodes)".into(),
            CountSource::Nodes(Some(label)) => format!("(store-count nodes :{label})"),
            CountSource::Relationships(None) => "(store-count relationships)".into(),
            CountSource::Relationships(Some(t)) => format!("(store-count relationships :{t})"),
            CountSource::NodesPerLabel => "(store-count nodes-per-label)".into(),
        },
    }
}

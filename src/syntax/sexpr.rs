//! The AST as an S-expression with spans, for snapshots and debugging: every node and field the
//! tree holds, one node per line once a node no longer fits on one. It knows nothing of the
//! source text; `print.rs` gives the query text instead.

use std::fmt::Write as _;

use super::ast::{
    BinaryOp, Call, Clause, ClauseKind, ConstraintKind, Direction, Expr, ExprKind, Ident, Literal,
    MapProjectionItem, NodePattern, PathPattern, Pattern, PatternPart, Projection, QualifiedName,
    Quantifier, Query, RelPattern, RemoveItem, SchemaCommand, SetItem, Shortest, ShowKind,
    SingleQuery, SortOrder, Span, Statement, Subquery, UnaryOp,
};

/// A node: a head (name, span, atoms) and its children.
struct Node {
    head: String,
    children: Vec<Node>,
}

impl Node {
    fn new(name: &str) -> Self {
        Node {
            head: name.to_owned(),
            children: Vec::new(),
        }
    }

    fn spanned(name: &str, span: Span) -> Self {
        Node {
            head: format!("{name} @{}..{}", span.start, span.end),
            children: Vec::new(),
        }
    }

    /// Appends an atom to the head.
    fn atom(mut self, atom: impl AsRef<str>) -> Self {
        self.head.push(' ');
        self.head.push_str(atom.as_ref());
        self
    }

    fn child(mut self, child: Node) -> Self {
        self.children.push(child);
        self
    }

    fn opt_child(mut self, child: Option<Node>) -> Self {
        self.children.extend(child);
        self
    }

    fn children(mut self, children: impl IntoIterator<Item = Node>) -> Self {
        self.children.extend(children);
        self
    }

    fn flat_len(&self) -> usize {
        self.head.len()
            + 2
            + self
                .children
                .iter()
                .map(|c| c.flat_len() + 1)
                .sum::<usize>()
    }

    fn write(&self, out: &mut String, indent: usize) {
        out.push('(');
        out.push_str(&self.head);
        let flat = indent + self.flat_len() <= 100;
        for child in &self.children {
            if flat {
                out.push(' ');
            } else {
                out.push('\n');
                out.extend(std::iter::repeat_n(' ', indent + 2));
            }
            child.write(out, indent + 2);
        }
        out.push(')');
    }
}

/// A name as an atom: bare when it is a plain identifier, quoted otherwise.
fn name(s: &str) -> String {
    let plain = s
        .chars()
        .next()
        .is_some_and(|c| c.is_alphabetic() || c == '_')
        && s.chars().all(|c| c.is_alphanumeric() || c == '_');
    if plain {
        s.to_owned()
    } else {
        format!("{s:?}")
    }
}

fn ident(id: &Ident) -> String {
    format!("{}@{}..{}", name(&id.name), id.span.start, id.span.end)
}

fn names(list: &[String]) -> String {
    list.iter().map(|l| name(l)).collect::<Vec<_>>().join(" ")
}

impl Statement {
    /// The tree as an S-expression with byte spans (`@start..end`).
    #[must_use]
    pub fn to_sexpr(&self) -> String {
        let mut out = String::new();
        statement(self).write(&mut out, 0);
        out
    }
}

fn statement(s: &Statement) -> Node {
    match s {
        Statement::Query(q) => query(q),
        Statement::Explain(q) => Node::new("explain").child(query(q)),
        Statement::Profile(q) => Node::new("profile").child(query(q)),
        Statement::Schema(c) => schema(c),
        Statement::Begin => Node::new("begin"),
        Statement::Commit => Node::new("commit"),
        Statement::Rollback => Node::new("rollback"),
    }
}

fn query(q: &Query) -> Node {
    if q.unions.is_empty() {
        return single_query(&q.first);
    }
    let unions = q.unions.iter().map(|u| {
        Node::new(if u.all { "union-all" } else { "union" }).child(single_query(&u.query))
    });
    Node::spanned("query", q.span)
        .child(single_query(&q.first))
        .children(unions)
}

fn single_query(q: &SingleQuery) -> Node {
    Node::spanned("single-query", q.span).children(q.clauses.iter().map(clause))
}

fn opt_where(where_: Option<&Expr>) -> Option<Node> {
    where_.map(|w| Node::new("where").child(expr(w)))
}

fn clause(c: &Clause) -> Node {
    match &c.kind {
        ClauseKind::Match(m) => Node::spanned(
            if m.optional {
                "optional-match"
            } else {
                "match"
            },
            c.span,
        )
        .child(pattern(&m.pattern))
        .opt_child(opt_where(m.where_.as_ref())),
        ClauseKind::Unwind(u) => Node::spanned("unwind", c.span)
            .atom(ident(&u.variable))
            .child(expr(&u.expr)),
        ClauseKind::With(p) => projection(Node::spanned("with", c.span), p),
        ClauseKind::Return(p) => projection(Node::spanned("return", c.span), p),
        ClauseKind::Create(p) => Node::spanned("create", c.span).child(pattern(p)),
        ClauseKind::Merge(m) => {
            let actions = m.actions.iter().map(|a| {
                Node::new(if a.on_create { "on-create" } else { "on-match" })
                    .children(a.items.iter().map(set_item))
            });
            Node::spanned("merge", c.span)
                .child(pattern_part(&m.part))
                .children(actions)
        }
        ClauseKind::Set(items) => Node::spanned("set", c.span).children(items.iter().map(set_item)),
        ClauseKind::Remove(items) => {
            Node::spanned("remove", c.span).children(items.iter().map(remove_item))
        }
        ClauseKind::Delete(d) => {
            Node::spanned(if d.detach { "detach-delete" } else { "delete" }, c.span)
                .children(d.exprs.iter().map(expr))
        }
        ClauseKind::Call(call) => call_node(Node::spanned("call", c.span), call),
        ClauseKind::LoadCsv(l) => {
            let mut node = Node::spanned("load-csv", c.span);
            if l.with_headers {
                node = node.atom("with-headers");
            }
            node = node.atom(ident(&l.variable)).child(expr(&l.source));
            node.opt_child(
                l.field_terminator
                    .as_ref()
                    .map(|t| Node::new("field-terminator").atom(format!("{t:?}"))),
            )
        }
    }
}

fn projection(mut node: Node, p: &Projection) -> Node {
    if p.distinct {
        node = node.atom("distinct");
    }
    if p.star {
        node = node.atom("*");
    }
    let items = p.items.iter().map(|item| {
        let mut n = Node::new("item");
        if let Some(alias) = &item.alias {
            n = n.atom(format!("as {}", ident(alias)));
        }
        n.child(expr(&item.expr))
    });
    node = node.children(items);
    if !p.order_by.is_empty() {
        let sorts = p.order_by.iter().map(|s| {
            Node::new(match s.order {
                SortOrder::Ascending => "asc",
                SortOrder::Descending => "desc",
            })
            .child(expr(&s.expr))
        });
        node = node.child(Node::new("order-by").children(sorts));
    }
    node.opt_child(p.skip.as_ref().map(|e| Node::new("skip").child(expr(e))))
        .opt_child(p.limit.as_ref().map(|e| Node::new("limit").child(expr(e))))
        .opt_child(opt_where(p.where_.as_ref()))
}

fn set_item(item: &SetItem) -> Node {
    match item {
        SetItem::Property {
            target,
            key,
            value,
            span,
        } => Node::spanned("set-property", *span)
            .atom(name(key))
            .child(expr(target))
            .child(expr(value)),
        SetItem::Replace {
            variable,
            value,
            span,
        } => Node::spanned("set-all", *span)
            .atom(ident(variable))
            .child(expr(value)),
        SetItem::Update {
            variable,
            value,
            span,
        } => Node::spanned("set-merge", *span)
            .atom(ident(variable))
            .child(expr(value)),
        SetItem::Labels {
            variable,
            labels,
            span,
        } => Node::spanned("set-labels", *span)
            .atom(ident(variable))
            .atom(names(labels)),
    }
}

fn remove_item(item: &RemoveItem) -> Node {
    match item {
        RemoveItem::Property { target, key, span } => Node::spanned("remove-property", *span)
            .atom(name(key))
            .child(expr(target)),
        RemoveItem::Labels {
            variable,
            labels,
            span,
        } => Node::spanned("remove-labels", *span)
            .atom(ident(variable))
            .atom(names(labels)),
    }
}

fn qualified(q: &QualifiedName) -> String {
    let mut s = String::new();
    for part in &q.namespace {
        let _ = write!(s, "{}.", name(part));
    }
    s.push_str(&name(&q.name));
    s
}

fn call_node(node: Node, c: &Call) -> Node {
    let mut node = node.atom(qualified(&c.procedure));
    node = match &c.args {
        Some(args) => node.child(Node::new("args").children(args.iter().map(expr))),
        None => node.atom("implicit-args"),
    };
    let Some(y) = &c.yield_ else { return node };
    let mut yield_node = Node::new("yield");
    if y.star {
        yield_node = yield_node.atom("*");
    }
    for item in &y.items {
        let atom = match &item.alias {
            Some(alias) => format!("{}:{}", name(&item.field), ident(alias)),
            None => name(&item.field),
        };
        yield_node = yield_node.atom(atom);
    }
    node.child(yield_node.opt_child(opt_where(y.where_.as_ref())))
}

fn pattern(p: &Pattern) -> Node {
    Node::spanned("pattern", p.span).children(p.parts.iter().map(pattern_part))
}

fn pattern_part(p: &PatternPart) -> Node {
    let mut node = Node::spanned("part", p.span);
    if let Some(v) = &p.variable {
        node = node.atom(ident(v));
    }
    match p.shortest {
        Some(Shortest::One) => node = node.atom("shortest"),
        Some(Shortest::All) => node = node.atom("all-shortest"),
        None => {}
    }
    node.children(path(&p.path).children)
}

fn path(p: &PathPattern) -> Node {
    let mut node = Node::spanned("path", p.span).child(node_pattern(&p.start));
    for (rel, n) in &p.steps {
        node = node.child(rel_pattern(rel)).child(node_pattern(n));
    }
    node
}

fn node_pattern(n: &NodePattern) -> Node {
    let mut node = Node::spanned("node", n.span);
    if let Some(v) = &n.variable {
        node = node.atom(ident(v));
    }
    for label in &n.labels {
        node = node.atom(format!(":{}", name(label)));
    }
    node.opt_child(n.properties.as_ref().map(expr))
}

fn rel_pattern(r: &RelPattern) -> Node {
    let mut node = Node::spanned(
        match r.direction {
            Direction::Outgoing => "rel->",
            Direction::Incoming => "<-rel",
            Direction::Both => "-rel-",
        },
        r.span,
    );
    if let Some(v) = &r.variable {
        node = node.atom(ident(v));
    }
    if !r.types.is_empty() {
        node = node.atom(format!(
            ":{}",
            r.types
                .iter()
                .map(|t| name(t))
                .collect::<Vec<_>>()
                .join("|")
        ));
    }
    if let Some(length) = &r.length {
        let bound = |b: Option<u64>| b.map_or(String::new(), |n| n.to_string());
        node = node.atom(format!("*{}..{}", bound(length.min), bound(length.max)));
    }
    node.opt_child(r.properties.as_ref().map(expr))
}

fn literal(l: &Literal) -> String {
    match l {
        Literal::Integer(n) => n.to_string(),
        Literal::Float(x) => format!("{x:?}"),
        Literal::String(s) => format!("{s:?}"),
        Literal::Bool(b) => b.to_string(),
        Literal::Null => "null".to_owned(),
    }
}

/// The operator's name in an s-expression: its symbol in lower case, words joined by `-`
/// (`starts-with`).
fn binary_name(op: BinaryOp) -> String {
    op.symbol().to_ascii_lowercase().replace(' ', "-")
}

fn subquery(node: Node, s: &Subquery) -> Node {
    match s {
        Subquery::Query(q) => node.child(query(q)),
        Subquery::Pattern { pattern: p, where_ } => node
            .child(pattern(p))
            .opt_child(opt_where(where_.as_deref())),
    }
}

fn expr(e: &Expr) -> Node {
    let s = e.span;
    match &e.kind {
        ExprKind::Literal(l) => Node::spanned("lit", s).atom(literal(l)),
        ExprKind::Parameter(p) => Node::spanned("param", s).atom(name(p)),
        ExprKind::Variable(v) => Node::spanned("var", s).atom(name(v)),
        ExprKind::Property(base, key) => Node::spanned("prop", s).atom(name(key)).child(expr(base)),
        ExprKind::Index(base, index) => Node::spanned("index", s)
            .child(expr(base))
            .child(expr(index)),
        ExprKind::Slice {
            expr: base,
            from,
            to,
        } => Node::spanned("slice", s)
            .child(expr(base))
            .child(
                from.as_deref()
                    .map_or_else(|| Node::new("from"), |f| Node::new("from").child(expr(f))),
            )
            .child(
                to.as_deref()
                    .map_or_else(|| Node::new("to"), |t| Node::new("to").child(expr(t))),
            ),
        ExprKind::HasLabels(base, labels) => Node::spanned("has-labels", s)
            .atom(names(labels))
            .child(expr(base)),
        ExprKind::Unary(op, operand) => Node::spanned(
            match op {
                UnaryOp::Not => "not",
                UnaryOp::Negate => "neg",
                UnaryOp::Plus => "plus",
            },
            s,
        )
        .child(expr(operand)),
        ExprKind::Binary(op, lhs, rhs) => Node::spanned(&binary_name(*op), s)
            .child(expr(lhs))
            .child(expr(rhs)),
        ExprKind::IsNull {
            expr: operand,
            negated,
        } => {
            Node::spanned(if *negated { "is-not-null" } else { "is-null" }, s).child(expr(operand))
        }
        ExprKind::List(items) => Node::spanned("list", s).children(items.iter().map(expr)),
        ExprKind::Map(entries) => Node::spanned("map", s).children(
            entries
                .iter()
                .map(|(k, v)| Node::new("entry").atom(name(k)).child(expr(v))),
        ),
        ExprKind::MapProjection { variable, items } => {
            let items = items.iter().map(|item| match item {
                MapProjectionItem::Property(key) => Node::new("key").atom(name(key)),
                MapProjectionItem::AllProperties => Node::new("all-keys"),
                MapProjectionItem::Literal(key, v) => {
                    Node::new("entry").atom(name(key)).child(expr(v))
                }
                MapProjectionItem::Variable(v) => Node::new("var").atom(ident(v)),
            });
            Node::spanned("map-projection", s)
                .atom(ident(variable))
                .children(items)
        }
        ExprKind::FunctionCall {
            name: fname,
            distinct,
            args,
        } => {
            let mut node = Node::spanned("call", s).atom(qualified(fname));
            if *distinct {
                node = node.atom("distinct");
            }
            node.children(args.iter().map(expr))
        }
        ExprKind::CountStar => Node::spanned("count-star", s),
        ExprKind::Case {
            operand,
            alternatives,
            default,
        } => Node::spanned("case", s)
            .opt_child(operand.as_deref().map(expr))
            .children(
                alternatives
                    .iter()
                    .map(|(w, t)| Node::new("when").child(expr(w)).child(expr(t))),
            )
            .opt_child(default.as_deref().map(|d| Node::new("else").child(expr(d)))),
        ExprKind::ListComprehension {
            variable,
            list,
            filter,
            map,
        } => Node::spanned("list-comprehension", s)
            .atom(ident(variable))
            .child(expr(list))
            .opt_child(opt_where(filter.as_deref()))
            .opt_child(map.as_deref().map(|m| Node::new("map").child(expr(m)))),
        ExprKind::PatternComprehension {
            variable,
            pattern: p,
            filter,
            map,
        } => {
            let mut node = Node::spanned("pattern-comprehension", s);
            if let Some(v) = variable {
                node = node.atom(ident(v));
            }
            node.child(path(p))
                .opt_child(opt_where(filter.as_deref()))
                .child(Node::new("map").child(expr(map)))
        }
        ExprKind::PatternPredicate(p) => Node::spanned("pattern-predicate", s).child(path(p)),
        ExprKind::Quantified {
            quantifier,
            variable,
            list,
            filter,
        } => Node::spanned(
            match quantifier {
                Quantifier::All => "all",
                Quantifier::Any => "any",
                Quantifier::None => "none",
                Quantifier::Single => "single",
            },
            s,
        )
        .atom(ident(variable))
        .child(expr(list))
        .opt_child(opt_where(filter.as_deref())),
        ExprKind::Reduce {
            accumulator,
            init,
            variable,
            list,
            expr: body,
        } => Node::spanned("reduce", s)
            .atom(ident(accumulator))
            .atom(ident(variable))
            .child(expr(init))
            .child(expr(list))
            .child(expr(body)),
        ExprKind::Exists(body) => subquery(Node::spanned("exists", s), body),
        ExprKind::CountSubquery(body) => subquery(Node::spanned("count", s), body),
    }
}

fn schema(c: &SchemaCommand) -> Node {
    let head =
        |node: Node, name_: Option<&String>, if_not_exists: bool, variable: &Ident, label: &str| {
            let mut node = node;
            if let Some(n) = name_ {
                node = node.atom(format!("name {}", name(n)));
            }
            if if_not_exists {
                node = node.atom("if-not-exists");
            }
            node.atom(format!("for {}:{}", ident(variable), name(label)))
        };
    match c {
        SchemaCommand::CreateIndex {
            name: n,
            if_not_exists,
            variable,
            label,
            properties,
        } => head(
            Node::new("create-index"),
            n.as_ref(),
            *if_not_exists,
            variable,
            label,
        )
        .atom(format!("on {}", names(properties))),
        SchemaCommand::CreateConstraint {
            name: n,
            if_not_exists,
            variable,
            label,
            properties,
            kind,
        } => head(
            Node::new("create-constraint"),
            n.as_ref(),
            *if_not_exists,
            variable,
            label,
        )
        .atom(format!("require {}", names(properties)))
        .atom(match kind {
            ConstraintKind::Unique => "unique",
            ConstraintKind::NotNull => "not-null",
        }),
        SchemaCommand::DropIndex { name: n, if_exists } => {
            let node = Node::new("drop-index").atom(name(n));
            if *if_exists {
                node.atom("if-exists")
            } else {
                node
            }
        }
        SchemaCommand::DropConstraint { name: n, if_exists } => {
            let node = Node::new("drop-constraint").atom(name(n));
            if *if_exists {
                node.atom("if-exists")
            } else {
                node
            }
        }
        SchemaCommand::Show(kind) => Node::new("show").atom(match kind {
            ShowKind::Indexes => "indexes",
            ShowKind::Constraints => "constraints",
            ShowKind::Procedures => "procedures",
            ShowKind::Functions => "functions",
        }),
    }
}

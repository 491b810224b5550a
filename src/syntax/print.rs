//! `Display` for the AST: canonical query text that parses back to the same tree (spans aside).
//! Parentheses are printed only where precedence needs them; names are backticked only where a
//! bare name would not parse. Knows nothing of the source text the tree came from.
//!
//! Over 800 lines, kept whole: one `Display` per AST type, and the precedence and quoting rules
//! they all share, so that a change to the grammar is one change here.

use std::fmt::{self, Display, Formatter, Write as _};

use super::ast::{
    BinaryOp, Call, Clause, ClauseKind, ConstraintKind, Direction, Expr, ExprKind, Literal,
    MapProjectionItem, NodePattern, PathPattern, Pattern, PatternPart, Projection, QualifiedName,
    Quantifier, Query, RelPattern, RemoveItem, SchemaCommand, SetItem, Shortest, ShowKind,
    SingleQuery, SortOrder, Statement, Subquery, UnaryOp, VarLength,
};
use super::lexer::{is_ident_char, is_ident_start, is_reserved};

/// A name as written in a label, type, key or function position.
struct Name<'a>(&'a str);
/// A name in a variable position, where reserved words need backticks.
struct Var<'a>(&'a str);

fn needs_quotes(name: &str) -> bool {
    let mut chars = name.chars();
    match chars.next() {
        Some(c) if is_ident_start(c) => !chars.all(is_ident_char),
        _ => true,
    }
}

fn write_quoted(f: &mut Formatter<'_>, name: &str) -> fmt::Result {
    f.write_char('`')?;
    f.write_str(&name.replace('`', "``"))?;
    f.write_char('`')
}

impl Display for Name<'_> {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        if needs_quotes(self.0) {
            write_quoted(f, self.0)
        } else {
            f.write_str(self.0)
        }
    }
}

impl Display for Var<'_> {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        if needs_quotes(self.0) || is_reserved(self.0) {
            write_quoted(f, self.0)
        } else {
            f.write_str(self.0)
        }
    }
}

fn write_string(f: &mut Formatter<'_>, s: &str) -> fmt::Result {
    f.write_char('\'')?;
    for c in s.chars() {
        match c {
            '\'' => f.write_str("\\'")?,
            '\\' => f.write_str("\\\\")?,
            '\n' => f.write_str("\\n")?,
            '\r' => f.write_str("\\r")?,
            '\t' => f.write_str("\\t")?,
            c if c.is_control() => {
                let code = u32::from(c);
                if code <= 0xFFFF {
                    write!(f, "\\u{code:04X}")?
                } else {
                    write!(f, "\\U{code:08X}")?
                }
            }
            c => f.write_char(c)?,
        }
    }
    f.write_char('\'')
}

fn comma_separated<T>(
    f: &mut Formatter<'_>,
    items: &[T],
    mut each: impl FnMut(&mut Formatter<'_>, &T) -> fmt::Result,
) -> fmt::Result {
    for (n, item) in items.iter().enumerate() {
        if n > 0 {
            f.write_str(", ")?;
        }
        each(f, item)?;
    }
    Ok(())
}

impl Display for Statement {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Statement::Query(q) => q.fmt(f),
            Statement::Explain(q) => write!(f, "EXPLAIN {q}"),
            Statement::Profile(q) => write!(f, "PROFILE {q}"),
            Statement::Schema(s) => s.fmt(f),
            Statement::Begin => f.write_str("BEGIN"),
            Statement::Commit => f.write_str("COMMIT"),
            Statement::Rollback => f.write_str("ROLLBACK"),
        }
    }
}

impl Display for Query {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        self.first.fmt(f)?;
        for union in &self.unions {
            f.write_str(if union.all { " UNION ALL " } else { " UNION " })?;
            union.query.fmt(f)?;
        }
        Ok(())
    }
}

impl Display for SingleQuery {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        for (n, clause) in self.clauses.iter().enumerate() {
            if n > 0 {
                f.write_char(' ')?;
            }
            clause.fmt(f)?;
        }
        Ok(())
    }
}

impl Display for Clause {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ClauseKind::Match(m) => {
                f.write_str(if m.optional {
                    "OPTIONAL MATCH "
                } else {
                    "MATCH "
                })?;
                m.pattern.fmt(f)?;
                if let Some(w) = &m.where_ {
                    write!(f, " WHERE {w}")?;
                }
                Ok(())
            }
            ClauseKind::Unwind(u) => write!(f, "UNWIND {} AS {}", u.expr, Var(&u.variable.name)),
            ClauseKind::With(p) => {
                f.write_str("WITH ")?;
                p.fmt(f)?;
                if let Some(w) = &p.where_ {
                    write!(f, " WHERE {w}")?;
                }
                Ok(())
            }
            ClauseKind::Return(p) => {
                f.write_str("RETURN ")?;
                p.fmt(f)
            }
            ClauseKind::Create(p) => write!(f, "CREATE {p}"),
            ClauseKind::Merge(m) => {
                write!(f, "MERGE {}", m.part)?;
                for action in &m.actions {
                    f.write_str(if action.on_create {
                        " ON CREATE SET "
                    } else {
                        " ON MATCH SET "
                    })?;
                    comma_separated(f, &action.items, |f, item| item.fmt(f))?;
                }
                Ok(())
            }
            ClauseKind::Set(items) => {
                f.write_str("SET ")?;
                comma_separated(f, items, |f, item| item.fmt(f))
            }
            ClauseKind::Remove(items) => {
                f.write_str("REMOVE ")?;
                comma_separated(f, items, |f, item| match item {
                    RemoveItem::Property { target, key, .. } => {
                        write_operand(f, target, POSTFIX)?;
                        write!(f, ".{}", Name(key))
                    }
                    RemoveItem::Labels {
                        variable, labels, ..
                    } => {
                        Var(&variable.name).fmt(f)?;
                        write_labels(f, labels)
                    }
                })
            }
            ClauseKind::Delete(d) => {
                f.write_str(if d.detach {
                    "DETACH DELETE "
                } else {
                    "DELETE "
                })?;
                comma_separated(f, &d.exprs, |f, e| e.fmt(f))
            }
            ClauseKind::Call(c) => c.fmt(f),
            ClauseKind::LoadCsv(l) => {
                f.write_str("LOAD CSV ")?;
                if l.with_headers {
                    f.write_str("WITH HEADERS ")?;
                }
                write!(f, "FROM {} AS {}", l.source, Var(&l.variable.name))?;
                if let Some(t) = &l.field_terminator {
                    f.write_str(" FIELDTERMINATOR ")?;
                    write_string(f, t)?;
                }
                Ok(())
            }
        }
    }
}

impl Display for SetItem {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            SetItem::Property {
                target, key, value, ..
            } => {
                write_operand(f, target, POSTFIX)?;
                write!(f, ".{} = {value}", Name(key))
            }
            SetItem::Replace {
                variable, value, ..
            } => write!(f, "{} = {value}", Var(&variable.name)),
            SetItem::Update {
                variable, value, ..
            } => write!(f, "{} += {value}", Var(&variable.name)),
            SetItem::Labels {
                variable, labels, ..
            } => {
                Var(&variable.name).fmt(f)?;
                write_labels(f, labels)
            }
        }
    }
}

impl Display for Call {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "CALL {}", self.procedure)?;
        if let Some(args) = &self.args {
            f.write_char('(')?;
            comma_separated(f, args, |f, e| e.fmt(f))?;
            f.write_char(')')?;
        }
        if let Some(y) = &self.yield_ {
            f.write_str(" YIELD ")?;
            if y.star {
                f.write_char('*')?;
            }
            comma_separated(f, &y.items, |f, item| {
                Name(&item.field).fmt(f)?;
                match &item.alias {
                    Some(alias) => write!(f, " AS {}", Var(&alias.name)),
                    None => Ok(()),
                }
            })?;
            if let Some(w) = &y.where_ {
                write!(f, " WHERE {w}")?;
            }
        }
        Ok(())
    }
}

impl Display for QualifiedName {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        for part in &self.namespace {
            write!(f, "{}.", Name(part))?;
        }
        // A reserved word as a function name would start another construct (`case(...)`).
        if self.namespace.is_empty()
            && is_reserved(&self.name)
            && !self.name.eq_ignore_ascii_case("exists")
        {
            return write_quoted(f, &self.name);
        }
        Name(&self.name).fmt(f)
    }
}

impl Display for Projection {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        if self.distinct {
            f.write_str("DISTINCT ")?;
        }
        if self.star {
            f.write_char('*')?;
            if !self.items.is_empty() {
                f.write_str(", ")?;
            }
        }
        comma_separated(f, &self.items, |f, item| {
            item.expr.fmt(f)?;
            match &item.alias {
                Some(alias) => write!(f, " AS {}", Var(&alias.name)),
                None => Ok(()),
            }
        })?;
        if !self.order_by.is_empty() {
            f.write_str(" ORDER BY ")?;
            comma_separated(f, &self.order_by, |f, item| {
                item.expr.fmt(f)?;
                f.write_str(match item.order {
                    SortOrder::Ascending => "",
                    SortOrder::Descending => " DESC",
                })
            })?;
        }
        if let Some(skip) = &self.skip {
            write!(f, " SKIP {skip}")?;
        }
        if let Some(limit) = &self.limit {
            write!(f, " LIMIT {limit}")?;
        }
        Ok(())
    }
}

impl Display for Pattern {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        comma_separated(f, &self.parts, |f, part| part.fmt(f))
    }
}

impl Display for PatternPart {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        if let Some(v) = &self.variable {
            write!(f, "{} = ", Var(&v.name))?;
        }
        match self.shortest {
            Some(Shortest::One) => write!(f, "shortestPath({})", self.path),
            Some(Shortest::All) => write!(f, "allShortestPaths({})", self.path),
            None => self.path.fmt(f),
        }
    }
}

impl Display for PathPattern {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        self.start.fmt(f)?;
        for (rel, node) in &self.steps {
            rel.fmt(f)?;
            node.fmt(f)?;
        }
        Ok(())
    }
}

fn write_labels(f: &mut Formatter<'_>, labels: &[String]) -> fmt::Result {
    for label in labels {
        write!(f, ":{}", Name(label))?;
    }
    Ok(())
}

impl Display for NodePattern {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_char('(')?;
        if let Some(v) = &self.variable {
            Var(&v.name).fmt(f)?;
        }
        write_labels(f, &self.labels)?;
        if let Some(props) = &self.properties {
            if self.variable.is_some() || !self.labels.is_empty() {
                f.write_char(' ')?;
            }
            props.fmt(f)?;
        }
        f.write_char(')')
    }
}

impl Display for RelPattern {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str(if self.direction == Direction::Incoming {
            "<-"
        } else {
            "-"
        })?;
        let has_detail = self.variable.is_some()
            || !self.types.is_empty()
            || self.length.is_some()
            || self.properties.is_some();
        if has_detail {
            f.write_char('[')?;
            if let Some(v) = &self.variable {
                Var(&v.name).fmt(f)?;
            }
            for (n, t) in self.types.iter().enumerate() {
                f.write_str(if n == 0 { ":" } else { "|" })?;
                Name(t).fmt(f)?;
            }
            if let Some(length) = &self.length {
                length.fmt(f)?;
            }
            if let Some(props) = &self.properties {
                if self.variable.is_some() || !self.types.is_empty() || self.length.is_some() {
                    f.write_char(' ')?;
                }
                props.fmt(f)?;
            }
            f.write_char(']')?;
        }
        f.write_str(if self.direction == Direction::Outgoing {
            "->"
        } else {
            "-"
        })
    }
}

impl Display for VarLength {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_char('*')?;
        match (self.min, self.max) {
            (Some(min), Some(max)) if min == max => write!(f, "{min}"),
            (Some(min), Some(max)) => write!(f, "{min}..{max}"),
            (Some(min), None) => write!(f, "{min}.."),
            (None, Some(max)) => write!(f, "..{max}"),
            (None, None) => Ok(()),
        }
    }
}

impl Display for SchemaCommand {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            SchemaCommand::CreateIndex {
                name,
                if_not_exists,
                variable,
                label,
                properties,
            } => {
                f.write_str("CREATE INDEX ")?;
                write_schema_head(f, name.as_deref(), *if_not_exists, &variable.name, label)?;
                f.write_str(" ON (")?;
                comma_separated(f, properties, |f, p| {
                    write!(f, "{}.{}", Var(&variable.name), Name(p))
                })?;
                f.write_char(')')
            }
            SchemaCommand::CreateConstraint {
                name,
                if_not_exists,
                variable,
                label,
                properties,
                kind,
            } => {
                f.write_str("CREATE CONSTRAINT ")?;
                write_schema_head(f, name.as_deref(), *if_not_exists, &variable.name, label)?;
                f.write_str(" REQUIRE ")?;
                if properties.len() == 1 {
                    write!(f, "{}.{}", Var(&variable.name), Name(&properties[0]))?;
                } else {
                    f.write_char('(')?;
                    comma_separated(f, properties, |f, p| {
                        write!(f, "{}.{}", Var(&variable.name), Name(p))
                    })?;
                    f.write_char(')')?;
                }
                f.write_str(match kind {
                    ConstraintKind::Unique => " IS UNIQUE",
                    ConstraintKind::NotNull => " IS NOT NULL",
                })
            }
            SchemaCommand::DropIndex { name, if_exists } => {
                write!(
                    f,
                    "DROP INDEX {}{}",
                    Name(name),
                    if *if_exists { " IF EXISTS" } else { "" }
                )
            }
            SchemaCommand::DropConstraint { name, if_exists } => {
                write!(
                    f,
                    "DROP CONSTRAINT {}{}",
                    Name(name),
                    if *if_exists { " IF EXISTS" } else { "" }
                )
            }
            SchemaCommand::Show(kind) => f.write_str(match kind {
                ShowKind::Indexes => "SHOW INDEXES",
                ShowKind::Constraints => "SHOW CONSTRAINTS",
                ShowKind::Procedures => "SHOW PROCEDURES",
                ShowKind::Functions => "SHOW FUNCTIONS",
            }),
        }
    }
}

fn write_schema_head(
    f: &mut Formatter<'_>,
    name: Option<&str>,
    if_not_exists: bool,
    var: &str,
    label: &str,
) -> fmt::Result {
    if let Some(name) = name {
        // A name spelled like the keyword that may follow it must be quoted to stay a name.
        if ["IF", "FOR", "ON"]
            .iter()
            .any(|k| k.eq_ignore_ascii_case(name))
        {
            write_quoted(f, name)?;
        } else {
            Name(name).fmt(f)?;
        }
        f.write_char(' ')?;
    }
    if if_not_exists {
        f.write_str("IF NOT EXISTS ")?;
    }
    write!(f, "FOR ({}:{})", Var(var), Name(label))
}

/// True when `text` begins with a name and `IN`, as the body of a list comprehension does.
fn starts_like_comprehension(text: &str) -> bool {
    let rest = if let Some(quoted) = text.strip_prefix('`') {
        // A backticked name ends at a backtick that is not doubled.
        let mut chars = quoted.char_indices().peekable();
        let mut end = None;
        while let Some((at, c)) = chars.next() {
            if c == '`' {
                if chars.peek().is_some_and(|&(_, next)| next == '`') {
                    chars.next();
                } else {
                    end = Some(at + 1);
                    break;
                }
            }
        }
        match end {
            Some(end) => &quoted[end..],
            None => return false,
        }
    } else {
        let len = text.find(|c: char| !is_ident_char(c)).unwrap_or(text.len());
        if len == 0 {
            return false;
        }
        &text[len..]
    };
    rest.get(..4)
        .is_some_and(|word| word.eq_ignore_ascii_case(" IN "))
}

// Precedence levels, loosest first; an operand is parenthesized when its level is below the
// level its position requires.
const OR: u8 = 1;
const XOR: u8 = 2;
const AND: u8 = 3;
const NOT: u8 = 4;
const COMPARISON: u8 = 5;
const PREDICATE: u8 = 6;
const ADD: u8 = 7;
const MUL: u8 = 8;
const POW: u8 = 9;
const UNARY: u8 = 10;
const LABELS: u8 = 11;
const POSTFIX: u8 = 12;
const ATOM: u8 = 13;

fn binary_level(op: BinaryOp) -> u8 {
    match op {
        BinaryOp::Or => OR,
        BinaryOp::Xor => XOR,
        BinaryOp::And => AND,
        BinaryOp::Eq | BinaryOp::Ne | BinaryOp::Lt | BinaryOp::Gt | BinaryOp::Le | BinaryOp::Ge => {
            COMPARISON
        }
        BinaryOp::RegexMatch
        | BinaryOp::StartsWith
        | BinaryOp::EndsWith
        | BinaryOp::Contains
        | BinaryOp::In => PREDICATE,
        BinaryOp::Add | BinaryOp::Sub => ADD,
        BinaryOp::Mul | BinaryOp::Div | BinaryOp::Mod => MUL,
        BinaryOp::Pow => POW,
    }
}

fn level(e: &Expr) -> u8 {
    match &e.kind {
        ExprKind::Binary(op, ..) => binary_level(*op),
        ExprKind::Unary(UnaryOp::Not, _) => NOT,
        ExprKind::Unary(..) => UNARY,
        ExprKind::IsNull { .. } => PREDICATE,
        ExprKind::HasLabels(..) => LABELS,
        ExprKind::Property(..) | ExprKind::Index(..) | ExprKind::Slice { .. } => POSTFIX,
        ExprKind::Literal(Literal::Integer(n)) if *n < 0 => UNARY,
        ExprKind::Literal(Literal::Float(x)) if x.is_sign_negative() => UNARY,
        _ => ATOM,
    }
}

fn write_operand(f: &mut Formatter<'_>, e: &Expr, min_level: u8) -> fmt::Result {
    if level(e) < min_level {
        write!(f, "({e})")
    } else {
        e.fmt(f)
    }
}

impl Display for Literal {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Literal::Integer(n) => write!(f, "{n}"),
            // `{:?}` is the shortest text that reads back as the same float, and always has a
            // `.` or an exponent, so it reads back as a float.
            Literal::Float(x) => write!(f, "{x:?}"),
            Literal::String(s) => write_string(f, s),
            Literal::Bool(true) => f.write_str("true"),
            Literal::Bool(false) => f.write_str("false"),
            Literal::Null => f.write_str("null"),
        }
    }
}

impl Display for Subquery {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Subquery::Query(q) => write!(f, "{{ {q} }}"),
            Subquery::Pattern { pattern, where_ } => {
                write!(f, "{{ {pattern}")?;
                if let Some(w) = where_ {
                    write!(f, " WHERE {w}")?;
                }
                f.write_str(" }")
            }
        }
    }
}

impl Display for Expr {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ExprKind::Literal(l) => l.fmt(f),
            ExprKind::Parameter(name) => {
                f.write_char('$')?;
                if name.bytes().all(|b| b.is_ascii_digit()) && !name.is_empty() {
                    f.write_str(name)
                } else {
                    Name(name).fmt(f)
                }
            }
            ExprKind::Variable(name) => Var(name).fmt(f),
            ExprKind::Property(base, key) => {
                write_operand(f, base, POSTFIX)?;
                write!(f, ".{}", Name(key))
            }
            ExprKind::Index(base, index) => {
                write_operand(f, base, POSTFIX)?;
                write!(f, "[{index}]")
            }
            ExprKind::Slice { expr, from, to } => {
                write_operand(f, expr, POSTFIX)?;
                f.write_char('[')?;
                if let Some(from) = from {
                    from.fmt(f)?;
                }
                f.write_str("..")?;
                if let Some(to) = to {
                    to.fmt(f)?;
                }
                f.write_char(']')
            }
            ExprKind::HasLabels(base, labels) => {
                write_operand(f, base, POSTFIX)?;
                write_labels(f, labels)
            }
            ExprKind::Unary(UnaryOp::Not, operand) => {
                f.write_str("NOT ")?;
                write_operand(f, operand, NOT)
            }
            ExprKind::Unary(op, operand) => {
                f.write_char(if *op == UnaryOp::Negate { '-' } else { '+' })?;
                // `- -1` reads better than `--1`.
                let signed = matches!(
                    operand.kind,
                    ExprKind::Unary(UnaryOp::Negate | UnaryOp::Plus, _)
                ) || (level(operand) == UNARY
                    && matches!(operand.kind, ExprKind::Literal(_)));
                if signed {
                    f.write_char(' ')?;
                }
                // `-5` would read back as the literal -5, not as negation of 5.
                let positive_number = matches!(
                    operand.kind,
                    ExprKind::Literal(Literal::Integer(_) | Literal::Float(_))
                );
                if positive_number && level(operand) == ATOM {
                    write!(f, "({operand})")
                } else {
                    write_operand(f, operand, UNARY)
                }
            }
            ExprKind::Binary(op, lhs, rhs) => {
                let lvl = binary_level(*op);
                let (left_min, right_min) = match lvl {
                    COMPARISON => (PREDICATE, PREDICATE),
                    PREDICATE => (PREDICATE, ADD),
                    _ => (lvl, lvl + 1),
                };
                write_operand(f, lhs, left_min)?;
                write!(f, " {} ", op.symbol())?;
                write_operand(f, rhs, right_min)
            }
            ExprKind::IsNull { expr, negated } => {
                write_operand(f, expr, PREDICATE)?;
                f.write_str(if *negated { " IS NOT NULL" } else { " IS NULL" })
            }
            ExprKind::List(items) => {
                f.write_char('[')?;
                for (n, item) in items.iter().enumerate() {
                    let text = item.to_string();
                    if n > 0 {
                        f.write_str(", ")?;
                    } else if starts_like_comprehension(&text) {
                        // `[x IN l]` would read back as a list comprehension.
                        write!(f, "({text})")?;
                        continue;
                    }
                    f.write_str(&text)?;
                }
                f.write_char(']')
            }
            ExprKind::Map(entries) => {
                f.write_char('{')?;
                comma_separated(f, entries, |f, (k, v)| write!(f, "{}: {v}", Name(k)))?;
                f.write_char('}')
            }
            ExprKind::MapProjection { variable, items } => {
                write!(f, "{} {{", Var(&variable.name))?;
                comma_separated(f, items, |f, item| match item {
                    MapProjectionItem::Property(key) => write!(f, ".{}", Name(key)),
                    MapProjectionItem::AllProperties => f.write_str(".*"),
                    MapProjectionItem::Literal(key, e) => write!(f, "{}: {e}", Name(key)),
                    MapProjectionItem::Variable(v) => Var(&v.name).fmt(f),
                })?;
                f.write_char('}')
            }
            ExprKind::FunctionCall {
                name,
                distinct,
                args,
            } => {
                write!(f, "{name}(")?;
                if *distinct {
                    f.write_str("DISTINCT ")?;
                }
                comma_separated(f, args, |f, e| e.fmt(f))?;
                f.write_char(')')
            }
            ExprKind::CountStar => f.write_str("count(*)"),
            ExprKind::Case {
                operand,
                alternatives,
                default,
            } => {
                f.write_str("CASE")?;
                if let Some(operand) = operand {
                    write!(f, " {operand}")?;
                }
                for (when, then) in alternatives {
                    write!(f, " WHEN {when} THEN {then}")?;
                }
                if let Some(default) = default {
                    write!(f, " ELSE {default}")?;
                }
                f.write_str(" END")
            }
            ExprKind::ListComprehension {
                variable,
                list,
                filter,
                map,
            } => {
                write!(f, "[{} IN {list}", Var(&variable.name))?;
                if let Some(filter) = filter {
                    write!(f, " WHERE {filter}")?;
                }
                if let Some(map) = map {
                    write!(f, " | {map}")?;
                }
                f.write_char(']')
            }
            ExprKind::PatternComprehension {
                variable,
                pattern,
                filter,
                map,
            } => {
                f.write_char('[')?;
                if let Some(v) = variable {
                    write!(f, "{} = ", Var(&v.name))?;
                }
                pattern.fmt(f)?;
                if let Some(filter) = filter {
                    write!(f, " WHERE {filter}")?;
                }
                write!(f, " | {map}]")
            }
            ExprKind::PatternPredicate(pattern) => pattern.fmt(f),
            ExprKind::Quantified {
                quantifier,
                variable,
                list,
                filter,
            } => {
                let word = match quantifier {
                    Quantifier::All => "all",
                    Quantifier::Any => "any",
                    Quantifier::None => "none",
                    Quantifier::Single => "single",
                };
                write!(f, "{word}({} IN {list}", Var(&variable.name))?;
                if let Some(filter) = filter {
                    write!(f, " WHERE {filter}")?;
                }
                f.write_char(')')
            }
            ExprKind::Reduce {
                accumulator,
                init,
                variable,
                list,
                expr,
            } => write!(
                f,
                "reduce({} = {init}, {} IN {list} | {expr})",
                Var(&accumulator.name),
                Var(&variable.name)
            ),
            ExprKind::Exists(body) => write!(f, "EXISTS {body}"),
            ExprKind::CountSubquery(body) => write!(f, "COUNT {body}"),
        }
    }
}

//! The abstract syntax tree of a Cordial statement, with byte spans into the query text.
//!
//! The AST is what the parser saw, not what it means: variables are not bound, functions are not
//! resolved and literals are not `crate::value` values (this module depends on nothing else in
//! the crate). `print.rs` prints it back to canonical query text; `syntax/tests/parser.rs` snapshots it.

use std::fmt;

/// A half-open byte range `start..end` into the query text.
///
/// Spans never take part in structural comparisons of the tests (they strip them from the
/// `Debug` output), so a printed and re-parsed tree compares equal to the original.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    #[must_use]
    pub fn new(start: usize, end: usize) -> Self {
        Span { start, end }
    }

    /// The smallest span covering both.
    #[must_use]
    pub fn to(self, other: Span) -> Span {
        Span {
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }

    /// The text this span covers, or `""` when it does not fit `source`.
    #[must_use]
    pub fn text(self, source: &str) -> &str {
        source.get(self.start..self.end).unwrap_or("")
    }
}

impl fmt::Debug for Span {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "@{}..{}", self.start, self.end)
    }
}

/// A name the user chose (a variable or an alias), with where it was written.
#[derive(Clone, Debug, PartialEq)]
pub struct Ident {
    pub name: String,
    pub span: Span,
}

/// One statement: a query, a schema command or a transaction command.
#[derive(Clone, Debug, PartialEq)]
pub enum Statement {
    Query(Query),
    /// `EXPLAIN query`: plan, do not run.
    Explain(Query),
    /// `PROFILE query`: run and report the plan with counts.
    Profile(Query),
    Schema(SchemaCommand),
    Begin,
    Commit,
    Rollback,
}

/// `single_query (UNION [ALL] single_query)*`.
#[derive(Clone, Debug, PartialEq)]
pub struct Query {
    pub first: SingleQuery,
    pub unions: Vec<Union>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Union {
    pub all: bool,
    pub query: SingleQuery,
}

/// A sequence of clauses. The parser guarantees it is not empty, that `RETURN` comes last if at
/// all, and (outside `EXISTS`/`COUNT` subqueries) that it ends in `RETURN`, an update or `CALL`.
#[derive(Clone, Debug, PartialEq)]
pub struct SingleQuery {
    pub clauses: Vec<Clause>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Clause {
    pub kind: ClauseKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ClauseKind {
    Match(Match),
    Unwind(Unwind),
    With(Projection),
    Return(Projection),
    Create(Pattern),
    Merge(Merge),
    Set(Vec<SetItem>),
    Remove(Vec<RemoveItem>),
    Delete(Delete),
    Call(Call),
    LoadCsv(LoadCsv),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Match {
    pub optional: bool,
    pub pattern: Pattern,
    pub where_: Option<Expr>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Unwind {
    pub expr: Expr,
    pub variable: Ident,
}

/// The body of `WITH` and `RETURN`. `where_` is only ever set for `WITH`.
#[derive(Clone, Debug, PartialEq)]
pub struct Projection {
    pub distinct: bool,
    /// `*`: every variable in scope, before the explicit items.
    pub star: bool,
    pub items: Vec<ProjectionItem>,
    pub order_by: Vec<SortItem>,
    pub skip: Option<Expr>,
    pub limit: Option<Expr>,
    pub where_: Option<Expr>,
}

/// `expr [AS alias]`. An unaliased column is named by the source text `expr.span` covers.
#[derive(Clone, Debug, PartialEq)]
pub struct ProjectionItem {
    pub expr: Expr,
    pub alias: Option<Ident>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SortOrder {
    Ascending,
    Descending,
}

#[derive(Clone, Debug, PartialEq)]
pub struct SortItem {
    pub expr: Expr,
    pub order: SortOrder,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Merge {
    pub part: PatternPart,
    pub actions: Vec<MergeAction>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct MergeAction {
    /// `ON CREATE` when true, `ON MATCH` otherwise.
    pub on_create: bool,
    pub items: Vec<SetItem>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum SetItem {
    /// `target.key = value`; `target` is any expression (`n`, `(n)`, `head(l)`).
    Property {
        target: Expr,
        key: String,
        value: Expr,
        span: Span,
    },
    /// `n = map`: replace all properties.
    Replace {
        variable: Ident,
        value: Expr,
        span: Span,
    },
    /// `n += map`: add and overwrite properties.
    Update {
        variable: Ident,
        value: Expr,
        span: Span,
    },
    /// `n:A:B`.
    Labels {
        variable: Ident,
        labels: Vec<String>,
        span: Span,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub enum RemoveItem {
    Property {
        target: Expr,
        key: String,
        span: Span,
    },
    Labels {
        variable: Ident,
        labels: Vec<String>,
        span: Span,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub struct Delete {
    pub detach: bool,
    pub exprs: Vec<Expr>,
}

/// `CALL ns.name(args) YIELD ...`. `args` is `None` for the standalone form without parentheses,
/// whose arguments come from parameters of the same names.
#[derive(Clone, Debug, PartialEq)]
pub struct Call {
    pub procedure: QualifiedName,
    pub args: Option<Vec<Expr>>,
    pub yield_: Option<Yield>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Yield {
    /// `YIELD *`.
    pub star: bool,
    pub items: Vec<YieldItem>,
    pub where_: Option<Expr>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct YieldItem {
    pub field: String,
    pub alias: Option<Ident>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct LoadCsv {
    pub with_headers: bool,
    pub source: Expr,
    pub variable: Ident,
    pub field_terminator: Option<String>,
}

/// A dotted name: `count`, `date.truncate`, `crm.customer.health`.
#[derive(Clone, Debug, PartialEq)]
pub struct QualifiedName {
    pub namespace: Vec<String>,
    pub name: String,
    pub span: Span,
}

impl QualifiedName {
    /// The name with its namespace, joined by dots, as the function and procedure registries
    /// key them (case is preserved; registries compare case-insensitively where they should).
    #[must_use]
    pub fn full_name(&self) -> String {
        let mut full = String::new();
        for part in &self.namespace {
            full.push_str(part);
            full.push('.');
        }
        full.push_str(&self.name);
        full
    }
}

/// Comma-separated pattern parts, as in `MATCH` and `CREATE`.
#[derive(Clone, Debug, PartialEq)]
pub struct Pattern {
    pub parts: Vec<PatternPart>,
    pub span: Span,
}

/// `[p =] path`, `[p =] shortestPath(path)` or `[p =] allShortestPaths(path)`.
#[derive(Clone, Debug, PartialEq)]
pub struct PatternPart {
    pub variable: Option<Ident>,
    pub shortest: Option<Shortest>,
    pub path: PathPattern,
    pub span: Span,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shortest {
    One,
    All,
}

/// A node followed by zero or more (relationship, node) steps.
#[derive(Clone, Debug, PartialEq)]
pub struct PathPattern {
    pub start: NodePattern,
    pub steps: Vec<(RelPattern, NodePattern)>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub struct NodePattern {
    pub variable: Option<Ident>,
    pub labels: Vec<String>,
    /// A map literal or a parameter.
    pub properties: Option<Expr>,
    pub span: Span,
}

/// Direction as written, left to right: `-->` is `Outgoing`, `<--` is `Incoming`, `--` and
/// `<-->` are `Both` (either direction matches).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    Outgoing,
    Incoming,
    Both,
}

#[derive(Clone, Debug, PartialEq)]
pub struct RelPattern {
    pub variable: Option<Ident>,
    /// Alternatives: `[:A|B]` matches either type. Empty means any type.
    pub types: Vec<String>,
    pub direction: Direction,
    /// `Some` for variable length (`*`, `*2`, `*1..3`).
    pub length: Option<VarLength>,
    /// A map literal or a parameter.
    pub properties: Option<Expr>,
    pub span: Span,
}

/// Bounds of a variable-length relationship; `*2` has `min == max == Some(2)`, `*` has neither.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct VarLength {
    pub min: Option<u64>,
    pub max: Option<u64>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Literal {
    Integer(i64),
    Float(f64),
    String(String),
    Bool(bool),
    Null,
}

/// A unary operator of openCypher. The one table of operators: the parser produces these, the
/// plan carries them (`plan::logical` re-exports them), the executor evaluates them
/// (`exec::ops`), and the printers write `symbol()`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UnaryOp {
    Not,
    /// `-x`
    Negate,
    /// `+x`: the number itself.
    Plus,
}

/// A binary operator of openCypher (see `UnaryOp`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BinaryOp {
    Or,
    Xor,
    And,
    Eq,
    Ne,
    Lt,
    Gt,
    Le,
    Ge,
    /// `=~`: the whole string matches the pattern.
    RegexMatch,
    StartsWith,
    EndsWith,
    Contains,
    In,
    Add,
    Sub,
    Mul,
    Div,
    Mod,
    /// `^`: always a float.
    Pow,
}

impl BinaryOp {
    /// The operator as query text writes it (`+`, `STARTS WITH`, `=~`).
    #[must_use]
    pub fn symbol(self) -> &'static str {
        match self {
            BinaryOp::Or => "OR",
            BinaryOp::Xor => "XOR",
            BinaryOp::And => "AND",
            BinaryOp::Eq => "=",
            BinaryOp::Ne => "<>",
            BinaryOp::Lt => "<",
            BinaryOp::Gt => ">",
            BinaryOp::Le => "<=",
            BinaryOp::Ge => ">=",
            BinaryOp::RegexMatch => "=~",
            BinaryOp::StartsWith => "STARTS WITH",
            BinaryOp::EndsWith => "ENDS WITH",
            BinaryOp::Contains => "CONTAINS",
            BinaryOp::In => "IN",
            BinaryOp::Add => "+",
            BinaryOp::Sub => "-",
            BinaryOp::Mul => "*",
            BinaryOp::Div => "/",
            BinaryOp::Mod => "%",
            BinaryOp::Pow => "^",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Quantifier {
    All,
    Any,
    None,
    Single,
}

#[derive(Clone, Debug, PartialEq)]
pub enum MapProjectionItem {
    /// `.key`
    Property(String),
    /// `.*`
    AllProperties,
    /// `key: expr`
    Literal(String, Expr),
    /// `var`: the variable's value under its own name.
    Variable(Ident),
}

/// The body of `EXISTS { }` and `COUNT { }`.
#[derive(Clone, Debug, PartialEq)]
pub enum Subquery {
    /// A full query; it need not end in `RETURN`.
    Query(Box<Query>),
    /// The short form: a pattern with an optional `WHERE`.
    Pattern {
        pattern: Pattern,
        where_: Option<Box<Expr>>,
    },
}

#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    Literal(Literal),
    /// `$name` or `$0`.
    Parameter(String),
    Variable(String),
    /// `expr.key`
    Property(Box<Expr>, String),
    /// `expr[index]`
    Index(Box<Expr>, Box<Expr>),
    /// `expr[from..to]`, either bound optional.
    Slice {
        expr: Box<Expr>,
        from: Option<Box<Expr>>,
        to: Option<Box<Expr>>,
    },
    /// `expr:A:B`: true when the node has every label (or the relationship the type).
    HasLabels(Box<Expr>, Vec<String>),
    Unary(UnaryOp, Box<Expr>),
    /// A comparison chain `a < b < c` arrives as `a < b AND b < c`, `b` cloned.
    Binary(BinaryOp, Box<Expr>, Box<Expr>),
    /// `expr IS NULL` (`negated`: `IS NOT NULL`).
    IsNull {
        expr: Box<Expr>,
        negated: bool,
    },
    List(Vec<Expr>),
    Map(Vec<(String, Expr)>),
    MapProjection {
        variable: Ident,
        items: Vec<MapProjectionItem>,
    },
    FunctionCall {
        name: QualifiedName,
        distinct: bool,
        args: Vec<Expr>,
    },
    /// `count(*)`
    CountStar,
    Case {
        operand: Option<Box<Expr>>,
        alternatives: Vec<(Expr, Expr)>,
        default: Option<Box<Expr>>,
    },
    ListComprehension {
        variable: Ident,
        list: Box<Expr>,
        filter: Option<Box<Expr>>,
        map: Option<Box<Expr>>,
    },
    PatternComprehension {
        variable: Option<Ident>,
        pattern: Box<PathPattern>,
        filter: Option<Box<Expr>>,
        map: Box<Expr>,
    },
    /// A pattern used as a predicate (`WHERE (a)-->(b)`); only allowed inside `WHERE`.
    PatternPredicate(Box<PathPattern>),
    Quantified {
        quantifier: Quantifier,
        variable: Ident,
        list: Box<Expr>,
        filter: Option<Box<Expr>>,
    },
    Reduce {
        accumulator: Ident,
        init: Box<Expr>,
        variable: Ident,
        list: Box<Expr>,
        expr: Box<Expr>,
    },
    Exists(Box<Subquery>),
    CountSubquery(Box<Subquery>),
}

/// Schema and catalogue statements.
#[derive(Clone, Debug, PartialEq)]
pub enum SchemaCommand {
    CreateIndex {
        name: Option<String>,
        if_not_exists: bool,
        variable: Ident,
        label: String,
        properties: Vec<String>,
    },
    DropIndex {
        name: String,
        if_exists: bool,
    },
    CreateConstraint {
        name: Option<String>,
        if_not_exists: bool,
        variable: Ident,
        label: String,
        properties: Vec<String>,
        kind: ConstraintKind,
    },
    DropConstraint {
        name: String,
        if_exists: bool,
    },
    Show(ShowKind),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConstraintKind {
    Unique,
    NotNull,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ShowKind {
    Indexes,
    Constraints,
    Procedures,
    Functions,
}

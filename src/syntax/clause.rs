//! Statements, queries and clauses: reading, projecting, updating, procedure calls, `LOAD CSV`
//! and transaction commands (schema commands are in `schema.rs`). Also the purely syntactic TCK checks that need to know the
//! clause (parameters as `MATCH` properties, `DELETE n:L`, unaliased `WITH` items).

use super::ast::{
    Call, Clause, ClauseKind, Delete, Expr, ExprKind, Ident, LoadCsv, Match, Merge, MergeAction,
    Pattern, Projection, ProjectionItem, Query, RemoveItem, SetItem, SingleQuery, SortItem,
    SortOrder, Span, Statement, Union, Unwind, Yield, YieldItem,
};
use super::atom::{comma_list, qualified_name, where_expression};
use super::error::SyntaxErrorKind;
use super::expr::{expression, postfix};
use super::lexer::{
    Input, PError, PResult, cut_err, expect, fail, failure, kw, name_token, offset, opt_kw,
    opt_sym, peek_kw, string_literal, sym, variable, ws,
};
use super::pattern::{self};
use super::schema::schema_command;

/// One statement, without the trailing `;`.
pub(crate) fn statement(i: Input<'_>) -> PResult<'_, Statement> {
    let (i, ()) = ws(i)?;
    if let (rest, Some(_)) = opt_kw(i, "EXPLAIN")? {
        let (rest, q) = expect(rest, "query", |i| query(i, false)).map_err(cut_err)?;
        return Ok((rest, Statement::Explain(q)));
    }
    if let (rest, Some(_)) = opt_kw(i, "PROFILE")? {
        let (rest, q) = expect(rest, "query", |i| query(i, false)).map_err(cut_err)?;
        return Ok((rest, Statement::Profile(q)));
    }
    if let Ok((rest, command)) = transaction_command(i) {
        return Ok((rest, command));
    }
    match schema_command(i) {
        Ok((rest, command)) => return Ok((rest, Statement::Schema(command))),
        Err(nom::Err::Error(_)) => {}
        Err(e) => return Err(e),
    }
    let (i, q) = query(i, false)?;
    Ok((i, Statement::Query(q)))
}

/// `BEGIN`, `COMMIT` or `ROLLBACK`.
pub(crate) fn transaction_command(i: Input<'_>) -> PResult<'_, Statement> {
    for (word, statement) in [
        ("BEGIN", Statement::Begin),
        ("COMMIT", Statement::Commit),
        ("ROLLBACK", Statement::Rollback),
    ] {
        if let (rest, Some(_)) = opt_kw(i, word)? {
            return Ok((rest, statement));
        }
    }
    fail(&i, "BEGIN")
}

/// `single_query (UNION [ALL] single_query)*`. Inside `EXISTS { }` and `COUNT { }`
/// (`subquery`) a query need not end in `RETURN`.
pub(crate) fn query(i: Input<'_>, subquery: bool) -> PResult<'_, Query> {
    let (mut i, first) = single_query(i, subquery)?;
    let mut span = first.span;
    let mut unions = Vec::new();
    while let (rest, Some(_)) = opt_kw(i, "UNION")? {
        let (rest, all) = opt_kw(rest, "ALL")?;
        let (rest, q) = expect(rest, "query", |i| single_query(i, subquery)).map_err(cut_err)?;
        span = span.to(q.span);
        unions.push(Union {
            all: all.is_some(),
            query: q,
        });
        i = rest;
    }
    Ok((
        i,
        Query {
            first,
            unions,
            span,
        },
    ))
}

const CLAUSE_KEYWORDS: &[&str] = &[
    "MATCH", "OPTIONAL", "UNWIND", "WITH", "RETURN", "CREATE", "MERGE", "SET", "REMOVE", "DELETE",
    "DETACH", "CALL", "LOAD",
];

/// True when the next token starts a clause.
pub(crate) fn starts_clause(i: Input<'_>) -> bool {
    CLAUSE_KEYWORDS.iter().any(|word| peek_kw(i, word))
}

/// Clauses up to and including `RETURN`, or up to the first token that starts no clause.
pub(crate) fn single_query(i: Input<'_>, subquery: bool) -> PResult<'_, SingleQuery> {
    let mut clauses: Vec<Clause> = Vec::new();
    let mut i = i;
    loop {
        match clause(i) {
            Ok((rest, c)) => {
                let is_return = matches!(c.kind, ClauseKind::Return(_));
                clauses.push(c);
                i = rest;
                if is_return {
                    if starts_clause(i) {
                        let (at, ()) = ws(i)?;
                        let mut err = PError::expected_at(offset(&at), "UNION");
                        err.message = Some(
                            "RETURN must be the last clause; use WITH to pass rows on".to_owned(),
                        );
                        return Err(nom::Err::Failure(err));
                    }
                    break;
                }
            }
            Err(nom::Err::Error(e)) => {
                let Some(last) = clauses.last() else {
                    return Err(nom::Err::Error(e));
                };
                let concludes = matches!(
                    last.kind,
                    ClauseKind::Return(_)
                        | ClauseKind::Create(_)
                        | ClauseKind::Merge(_)
                        | ClauseKind::Set(_)
                        | ClauseKind::Remove(_)
                        | ClauseKind::Delete(_)
                        | ClauseKind::Call(_)
                );
                if !concludes && !subquery {
                    let mut err = e;
                    err.message = Some(format!(
                        "a query cannot end with {}; expected RETURN or another clause",
                        clause_name(&last.kind)
                    ));
                    return Err(nom::Err::Failure(err));
                }
                break;
            }
            Err(e) => return Err(e),
        }
    }
    let span = match (clauses.first(), clauses.last()) {
        (Some(first), Some(last)) => first.span.to(last.span),
        _ => return fail(&i, "clause"),
    };
    Ok((i, SingleQuery { clauses, span }))
}

fn clause_name(kind: &ClauseKind) -> &'static str {
    match kind {
        ClauseKind::Match(m) if m.optional => "OPTIONAL MATCH",
        ClauseKind::Match(_) => "MATCH",
        ClauseKind::Unwind(_) => "UNWIND",
        ClauseKind::With(_) => "WITH",
        ClauseKind::Return(_) => "RETURN",
        ClauseKind::Create(_) => "CREATE",
        ClauseKind::Merge(_) => "MERGE",
        ClauseKind::Set(_) => "SET",
        ClauseKind::Remove(_) => "REMOVE",
        ClauseKind::Delete(_) => "DELETE",
        ClauseKind::Call(_) => "CALL",
        ClauseKind::LoadCsv(_) => "LOAD CSV",
    }
}

/// Any clause, chosen by its first keyword; everything after the keyword is committed.
pub(crate) fn clause(i: Input<'_>) -> PResult<'_, Clause> {
    let (i, ()) = ws(i)?;
    let start = offset(&i);
    let parsers: [fn(Input<'_>) -> PResult<'_, ClauseKind>; 11] = [
        match_clause,
        unwind_clause,
        with_clause,
        return_clause,
        create_clause,
        merge_clause,
        set_clause,
        remove_clause,
        delete_clause,
        call_clause,
        load_csv_clause,
    ];
    for parser in parsers {
        match parser(i) {
            Ok((rest, kind)) => {
                // Parsers skip whitespace before a token, never after, so `rest` starts right
                // after the clause's last token.
                let end = offset(&rest).max(start);
                return Ok((
                    rest,
                    Clause {
                        kind,
                        span: Span::new(start, end),
                    },
                ));
            }
            Err(nom::Err::Error(_)) => {}
            Err(e) => return Err(e),
        }
    }
    let mut err = PError::expected_at(start, "MATCH");
    err.expected = CLAUSE_KEYWORDS
        .iter()
        .filter(|w| **w != "DETACH" && **w != "OPTIONAL")
        .copied()
        .collect();
    Err(nom::Err::Error(err))
}

/// Runs `f` after a committing keyword: its errors are final, and name `what` when nothing of
/// it was there at all.
pub(super) fn after_keyword<'a, T>(
    i: Input<'a>,
    what: &'static str,
    f: fn(Input<'a>) -> PResult<'a, T>,
) -> PResult<'a, T> {
    expect(i, what, f).map_err(cut_err)
}

/// `[OPTIONAL] MATCH pattern [WHERE expr]`.
pub(crate) fn match_clause(i: Input<'_>) -> PResult<'_, ClauseKind> {
    let (i, optional) = opt_kw(i, "OPTIONAL")?;
    let (i, _) = if optional.is_some() {
        kw("MATCH")(i).map_err(cut_err)?
    } else {
        kw("MATCH")(i)?
    };
    let (i, pattern) = after_keyword(i, "pattern", pattern::pattern)?;
    reject_parameter_properties(&pattern)?;
    let (i, where_) = opt_where_clause(i)?;
    Ok((
        i,
        ClauseKind::Match(Match {
            optional: optional.is_some(),
            pattern,
            where_,
        }),
    ))
}

/// `MATCH (n $param)` is not allowed: a parameter map there would hide which properties are
/// compared, so the TCK rejects it (`InvalidParameterUse`); `CREATE (n $param)` is fine.
fn reject_parameter_properties(pattern: &Pattern) -> Result<(), nom::Err<PError>> {
    for part in &pattern.parts {
        let nodes = std::iter::once(&part.path.start).chain(part.path.steps.iter().map(|(_, n)| n));
        let node_props = nodes.filter_map(|n| n.properties.as_ref());
        let rel_props = part
            .path
            .steps
            .iter()
            .filter_map(|(r, _)| r.properties.as_ref());
        for props in node_props.chain(rel_props) {
            if matches!(props.kind, ExprKind::Parameter(_)) {
                return Err(nom::Err::Failure(PError::custom(
                    props.span,
                    SyntaxErrorKind::InvalidParameterUse,
                    "a parameter cannot be used as a property map in MATCH or MERGE",
                )));
            }
        }
    }
    Ok(())
}

/// `WHERE expr`, if present.
pub(crate) fn opt_where_clause(i: Input<'_>) -> PResult<'_, Option<Expr>> {
    match opt_kw(i, "WHERE")? {
        (rest, Some(_)) => {
            let (rest, e) = where_expression(rest)?;
            Ok((rest, Some(e)))
        }
        (rest, None) => Ok((rest, None)),
    }
}

/// `UNWIND expr AS var`.
pub(crate) fn unwind_clause(i: Input<'_>) -> PResult<'_, ClauseKind> {
    let (i, _) = kw("UNWIND")(i)?;
    let (i, e) = after_keyword(i, "expression", expression)?;
    let (i, _) = kw("AS")(i).map_err(cut_err)?;
    let (i, var) = after_keyword(i, "variable", variable)?;
    Ok((
        i,
        ClauseKind::Unwind(Unwind {
            expr: e,
            variable: var,
        }),
    ))
}

/// `WITH [DISTINCT] items [ORDER BY ...] [SKIP e] [LIMIT e] [WHERE e]`.
pub(crate) fn with_clause(i: Input<'_>) -> PResult<'_, ClauseKind> {
    let (i, _) = kw("WITH")(i)?;
    let (i, mut projection) = projection_body(i)?;
    for item in &projection.items {
        if item.alias.is_none() && !matches!(item.expr.kind, ExprKind::Variable(_)) {
            return failure(
                item.expr.span,
                SyntaxErrorKind::NoExpressionAlias,
                "an expression in WITH must be aliased with AS",
            );
        }
    }
    let (i, where_) = opt_where_clause(i)?;
    projection.where_ = where_;
    Ok((i, ClauseKind::With(projection)))
}

/// `RETURN [DISTINCT] items [ORDER BY ...] [SKIP e] [LIMIT e]`.
pub(crate) fn return_clause(i: Input<'_>) -> PResult<'_, ClauseKind> {
    let (i, _) = kw("RETURN")(i)?;
    let (i, projection) = projection_body(i)?;
    Ok((i, ClauseKind::Return(projection)))
}

fn projection_body(i: Input<'_>) -> PResult<'_, Projection> {
    let (i, distinct) = opt_kw(i, "DISTINCT")?;
    let (i, (star, items)) = projection_items(i)?;
    let (i, order_by) = match opt_kw(i, "ORDER")? {
        (rest, Some(_)) => {
            let (rest, _) = kw("BY")(rest).map_err(cut_err)?;
            order_by(rest)?
        }
        (rest, None) => (rest, Vec::new()),
    };
    let (i, skip) = match opt_kw(i, "SKIP")? {
        (rest, Some(_)) => {
            let (rest, e) = after_keyword(rest, "expression", expression)?;
            (rest, Some(e))
        }
        (rest, None) => (rest, None),
    };
    let (i, limit) = match opt_kw(i, "LIMIT")? {
        (rest, Some(_)) => {
            let (rest, e) = after_keyword(rest, "expression", expression)?;
            (rest, Some(e))
        }
        (rest, None) => (rest, None),
    };
    let projection = Projection {
        distinct: distinct.is_some(),
        star,
        items,
        order_by,
        skip,
        limit,
        where_: None,
    };
    Ok((i, projection))
}

/// `*`, `* , item, ...` or `item, ...` where `item` is `expr [AS alias]`.
pub(crate) fn projection_items(i: Input<'_>) -> PResult<'_, (bool, Vec<ProjectionItem>)> {
    let (i, star) = opt_sym(i, "*")?;
    let mut items = Vec::new();
    let mut i = i;
    if star.is_some() {
        while let (rest, Some(_)) = opt_sym(i, ",")? {
            let (rest, item) = after_keyword(rest, "expression", projection_item)?;
            items.push(item);
            i = rest;
        }
        return Ok((i, (true, items)));
    }
    let (at, ()) = ws(i)?;
    let start = offset(&at);
    let (rest, first) = after_keyword(i, "expression", projection_item).map_err(|e| {
        e.map(|mut err| {
            if err.start == start && err.message.is_none() {
                err.expected.insert(0, "*");
            }
            err
        })
    })?;
    items.push(first);
    i = rest;
    while let (rest, Some(_)) = opt_sym(i, ",")? {
        let (rest, item) = after_keyword(rest, "expression", projection_item)?;
        items.push(item);
        i = rest;
    }
    Ok((i, (false, items)))
}

/// `expr [AS alias]`.
pub(crate) fn projection_item(i: Input<'_>) -> PResult<'_, ProjectionItem> {
    let (i, e) = expression(i)?;
    let (i, alias) = match opt_kw(i, "AS")? {
        (rest, Some(_)) => {
            let (rest, a) = after_keyword(rest, "variable", variable)?;
            (rest, Some(a))
        }
        (rest, None) => (rest, None),
    };
    Ok((i, ProjectionItem { expr: e, alias }))
}

/// `sort_item (, sort_item)*`, after `ORDER BY`.
pub(crate) fn order_by(i: Input<'_>) -> PResult<'_, Vec<SortItem>> {
    let (mut i, first) = after_keyword(i, "expression", sort_item)?;
    let mut items = vec![first];
    while let (rest, Some(_)) = opt_sym(i, ",")? {
        let (rest, item) = after_keyword(rest, "expression", sort_item)?;
        items.push(item);
        i = rest;
    }
    Ok((i, items))
}

/// `expr [ASC | ASCENDING | DESC | DESCENDING]`.
pub(crate) fn sort_item(i: Input<'_>) -> PResult<'_, SortItem> {
    let (i, e) = expression(i)?;
    for (word, order) in [
        ("ASCENDING", SortOrder::Ascending),
        ("ASC", SortOrder::Ascending),
        ("DESCENDING", SortOrder::Descending),
        ("DESC", SortOrder::Descending),
    ] {
        if let (rest, Some(_)) = opt_kw(i, word)? {
            return Ok((rest, SortItem { expr: e, order }));
        }
    }
    Ok((
        i,
        SortItem {
            expr: e,
            order: SortOrder::Ascending,
        },
    ))
}

/// `CREATE pattern`.
pub(crate) fn create_clause(i: Input<'_>) -> PResult<'_, ClauseKind> {
    let (i, _) = kw("CREATE")(i)?;
    let (i, p) = after_keyword(i, "pattern", pattern::pattern)?;
    Ok((i, ClauseKind::Create(p)))
}

/// `MERGE part (ON CREATE SET items | ON MATCH SET items)*`.
pub(crate) fn merge_clause(i: Input<'_>) -> PResult<'_, ClauseKind> {
    let (i, _) = kw("MERGE")(i)?;
    let (i, part) = after_keyword(i, "pattern", pattern::pattern_part)?;
    reject_parameter_properties(&Pattern {
        span: part.span,
        parts: vec![part.clone()],
    })?;
    let mut actions = Vec::new();
    let mut i = i;
    while let (rest, Some(_)) = opt_kw(i, "ON")? {
        let (rest, on_create) = match opt_kw(rest, "CREATE")? {
            (rest, Some(_)) => (rest, true),
            (rest, None) => {
                let (rest, _) = kw("MATCH")(rest).map_err(|e| {
                    cut_err(e.map(|mut err| {
                        err.expected.insert(0, "CREATE");
                        err
                    }))
                })?;
                (rest, false)
            }
        };
        let (rest, _) = kw("SET")(rest).map_err(cut_err)?;
        let (rest, items) = set_items(rest)?;
        actions.push(MergeAction { on_create, items });
        i = rest;
    }
    Ok((i, ClauseKind::Merge(Merge { part, actions })))
}

/// `SET item (, item)*`.
pub(crate) fn set_clause(i: Input<'_>) -> PResult<'_, ClauseKind> {
    let (i, _) = kw("SET")(i)?;
    let (i, items) = set_items(i)?;
    Ok((i, ClauseKind::Set(items)))
}

fn set_items(i: Input<'_>) -> PResult<'_, Vec<SetItem>> {
    let (mut i, first) = after_keyword(i, "set item", set_item)?;
    let mut items = vec![first];
    while let (rest, Some(_)) = opt_sym(i, ",")? {
        let (rest, item) = after_keyword(rest, "set item", set_item)?;
        items.push(item);
        i = rest;
    }
    Ok((i, items))
}

/// `target.key = e`, `var = e`, `var += e` or `var:A:B`.
pub(crate) fn set_item(i: Input<'_>) -> PResult<'_, SetItem> {
    let (i, target) = postfix(i)?;
    let span_start = target.span.start;
    match target.kind {
        ExprKind::Property(object, key) => {
            let (i, _) = sym("=")(i).map_err(cut_err)?;
            let (i, value) = after_keyword(i, "expression", expression)?;
            let span = Span::new(span_start, value.span.end);
            Ok((
                i,
                SetItem::Property {
                    target: *object,
                    key,
                    value,
                    span,
                },
            ))
        }
        ExprKind::HasLabels(object, labels) => {
            let ExprKind::Variable(name) = object.kind else {
                return failure(
                    object.span,
                    SyntaxErrorKind::UnexpectedSyntax,
                    "labels can only be set on a variable",
                );
            };
            let variable = Ident {
                name,
                span: object.span,
            };
            Ok((
                i,
                SetItem::Labels {
                    variable,
                    labels,
                    span: target.span,
                },
            ))
        }
        ExprKind::Variable(name) => {
            let variable = Ident {
                name,
                span: target.span,
            };
            if let (rest, Some(_)) = opt_sym(i, "+=")? {
                let (rest, value) = after_keyword(rest, "expression", expression)?;
                let span = Span::new(span_start, value.span.end);
                return Ok((
                    rest,
                    SetItem::Update {
                        variable,
                        value,
                        span,
                    },
                ));
            }
            let (i, _) = sym("=")(i).map_err(|e| {
                cut_err(e.map(|mut err| {
                    err.expected = vec![".", "=", "+=", ":"];
                    err
                }))
            })?;
            let (i, value) = after_keyword(i, "expression", expression)?;
            let span = Span::new(span_start, value.span.end);
            Ok((
                i,
                SetItem::Replace {
                    variable,
                    value,
                    span,
                },
            ))
        }
        _ => failure(
            target.span,
            SyntaxErrorKind::UnexpectedSyntax,
            "expected a property, a variable or labels to set",
        ),
    }
}

/// `REMOVE item (, item)*` where an item is `target.key` or `var:A:B`.
pub(crate) fn remove_clause(i: Input<'_>) -> PResult<'_, ClauseKind> {
    let (i, _) = kw("REMOVE")(i)?;
    let (mut i, first) = after_keyword(i, "remove item", remove_item)?;
    let mut items = vec![first];
    while let (rest, Some(_)) = opt_sym(i, ",")? {
        let (rest, item) = after_keyword(rest, "remove item", remove_item)?;
        items.push(item);
        i = rest;
    }
    Ok((i, ClauseKind::Remove(items)))
}

pub(crate) fn remove_item(i: Input<'_>) -> PResult<'_, RemoveItem> {
    let (i, target) = postfix(i)?;
    match target.kind {
        ExprKind::Property(object, key) => Ok((
            i,
            RemoveItem::Property {
                target: *object,
                key,
                span: target.span,
            },
        )),
        ExprKind::HasLabels(object, labels) => {
            let ExprKind::Variable(name) = object.kind else {
                return failure(
                    object.span,
                    SyntaxErrorKind::UnexpectedSyntax,
                    "labels can only be removed from a variable",
                );
            };
            let variable = Ident {
                name,
                span: object.span,
            };
            Ok((
                i,
                RemoveItem::Labels {
                    variable,
                    labels,
                    span: target.span,
                },
            ))
        }
        _ => {
            let (at, ()) = ws(i)?;
            let mut err = PError::expected_at(offset(&at), ".");
            err.expected.push(":");
            Err(nom::Err::Failure(err))
        }
    }
}

/// `[DETACH] DELETE expr (, expr)*`.
pub(crate) fn delete_clause(i: Input<'_>) -> PResult<'_, ClauseKind> {
    let (i, detach) = opt_kw(i, "DETACH")?;
    let (i, _) = if detach.is_some() {
        kw("DELETE")(i).map_err(cut_err)?
    } else {
        kw("DELETE")(i)?
    };
    let (mut i, first) = after_keyword(i, "expression", expression)?;
    let mut exprs = vec![first];
    while let (rest, Some(_)) = opt_sym(i, ",")? {
        let (rest, e) = after_keyword(rest, "expression", expression)?;
        exprs.push(e);
        i = rest;
    }
    if let Some(labelled) = exprs
        .iter()
        .find(|e| matches!(e.kind, ExprKind::HasLabels(..)))
    {
        return failure(
            labelled.span,
            SyntaxErrorKind::InvalidDelete,
            "DELETE removes nodes and relationships; use REMOVE to remove labels",
        );
    }
    Ok((
        i,
        ClauseKind::Delete(Delete {
            detach: detach.is_some(),
            exprs,
        }),
    ))
}

/// `CALL ns.proc[(args)] [YIELD * | YIELD field [AS alias], ... [WHERE expr]]`.
pub(crate) fn call_clause(i: Input<'_>) -> PResult<'_, ClauseKind> {
    let (i, _) = kw("CALL")(i)?;
    let (i, procedure) = after_keyword(i, "procedure name", qualified_name)?;
    let (i, args) = match opt_sym(i, "(")? {
        (rest, Some(_)) => {
            let (rest, args) = comma_list(rest, ")", "expression", expression)?;
            let (rest, _) = sym(")")(rest).map_err(cut_err)?;
            (rest, Some(args))
        }
        (rest, None) => (rest, None),
    };
    let (i, yield_) = match opt_kw(i, "YIELD")? {
        (rest, Some(_)) => {
            let (rest, y) = yield_items(rest)?;
            (rest, Some(y))
        }
        (rest, None) => (rest, None),
    };
    Ok((
        i,
        ClauseKind::Call(Call {
            procedure,
            args,
            yield_,
        }),
    ))
}

/// After `YIELD`: `*` or `field [AS alias] (, ...)*`, then `[WHERE expr]`.
pub(crate) fn yield_items(i: Input<'_>) -> PResult<'_, Yield> {
    if let (rest, Some(_)) = opt_sym(i, "*")? {
        return Ok((
            rest,
            Yield {
                star: true,
                items: Vec::new(),
                where_: None,
            },
        ));
    }
    let (mut i, first) = after_keyword(i, "field name", yield_item)?;
    let mut items = vec![first];
    while let (rest, Some(_)) = opt_sym(i, ",")? {
        let (rest, item) = after_keyword(rest, "field name", yield_item)?;
        items.push(item);
        i = rest;
    }
    let (i, where_) = opt_where_clause(i)?;
    Ok((
        i,
        Yield {
            star: false,
            items,
            where_,
        },
    ))
}

fn yield_item(i: Input<'_>) -> PResult<'_, YieldItem> {
    let (i, (field, _, field_span)) = name_token(i)?;
    match opt_kw(i, "AS")? {
        (rest, Some(_)) => {
            let (rest, alias) = after_keyword(rest, "variable", variable)?;
            let span = field_span.to(alias.span);
            Ok((
                rest,
                YieldItem {
                    field,
                    alias: Some(alias),
                    span,
                },
            ))
        }
        (rest, None) => Ok((
            rest,
            YieldItem {
                field,
                alias: None,
                span: field_span,
            },
        )),
    }
}

/// `LOAD CSV [WITH HEADERS] FROM expr AS var [FIELDTERMINATOR 'c']`.
pub(crate) fn load_csv_clause(i: Input<'_>) -> PResult<'_, ClauseKind> {
    let (i, _) = kw("LOAD")(i)?;
    let (i, _) = kw("CSV")(i).map_err(cut_err)?;
    let (i, with_headers) = match opt_kw(i, "WITH")? {
        (rest, Some(_)) => (kw("HEADERS")(rest).map_err(cut_err)?.0, true),
        (rest, None) => (rest, false),
    };
    let (i, _) = kw("FROM")(i).map_err(cut_err)?;
    let (i, source) = after_keyword(i, "expression", expression)?;
    let (i, _) = kw("AS")(i).map_err(cut_err)?;
    let (i, var) = after_keyword(i, "variable", variable)?;
    let (i, field_terminator) = match opt_kw(i, "FIELDTERMINATOR")? {
        (rest, Some(_)) => {
            let (rest, (s, _)) = after_keyword(rest, "string", string_literal)?;
            (rest, Some(s))
        }
        (rest, None) => (rest, None),
    };
    Ok((
        i,
        ClauseKind::LoadCsv(LoadCsv {
            with_headers,
            source,
            variable: var,
            field_terminator,
        }),
    ))
}

#[cfg(test)]
mod tests {
    use super::super::parse;

    #[test]
    fn clause_spans_cover_the_clause() {
        let text = "MATCH (n) RETURN n";
        let Ok(super::super::ast::Statement::Query(q)) = parse(text) else {
            panic!("parse failed")
        };
        let spans: Vec<&str> = q.first.clauses.iter().map(|c| c.span.text(text)).collect();
        assert_eq!(spans, ["MATCH (n)", "RETURN n"]);
    }
}

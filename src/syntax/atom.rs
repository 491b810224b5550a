//! Atoms of expressions: literals, parameters, variables, function calls, `CASE`, list and
//! pattern comprehensions, map literals and projections, quantifiers, `reduce`, and `EXISTS { }`
//! / `COUNT { }` subqueries. Knows patterns only through `pattern.rs` and queries through
//! `clause.rs`. Each function is a rule of `grammar/cordial.ebnf`.

use super::ast::{
    Expr, ExprKind, Ident, Literal, MapProjectionItem, QualifiedName, Quantifier, Span, Subquery,
};
use super::clause;
use super::error::SyntaxErrorKind;
use super::lexer::{
    Input, PError, PResult, cut_err, expect, fail, failure, kw, memoized, merge, name_token,
    nested, number, offset, opt_kw, opt_sym, parameter, peek_kw, string_literal, sym,
    symbolic_name, variable, ws,
};
use super::pattern;

use super::expr::{boxed, expression};

/// True when the symbol is next, without consuming it.
pub(crate) fn peek_sym(i: Input<'_>, s: &'static str) -> bool {
    sym(s)(i).is_ok()
}

/// Literals, parameters, variables, calls, and every bracketed form.
pub(crate) fn atom(i: Input<'_>) -> PResult<'_, Expr> {
    let (i, ()) = ws(i)?;
    let text = *i.fragment();
    let Some(first) = text.chars().next() else {
        return fail(&i, "expression");
    };
    match first {
        '$' => {
            let (i, (name, span)) = parameter(i)?;
            Ok((
                i,
                Expr {
                    kind: ExprKind::Parameter(name),
                    span,
                },
            ))
        }
        '\'' | '"' => literal(i),
        '0'..='9' | '.' => literal(i),
        '[' => memoized(i, list_like),
        '{' => map_literal(i),
        '(' => memoized(i, paren_or_pattern),
        _ => named_atom(i),
    }
}

/// Number, string, boolean or null.
pub(crate) fn literal(i: Input<'_>) -> PResult<'_, Expr> {
    let (i, ()) = ws(i)?;
    let text = *i.fragment();
    if text.starts_with(['\'', '"']) {
        let (i, (s, span)) = string_literal(i)?;
        return Ok((
            i,
            Expr {
                kind: ExprKind::Literal(Literal::String(s)),
                span,
            },
        ));
    }
    if text.starts_with(|c: char| c.is_ascii_digit() || c == '.') {
        let (i, (lit, span)) = number(i, false)?;
        return Ok((
            i,
            Expr {
                kind: ExprKind::Literal(lit),
                span,
            },
        ));
    }
    for (word, lit) in [
        ("TRUE", Literal::Bool(true)),
        ("FALSE", Literal::Bool(false)),
        ("NULL", Literal::Null),
    ] {
        if let (rest, Some(span)) = opt_kw(i, word)? {
            return Ok((
                rest,
                Expr {
                    kind: ExprKind::Literal(lit),
                    span,
                },
            ));
        }
    }
    fail(&i, "literal")
}

/// Atoms that start with a word: keywords literals, `count(*)`, `CASE`, subqueries,
/// quantifiers, `reduce`, function calls, map projections and variables.
fn named_atom(i: Input<'_>) -> PResult<'_, Expr> {
    let start_offset = offset(&i);
    let (after_word, (word, quoted, word_span)) = match name_token(i) {
        Ok(ok) => ok,
        Err(nom::Err::Error(_)) => return fail(&i, "expression"),
        Err(e) => return Err(e),
    };
    if !quoted {
        let upper = word.to_ascii_uppercase();
        match upper.as_str() {
            "TRUE" | "FALSE" | "NULL" => return literal(i),
            "CASE" => return case_expr(i),
            "COUNT" if peek_sym(after_word, "{") => return count_subquery(i),
            "EXISTS" if peek_sym(after_word, "{") => return exists_subquery(i),
            "COUNT" => {
                let star = sym("(")(after_word).and_then(|(rest, _)| sym("*")(rest));
                if let Ok((rest, _)) = star {
                    let (rest, close) = sym(")")(rest).map_err(cut_err)?;
                    return Ok((
                        rest,
                        Expr {
                            kind: ExprKind::CountStar,
                            span: word_span.to(close),
                        },
                    ));
                }
            }
            "ALL" | "ANY" | "NONE" | "SINGLE" if peek_sym(after_word, "(") => match quantified(i) {
                Err(nom::Err::Error(_)) => {}
                other => return other,
            },
            "REDUCE" if peek_sym(after_word, "(") => return reduce(i),
            _ => {}
        }
    }
    match function_call(i) {
        Ok(ok) => return Ok(ok),
        Err(nom::Err::Error(_)) => {}
        Err(e) => return Err(e),
    }
    let (rest, var) = variable(i).map_err(|e| match e {
        nom::Err::Error(_) => nom::Err::Error(PError::expected_at(start_offset, "expression")),
        other => other,
    })?;
    if peek_sym(rest, "{") {
        return map_projection(i);
    }
    let span = var.span;
    Ok((
        rest,
        Expr {
            kind: ExprKind::Variable(var.name),
            span,
        },
    ))
}

/// `ns.name`: names separated by dots, as used for functions and procedures.
pub(crate) fn qualified_name(i: Input<'_>) -> PResult<'_, QualifiedName> {
    let (mut i, (first, _, first_span)) = name_token(i)?;
    let mut parts = vec![first];
    let mut span = first_span;
    loop {
        let Ok((rest, _)) = sym(".")(i) else { break };
        if peek_sym(rest, ".") {
            break;
        }
        match name_token(rest) {
            Ok((rest, (part, _, part_span))) => {
                parts.push(part);
                span = span.to(part_span);
                i = rest;
            }
            Err(nom::Err::Error(_)) => break,
            Err(e) => return Err(e),
        }
    }
    let name = parts.pop().unwrap_or_default();
    Ok((
        i,
        QualifiedName {
            namespace: parts,
            name,
            span,
        },
    ))
}

/// `name([DISTINCT] args)`.
pub(crate) fn function_call(i: Input<'_>) -> PResult<'_, Expr> {
    let (i, name) = qualified_name(i)?;
    let (i, _) = sym("(")(i)?;
    let (i, distinct) = opt_kw(i, "DISTINCT")?;
    let (i, args) = comma_list(i, ")", "expression", expression)?;
    let (i, close) = sym(")")(i).map_err(cut_err)?;
    let span = name.span.to(close);
    Ok((
        i,
        Expr {
            kind: ExprKind::FunctionCall {
                name,
                distinct: distinct.is_some(),
                args,
            },
            span,
        },
    ))
}

/// Zero or more `item`s separated by commas, stopping before `close` (not consumed).
pub(crate) fn comma_list<'a, T>(
    i: Input<'a>,
    close: &'static str,
    what: &'static str,
    item: fn(Input<'a>) -> PResult<'a, T>,
) -> PResult<'a, Vec<T>> {
    let mut items = Vec::new();
    if peek_sym(i, close) {
        return Ok((i, items));
    }
    let (mut i, first) = expect(i, what, item).map_err(|e| match e {
        nom::Err::Error(mut err) => {
            err.expected.push(close);
            nom::Err::Failure(err)
        }
        other => other,
    })?;
    items.push(first);
    while let (rest, Some(_)) = opt_sym(i, ",")? {
        let (rest, next) = expect(rest, what, item).map_err(cut_err)?;
        items.push(next);
        i = rest;
    }
    if !peek_sym(i, close) {
        let (at, ()) = ws(i)?;
        let mut err = PError::expected_at(offset(&at), ",");
        err.expected.push(close);
        return Err(nom::Err::Failure(err));
    }
    Ok((i, items))
}

/// `CASE [operand] (WHEN e THEN e)+ [ELSE e] END`.
pub(crate) fn case_expr(i: Input<'_>) -> PResult<'_, Expr> {
    let (i, case) = kw("CASE")(i)?;
    let (i, operand) = if peek_kw(i, "WHEN") {
        (i, None)
    } else {
        let (i, e) = expect(i, "expression", expression).map_err(cut_err)?;
        (i, Some(boxed(e)))
    };
    let mut alternatives = Vec::new();
    let mut i = i;
    while let (rest, Some(_)) = opt_kw(i, "WHEN")? {
        let (rest, when) = expect(rest, "expression", expression).map_err(cut_err)?;
        let (rest, _) = kw("THEN")(rest).map_err(cut_err)?;
        let (rest, then) = expect(rest, "expression", expression).map_err(cut_err)?;
        alternatives.push((when, then));
        i = rest;
    }
    if alternatives.is_empty() {
        let (at, ()) = ws(i)?;
        return Err(nom::Err::Failure(PError::expected_at(offset(&at), "WHEN")));
    }
    let (i, default) = match opt_kw(i, "ELSE")? {
        (rest, Some(_)) => {
            let (rest, e) = expect(rest, "expression", expression).map_err(cut_err)?;
            (rest, Some(boxed(e)))
        }
        (rest, None) => (rest, None),
    };
    let (i, end) = kw("END")(i).map_err(|e| {
        cut_err(e.map(|mut err| {
            if default.is_none() {
                err.expected.insert(0, "ELSE");
                err.expected.insert(0, "WHEN");
            }
            err
        }))
    })?;
    Ok((
        i,
        Expr {
            kind: ExprKind::Case {
                operand,
                alternatives,
                default,
            },
            span: case.to(end),
        },
    ))
}

/// `[`: a list comprehension, a pattern comprehension or a list literal, tried in that order.
fn list_like(i: Input<'_>) -> PResult<'_, Expr> {
    let comprehension = match list_comprehension(i) {
        Err(nom::Err::Error(e)) => e,
        other => return other,
    };
    let pattern_comprehension = match pattern_comprehension(i) {
        Err(nom::Err::Error(e)) => e,
        other => return other,
    };
    match list_literal(i) {
        Err(nom::Err::Error(e)) => Err(nom::Err::Error(merge(
            merge(comprehension, pattern_comprehension),
            e,
        ))),
        other => other,
    }
}

/// `[x IN list [WHERE pred] [| expr]]`. Commits once `WHERE`, `|` or `]` follows the list.
pub(crate) fn list_comprehension(i: Input<'_>) -> PResult<'_, Expr> {
    let (i, open) = sym("[")(i)?;
    let (i, var) = variable(i)?;
    let (i, _) = kw("IN")(i)?;
    let (i, list) = expression(i)?;
    if !(peek_kw(i, "WHERE") || peek_sym(i, "|") || peek_sym(i, "]")) {
        return fail(&ws(i)?.0, "]");
    }
    let (i, filter) = opt_where(i)?;
    let (i, map) = match opt_sym(i, "|")? {
        (rest, Some(_)) => {
            let (rest, e) = expect(rest, "expression", expression).map_err(cut_err)?;
            (rest, Some(boxed(e)))
        }
        (rest, None) => (rest, None),
    };
    let (i, close) = sym("]")(i).map_err(cut_err)?;
    let kind = ExprKind::ListComprehension {
        variable: var,
        list: boxed(list),
        filter,
        map,
    };
    Ok((
        i,
        Expr {
            kind,
            span: open.to(close),
        },
    ))
}

/// `WHERE expr`, where patterns may be used as predicates.
pub(crate) fn opt_where(i: Input<'_>) -> PResult<'_, Option<Box<Expr>>> {
    match opt_kw(i, "WHERE")? {
        (rest, Some(_)) => {
            let (rest, e) = where_expression(rest)?;
            Ok((rest, Some(boxed(e))))
        }
        (rest, None) => Ok((rest, None)),
    }
}

/// The expression after `WHERE`: committed, with pattern predicates allowed.
pub(crate) fn where_expression(i: Input<'_>) -> PResult<'_, Expr> {
    let ctx = i.extra;
    ctx.in_where.set(ctx.in_where.get() + 1);
    let result = expect(i, "expression", expression).map_err(cut_err);
    ctx.in_where.set(ctx.in_where.get().saturating_sub(1));
    result
}

/// `[[p =] (a)-->(b) [WHERE pred] | expr]`. Commits once the pattern has a relationship.
pub(crate) fn pattern_comprehension(i: Input<'_>) -> PResult<'_, Expr> {
    let (i, open) = sym("[")(i)?;
    let (i, var) = match variable(i) {
        Ok((rest, v)) if peek_sym(rest, "=") => (sym("=")(rest)?.0, Some(v)),
        _ => (i, None),
    };
    let (i, path) = speculatively(i, pattern::relationships_pattern)?;
    if !(peek_kw(i, "WHERE") || peek_sym(i, "|")) {
        let (at, ()) = ws(i)?;
        let mut err = PError::expected_at(offset(&at), "|");
        err.expected.insert(0, "WHERE");
        return Err(nom::Err::Error(err));
    }
    let (i, filter) = opt_where(i)?;
    let (i, _) = sym("|")(i).map_err(cut_err)?;
    let (i, map) = expect(i, "expression", expression).map_err(cut_err)?;
    let (i, close) = sym("]")(i).map_err(cut_err)?;
    let kind = ExprKind::PatternComprehension {
        variable: var,
        pattern: Box::new(path),
        filter,
        map: boxed(map),
    };
    Ok((
        i,
        Expr {
            kind,
            span: open.to(close),
        },
    ))
}

/// `[e, e, ...]`.
pub(crate) fn list_literal(i: Input<'_>) -> PResult<'_, Expr> {
    let (i, open) = sym("[")(i)?;
    let (i, items) = comma_list(i, "]", "expression", expression)?;
    let (i, close) = sym("]")(i).map_err(cut_err)?;
    Ok((
        i,
        Expr {
            kind: ExprKind::List(items),
            span: open.to(close),
        },
    ))
}

/// `{key: e, ...}`; keys are names, reserved words included (strings are not keys).
pub(crate) fn map_literal(i: Input<'_>) -> PResult<'_, Expr> {
    let (i, open) = sym("{")(i)?;
    let (i, entries) = comma_list(i, "}", "property key", map_entry)?;
    let (i, close) = sym("}")(i).map_err(cut_err)?;
    Ok((
        i,
        Expr {
            kind: ExprKind::Map(entries),
            span: open.to(close),
        },
    ))
}

fn map_entry(i: Input<'_>) -> PResult<'_, (String, Expr)> {
    let (i, key) = expect(i, "property key", symbolic_name)?;
    let (i, _) = sym(":")(i).map_err(cut_err)?;
    let (i, value) = expect(i, "expression", expression).map_err(cut_err)?;
    Ok((i, (key, value)))
}

/// `var {.key, .*, key: expr, other}`.
pub(crate) fn map_projection(i: Input<'_>) -> PResult<'_, Expr> {
    let (i, var) = variable(i)?;
    let (i, _) = sym("{")(i)?;
    let (i, items) = comma_list(i, "}", "map projection item", map_projection_item)?;
    let (i, close) = sym("}")(i).map_err(cut_err)?;
    let span = var.span.to(close);
    Ok((
        i,
        Expr {
            kind: ExprKind::MapProjection {
                variable: var,
                items,
            },
            span,
        },
    ))
}

fn map_projection_item(i: Input<'_>) -> PResult<'_, MapProjectionItem> {
    if let (rest, Some(_)) = opt_sym(i, ".")? {
        if let (rest, Some(_)) = opt_sym(rest, "*")? {
            return Ok((rest, MapProjectionItem::AllProperties));
        }
        let (rest, key) = expect(rest, "property key", symbolic_name).map_err(cut_err)?;
        return Ok((rest, MapProjectionItem::Property(key)));
    }
    let (rest, (name, quoted, span)) = name_token(i)?;
    if let (rest, Some(_)) = opt_sym(rest, ":")? {
        let (rest, e) = expect(rest, "expression", expression).map_err(cut_err)?;
        return Ok((rest, MapProjectionItem::Literal(name, e)));
    }
    if !quoted && super::lexer::is_reserved(&name) {
        return fail(&i, "variable");
    }
    Ok((rest, MapProjectionItem::Variable(Ident { name, span })))
}

/// `(`: a pattern predicate `(a)-->(b)` (only inside `WHERE`) or a parenthesized expression.
fn paren_or_pattern(i: Input<'_>) -> PResult<'_, Expr> {
    let pattern_error = match speculatively(i, pattern::relationships_pattern) {
        Ok((rest, path)) => {
            if i.extra.in_where.get() == 0 {
                return failure(
                    path.span,
                    SyntaxErrorKind::UnexpectedSyntax,
                    "a pattern can only be used as a predicate in WHERE; use EXISTS { } or COUNT { } elsewhere",
                );
            }
            let span = path.span;
            return Ok((
                rest,
                Expr {
                    kind: ExprKind::PatternPredicate(Box::new(path)),
                    span,
                },
            ));
        }
        Err(nom::Err::Error(e)) => e,
        Err(e) => return Err(e),
    };
    match parenthesized(i) {
        Err(nom::Err::Error(e)) => Err(nom::Err::Error(merge(pattern_error, e))),
        other => other,
    }
}

/// Runs a pattern parser that must not commit, because the caller may fall back to another rule.
fn speculatively<'a, T>(i: Input<'a>, f: fn(Input<'a>) -> PResult<'a, T>) -> PResult<'a, T> {
    let ctx = i.extra;
    ctx.speculative.set(ctx.speculative.get() + 1);
    // What committed inside the attempt (a map literal after `{`) only rules out the attempt:
    // `(a {b}:C)` is no node pattern but a parenthesized map projection.
    let result = f(i).map_err(|e| match e {
        nom::Err::Failure(err) => nom::Err::Error(err),
        other => other,
    });
    ctx.speculative.set(ctx.speculative.get() - 1);
    result
}

/// `(expr)`; the span includes the parentheses so that column names keep them.
pub(crate) fn parenthesized(i: Input<'_>) -> PResult<'_, Expr> {
    let (i, open) = sym("(")(i)?;
    let (i, mut e) = expect(i, "expression", expression).map_err(cut_err)?;
    let (i, close) = sym(")")(i).map_err(cut_err)?;
    e.span = open.to(close);
    Ok((i, e))
}

/// `all|any|none|single(x IN list [WHERE pred])`.
pub(crate) fn quantified(i: Input<'_>) -> PResult<'_, Expr> {
    let (i, (word, _, word_span)) = name_token(i)?;
    let quantifier = match word.to_ascii_uppercase().as_str() {
        "ALL" => Quantifier::All,
        "ANY" => Quantifier::Any,
        "NONE" => Quantifier::None,
        "SINGLE" => Quantifier::Single,
        _ => return fail(&i, "quantifier"),
    };
    let (i, _) = sym("(")(i)?;
    let (i, var) = variable(i)?;
    let (i, _) = kw("IN")(i)?;
    let (i, list) = expect(i, "expression", expression).map_err(cut_err)?;
    let (i, filter) = opt_where(i)?;
    let (i, close) = sym(")")(i).map_err(cut_err)?;
    let kind = ExprKind::Quantified {
        quantifier,
        variable: var,
        list: boxed(list),
        filter,
    };
    Ok((
        i,
        Expr {
            kind,
            span: word_span.to(close),
        },
    ))
}

/// `reduce(acc = init, x IN list | expr)`.
pub(crate) fn reduce(i: Input<'_>) -> PResult<'_, Expr> {
    let (i, word) = kw("REDUCE")(i)?;
    let (i, _) = sym("(")(i)?;
    let (i, accumulator) = expect(i, "variable", variable).map_err(cut_err)?;
    let (i, _) = sym("=")(i).map_err(cut_err)?;
    let (i, init) = expect(i, "expression", expression).map_err(cut_err)?;
    let (i, _) = sym(",")(i).map_err(cut_err)?;
    let (i, var) = expect(i, "variable", variable).map_err(cut_err)?;
    let (i, _) = kw("IN")(i).map_err(cut_err)?;
    let (i, list) = expect(i, "expression", expression).map_err(cut_err)?;
    let (i, _) = sym("|")(i).map_err(cut_err)?;
    let (i, e) = expect(i, "expression", expression).map_err(cut_err)?;
    let (i, close) = sym(")")(i).map_err(cut_err)?;
    let kind = ExprKind::Reduce {
        accumulator,
        init: boxed(init),
        variable: var,
        list: boxed(list),
        expr: boxed(e),
    };
    Ok((
        i,
        Expr {
            kind,
            span: word.to(close),
        },
    ))
}

/// `EXISTS { query }` or `EXISTS { pattern [WHERE pred] }`.
pub(crate) fn exists_subquery(i: Input<'_>) -> PResult<'_, Expr> {
    let (i, word) = kw("EXISTS")(i)?;
    let (i, (body, close)) = subquery_body(i)?;
    Ok((
        i,
        Expr {
            kind: ExprKind::Exists(Box::new(body)),
            span: word.to(close),
        },
    ))
}

/// `COUNT { query }` or `COUNT { pattern [WHERE pred] }`.
pub(crate) fn count_subquery(i: Input<'_>) -> PResult<'_, Expr> {
    let (i, word) = kw("COUNT")(i)?;
    let (i, (body, close)) = subquery_body(i)?;
    Ok((
        i,
        Expr {
            kind: ExprKind::CountSubquery(Box::new(body)),
            span: word.to(close),
        },
    ))
}

fn subquery_body(i: Input<'_>) -> PResult<'_, (Subquery, Span)> {
    let (i, _) = sym("{")(i)?;
    let (i, body) = if clause::starts_clause(i) {
        let (i, q) = nested(i, |i| clause::query(i, true)).map_err(cut_err)?;
        (i, Subquery::Query(Box::new(q)))
    } else {
        let (i, p) = nested(i, |i| expect(i, "pattern", pattern::pattern)).map_err(cut_err)?;
        let (i, where_) = opt_where(i)?;
        (i, Subquery::Pattern { pattern: p, where_ })
    };
    let (i, close) = sym("}")(i).map_err(cut_err)?;
    Ok((i, (body, close)))
}

//! Graph patterns: node and relationship patterns, paths, named paths and shortest paths. Knows
//! expressions only for property maps. Parsers here never commit on their own first token, so
//! expression code may try a pattern and fall back to a parenthesized expression.

use nom::Input as _;

use super::ast::{
    Direction, Expr, ExprKind, NodePattern, PathPattern, Pattern, PatternPart, RelPattern,
    Shortest, Span, VarLength,
};
use super::atom::{map_literal, peek_sym};
use super::error::SyntaxErrorKind;
use super::lexer::{
    Input, PResult, cut_err, expect, failure, kw, name_token, offset, opt_sym, parameter, sym,
    variable, ws,
};

/// `part (, part)*`.
pub(crate) fn pattern(i: Input<'_>) -> PResult<'_, Pattern> {
    let (mut i, first) = pattern_part(i)?;
    let mut span = first.span;
    let mut parts = vec![first];
    while let (rest, Some(_)) = opt_sym(i, ",")? {
        let (rest, part) = expect(rest, "pattern", pattern_part).map_err(cut_err)?;
        span = span.to(part.span);
        parts.push(part);
        i = rest;
    }
    Ok((i, Pattern { parts, span }))
}

/// `[p =] path`, `[p =] shortestPath(path)`, `[p =] allShortestPaths(path)`.
pub(crate) fn pattern_part(i: Input<'_>) -> PResult<'_, PatternPart> {
    let (i, ()) = ws(i)?;
    let (i, var) = match variable(i) {
        Ok((rest, v)) if peek_sym(rest, "=") => {
            let (rest, _) = sym("=")(rest)?;
            (rest, Some(v))
        }
        _ => (i, None),
    };
    let (i, ()) = ws(i)?;
    let start = var.as_ref().map_or(offset(&i), |v| v.span.start);
    for (word, shortest) in [
        ("SHORTESTPATH", Shortest::One),
        ("ALLSHORTESTPATHS", Shortest::All),
    ] {
        if let Ok((rest, _)) = kw(word)(i) {
            let (rest, _) = sym("(")(rest).map_err(cut_err)?;
            let (rest, path) = expect(rest, "pattern", path_pattern).map_err(cut_err)?;
            let (rest, close) = sym(")")(rest).map_err(cut_err)?;
            let span = Span::new(start, close.end);
            return Ok((
                rest,
                PatternPart {
                    variable: var,
                    shortest: Some(shortest),
                    path,
                    span,
                },
            ));
        }
    }
    let parsed = if var.is_some() {
        expect(i, "pattern", path_pattern).map_err(cut_err)
    } else {
        path_pattern(i)
    };
    let (i, path) = parsed?;
    let span = Span::new(start, path.span.end);
    Ok((
        i,
        PatternPart {
            variable: var,
            shortest: None,
            path,
            span,
        },
    ))
}

/// `node (rel node)*`.
pub(crate) fn path_pattern(i: Input<'_>) -> PResult<'_, PathPattern> {
    let (mut i, start) = node_pattern(i)?;
    let mut span = start.span;
    let mut steps = Vec::new();
    loop {
        match rel_pattern(i) {
            Ok((rest, rel)) => {
                let (rest, node) = expect(rest, "node pattern", node_pattern).map_err(cut_err)?;
                span = span.to(node.span);
                steps.push((rel, node));
                i = rest;
            }
            Err(nom::Err::Error(_)) => break,
            Err(e) => return Err(e),
        }
    }
    Ok((i, PathPattern { start, steps, span }))
}

/// `node (rel node)+`: a path with at least one relationship, as used for pattern predicates and
/// comprehensions.
pub(crate) fn relationships_pattern(i: Input<'_>) -> PResult<'_, PathPattern> {
    let (i, path) = path_pattern(i)?;
    if path.steps.is_empty() {
        let (at, ()) = ws(i)?;
        let mut err = super::lexer::PError::expected_at(offset(&at), "-");
        err.expected.push("<");
        return Err(nom::Err::Error(err));
    }
    Ok((i, path))
}

/// `([var] (:Label)* [properties])`.
pub(crate) fn node_pattern(i: Input<'_>) -> PResult<'_, NodePattern> {
    let (i, open) = sym("(")(i)?;
    let (i, var) = match variable(i) {
        Ok((rest, v)) => (rest, Some(v)),
        Err(nom::Err::Error(_)) => (i, None),
        Err(e) => return Err(e),
    };
    let (i, labels) = labels(i)?;
    let (i, props) = opt_properties(i)?;
    let (i, close) = sym(")")(i)?;
    Ok((
        i,
        NodePattern {
            variable: var,
            labels,
            properties: props,
            span: open.to(close),
        },
    ))
}

/// `(:Name)*`.
pub(crate) fn labels(i: Input<'_>) -> PResult<'_, Vec<String>> {
    let mut names = Vec::new();
    let mut i = i;
    while let (rest, Some(_)) = opt_sym(i, ":")? {
        let (rest, (name, _, _)) = expect(rest, "label", name_token)?;
        names.push(name);
        i = rest;
    }
    Ok((i, names))
}

/// A map literal or a parameter, if present.
pub(crate) fn opt_properties(i: Input<'_>) -> PResult<'_, Option<Expr>> {
    let (i, ()) = ws(i)?;
    if i.fragment().starts_with('{') {
        let (i, map) = map_literal(i)?;
        return Ok((i, Some(map)));
    }
    if i.fragment().starts_with('$') {
        let (i, (name, span)) = parameter(i)?;
        return Ok((
            i,
            Some(Expr {
                kind: ExprKind::Parameter(name),
                span,
            }),
        ));
    }
    Ok((i, None))
}

/// The characters openCypher accepts as the dash of a relationship pattern: the ASCII hyphen and
/// its Unicode look-alikes (soft hyphen, hyphens, en and em dash, minus sign, small and
/// full-width hyphen-minus). Outside patterns only the ASCII hyphen is an operator.
const DASHES: &[char] = &[
    '-', '\u{00AD}', '\u{2010}', '\u{2011}', '\u{2012}', '\u{2013}', '\u{2014}', '\u{2015}',
    '\u{2212}', '\u{FE58}', '\u{FE63}', '\u{FF0D}',
];
const LEFT_ARROW_HEADS: &[char] = &['<', '\u{27E8}', '\u{3008}', '\u{FE64}', '\u{FF1C}'];
const RIGHT_ARROW_HEADS: &[char] = &['>', '\u{27E9}', '\u{3009}', '\u{FE65}', '\u{FF1E}'];

/// One of `chars`, after optional whitespace; `expected` names it in errors.
fn arrow_part<'a>(i: Input<'a>, chars: &[char], expected: &'static str) -> PResult<'a, Span> {
    let (i, ()) = ws(i)?;
    match i.fragment().chars().next() {
        Some(c) if chars.contains(&c) => {
            let start = offset(&i);
            Ok((
                i.take_from(c.len_utf8()),
                Span::new(start, start + c.len_utf8()),
            ))
        }
        _ => Err(nom::Err::Error(super::lexer::PError::expected_at(
            offset(&i),
            expected,
        ))),
    }
}

fn opt_arrow_part<'a>(
    i: Input<'a>,
    chars: &[char],
    expected: &'static str,
) -> PResult<'a, Option<Span>> {
    match arrow_part(i, chars, expected) {
        Ok((rest, span)) => Ok((rest, Some(span))),
        Err(nom::Err::Error(_)) => Ok((i, None)),
        Err(e) => Err(e),
    }
}

/// `-[detail]->`, `<-[detail]-`, `-[detail]-`, `<-[detail]->`, or the same without a detail.
pub(crate) fn rel_pattern(i: Input<'_>) -> PResult<'_, RelPattern> {
    let (i, ()) = ws(i)?;
    let start = offset(&i);
    let (i, left) = opt_arrow_part(i, LEFT_ARROW_HEADS, "<")?;
    let (i, _) = arrow_part(i, DASHES, "-")?;
    // Outside an expression nothing but a relationship can follow `-[`, so commit there.
    let commit = |e: nom::Err<super::lexer::PError>| {
        if i.extra.speculative.get() == 0 {
            cut_err(e)
        } else {
            e
        }
    };
    let (i, detail) = if peek_sym(i, "[") {
        let (i, detail) = rel_detail(i).map_err(commit)?;
        (i, Some(detail))
    } else {
        (i, None)
    };
    let (i, dash) = if detail.is_some() {
        arrow_part(i, DASHES, "-").map_err(commit)?
    } else {
        arrow_part(i, DASHES, "-")?
    };
    let (i, right) = opt_arrow_part(i, RIGHT_ARROW_HEADS, ">")?;
    let end = right.unwrap_or(dash).end;
    let direction = match (left.is_some(), right.is_some()) {
        (false, true) => Direction::Outgoing,
        (true, false) => Direction::Incoming,
        _ => Direction::Both,
    };
    let mut rel = detail.unwrap_or(RelPattern {
        variable: None,
        types: Vec::new(),
        direction,
        length: None,
        properties: None,
        span: Span::default(),
    });
    rel.direction = direction;
    rel.span = Span::new(start, end);
    Ok((i, rel))
}

/// `[[var] [:T (| [:]T)*] [*range] [properties]]`. Committed after `[`: inside a pattern nothing
/// else can follow `-[`.
pub(crate) fn rel_detail(i: Input<'_>) -> PResult<'_, RelPattern> {
    let (i, open) = sym("[")(i)?;
    let (i, var) = match variable(i) {
        Ok((rest, v)) => (rest, Some(v)),
        Err(nom::Err::Error(_)) => (i, None),
        Err(e) => return Err(e),
    };
    let mut types = Vec::new();
    let mut i = i;
    if let (rest, Some(_)) = opt_sym(i, ":")? {
        let (rest, (first, _, _)) = expect(rest, "relationship type", name_token)?;
        types.push(first);
        i = rest;
        while let (rest, Some(_)) = opt_sym(i, "|")? {
            let (rest, _) = opt_sym(rest, ":")?;
            let (rest, (next, _, _)) =
                expect(rest, "relationship type", name_token).map_err(cut_err)?;
            types.push(next);
            i = rest;
        }
    }
    let (i, ()) = ws(i)?;
    let text = *i.fragment();
    let misplaced_length = text.starts_with("..") || text.starts_with(|c: char| c.is_ascii_digit());
    if misplaced_length && !types.is_empty() {
        let at = offset(&i);
        return failure(
            Span::new(at, at + 1),
            SyntaxErrorKind::InvalidRelationshipPattern,
            "a relationship length needs '*', as in [:T*1..3]",
        );
    }
    let (i, length) = if peek_sym(i, "*") {
        let (i, l) = var_length(i)?;
        (i, Some(l))
    } else {
        (i, None)
    };
    let (i, props) = opt_properties(i)?;
    let (i, close) = sym("]")(i).map_err(|e| {
        e.map(|mut err| {
            for extra in ["*", "{", "$"] {
                if !err.expected.contains(&extra) {
                    err.expected.insert(0, extra);
                }
            }
            err
        })
    })?;
    let rel = RelPattern {
        variable: var,
        types,
        direction: Direction::Both,
        length,
        properties: props,
        span: open.to(close),
    };
    Ok((i, rel))
}

/// `*`, `*n`, `*n..`, `*..m`, `*n..m`.
pub(crate) fn var_length(i: Input<'_>) -> PResult<'_, VarLength> {
    let (i, _) = sym("*")(i)?;
    let (i, ()) = ws(i)?;
    if i.fragment().starts_with('-') {
        let at = offset(&i);
        return failure(
            Span::new(at, at + 1),
            SyntaxErrorKind::InvalidRelationshipPattern,
            "a relationship length cannot be negative",
        );
    }
    let (i, min) = opt_length_bound(i)?;
    if let (i, Some(_)) = opt_sym(i, "..")? {
        let (i, ()) = ws(i)?;
        if i.fragment().starts_with('-') {
            let at = offset(&i);
            return failure(
                Span::new(at, at + 1),
                SyntaxErrorKind::InvalidRelationshipPattern,
                "a relationship length cannot be negative",
            );
        }
        let (i, max) = opt_length_bound(i)?;
        return Ok((i, VarLength { min, max }));
    }
    Ok((i, VarLength { min, max: min }))
}

fn opt_length_bound(i: Input<'_>) -> PResult<'_, Option<u64>> {
    let (i, ()) = ws(i)?;
    let text = *i.fragment();
    let len = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    if len == 0 {
        return Ok((i, None));
    }
    let at = offset(&i);
    match text[..len].parse::<u64>() {
        Ok(n) => Ok((i.take_from(len), Some(n))),
        Err(_) => failure(
            Span::new(at, at + len),
            SyntaxErrorKind::IntegerOverflow,
            "relationship length out of range",
        ),
    }
}

//! Expressions, from `OR` down to postfix operators, with openCypher precedence; the atoms they
//! apply to are in `atom.rs`. Each function is a rule of `grammar/cordial.ebnf`.

use nom::Input as _;

use super::ast::{BinaryOp, Expr, ExprKind, Span, UnaryOp};
use super::atom::{atom, peek_sym};
use super::lexer::{
    Input, PResult, TreeDepth, cut_err, expect, fail, kw, name_token, nested, number, offset,
    opt_kw, opt_sym, sym, ws,
};

pub(super) fn boxed(e: Expr) -> Box<Expr> {
    Box::new(e)
}

fn binary(op: BinaryOp, lhs: Expr, rhs: Expr) -> Expr {
    let span = lhs.span.to(rhs.span);
    Expr {
        kind: ExprKind::Binary(op, boxed(lhs), boxed(rhs)),
        span,
    }
}

/// Any expression. Every nested expression passes here, so nesting depth is bounded here.
pub(crate) fn expression(i: Input<'_>) -> PResult<'_, Expr> {
    nested(i, or_expr)
}

/// Left-associative chain: `operand (op operand)*`; the operand after an operator is committed.
fn chain<'a>(
    i: Input<'a>,
    operand: fn(Input<'a>) -> PResult<'a, Expr>,
    op: fn(Input<'a>) -> PResult<'a, BinaryOp>,
) -> PResult<'a, Expr> {
    let (mut i, mut lhs) = operand(i)?;
    let depth = TreeDepth::enter(i.extra);
    loop {
        match op(i) {
            Ok((rest, op)) => {
                depth.bump(&rest)?;
                let (rest, rhs) = expect(rest, "expression", operand).map_err(cut_err)?;
                lhs = binary(op, lhs, rhs);
                i = rest;
            }
            Err(nom::Err::Error(_)) => return Ok((i, lhs)),
            Err(e) => return Err(e),
        }
    }
}

pub(crate) fn or_expr(i: Input<'_>) -> PResult<'_, Expr> {
    chain(i, xor_expr, |i| kw("OR")(i).map(|(i, _)| (i, BinaryOp::Or)))
}

pub(crate) fn xor_expr(i: Input<'_>) -> PResult<'_, Expr> {
    chain(i, and_expr, |i| {
        kw("XOR")(i).map(|(i, _)| (i, BinaryOp::Xor))
    })
}

pub(crate) fn and_expr(i: Input<'_>) -> PResult<'_, Expr> {
    chain(i, not_expr, |i| {
        kw("AND")(i).map(|(i, _)| (i, BinaryOp::And))
    })
}

/// `NOT* comparison`.
pub(crate) fn not_expr(i: Input<'_>) -> PResult<'_, Expr> {
    let mut nots = Vec::new();
    let mut i = i;
    let depth = TreeDepth::enter(i.extra);
    while let (rest, Some(span)) = opt_kw(i, "NOT")? {
        depth.bump(&rest)?;
        nots.push(span);
        i = rest;
    }
    if nots.is_empty() {
        return comparison(i);
    }
    let (i, mut e) = expect(i, "expression", comparison).map_err(cut_err)?;
    for span in nots.into_iter().rev() {
        let span = span.to(e.span);
        e = Expr {
            kind: ExprKind::Unary(UnaryOp::Not, boxed(e)),
            span,
        };
    }
    Ok((i, e))
}

fn comparison_op(i: Input<'_>) -> PResult<'_, BinaryOp> {
    let (i, ()) = ws(i)?;
    let text = *i.fragment();
    let (op, len) = if text.starts_with("<>") {
        (BinaryOp::Ne, 2)
    } else if text.starts_with("<=") {
        (BinaryOp::Le, 2)
    } else if text.starts_with(">=") {
        (BinaryOp::Ge, 2)
    } else if text.starts_with('<') {
        (BinaryOp::Lt, 1)
    } else if text.starts_with('>') {
        (BinaryOp::Gt, 1)
    } else if text.starts_with('=') && !text.starts_with("=~") {
        (BinaryOp::Eq, 1)
    } else {
        return fail(&i, "comparison operator");
    };
    Ok((i.take_from(len), op))
}

/// `a < b < c` is `a < b AND b < c`.
pub(crate) fn comparison(i: Input<'_>) -> PResult<'_, Expr> {
    let (mut i, first) = string_predicate(i)?;
    let mut operands = vec![first];
    let mut ops = Vec::new();
    // A chain of n comparisons becomes n - 1 ANDs over n comparisons.
    let depth = TreeDepth::enter(i.extra);
    loop {
        match comparison_op(i) {
            Ok((rest, op)) => {
                depth.bump(&rest)?;
                let (rest, rhs) = expect(rest, "expression", string_predicate).map_err(cut_err)?;
                ops.push(op);
                operands.push(rhs);
                i = rest;
            }
            Err(nom::Err::Error(_)) => break,
            Err(e) => return Err(e),
        }
    }
    let mut operands = operands.into_iter();
    let Some(mut lhs) = operands.next() else {
        return fail(&i, "expression");
    };
    let mut result: Option<Expr> = None;
    for (op, rhs) in ops.into_iter().zip(operands) {
        let next_lhs = rhs.clone();
        let cmp = binary(op, lhs, rhs);
        result = Some(match result {
            None => cmp,
            Some(acc) => binary(BinaryOp::And, acc, cmp),
        });
        lhs = next_lhs;
    }
    Ok((i, result.unwrap_or(lhs)))
}

/// `STARTS WITH`, `ENDS WITH`, `CONTAINS`, `IN`, `=~` and `IS [NOT] NULL`, left to right.
pub(crate) fn string_predicate(i: Input<'_>) -> PResult<'_, Expr> {
    let (mut i, mut lhs) = add_sub(i)?;
    let depth = TreeDepth::enter(i.extra);
    loop {
        depth.bump(&i)?;
        if let (rest, Some(_)) = opt_kw(i, "IS")? {
            let (rest, negated) = opt_kw(rest, "NOT")?;
            let (rest, null) = kw("NULL")(rest).map_err(cut_err)?;
            let span = lhs.span.to(null);
            lhs = Expr {
                kind: ExprKind::IsNull {
                    expr: boxed(lhs),
                    negated: negated.is_some(),
                },
                span,
            };
            i = rest;
            continue;
        }
        let (rest, op) = if let (rest, Some(_)) = opt_kw(i, "STARTS")? {
            (kw("WITH")(rest).map_err(cut_err)?.0, BinaryOp::StartsWith)
        } else if let (rest, Some(_)) = opt_kw(i, "ENDS")? {
            (kw("WITH")(rest).map_err(cut_err)?.0, BinaryOp::EndsWith)
        } else if let (rest, Some(_)) = opt_kw(i, "CONTAINS")? {
            (rest, BinaryOp::Contains)
        } else if let (rest, Some(_)) = opt_kw(i, "IN")? {
            (rest, BinaryOp::In)
        } else if let (rest, Some(_)) = opt_sym(i, "=~")? {
            (rest, BinaryOp::RegexMatch)
        } else {
            return Ok((i, lhs));
        };
        let (rest, rhs) = expect(rest, "expression", add_sub).map_err(cut_err)?;
        lhs = binary(op, lhs, rhs);
        i = rest;
    }
}

pub(crate) fn add_sub(i: Input<'_>) -> PResult<'_, Expr> {
    chain(i, mul_div, |i| {
        let (i, ()) = ws(i)?;
        let text = *i.fragment();
        // `+=` belongs to SET; `->` cannot start an operand.
        if text.starts_with('+') && !text.starts_with("+=") {
            Ok((i.take_from(1), BinaryOp::Add))
        } else if text.starts_with('-') && !text.starts_with("->") {
            Ok((i.take_from(1), BinaryOp::Sub))
        } else {
            fail(&i, "operator")
        }
    })
}

pub(crate) fn mul_div(i: Input<'_>) -> PResult<'_, Expr> {
    chain(i, power, |i| {
        let (i, ()) = ws(i)?;
        let op = match i.fragment().chars().next() {
            Some('*') => BinaryOp::Mul,
            Some('/') => BinaryOp::Div,
            Some('%') => BinaryOp::Mod,
            _ => return fail(&i, "operator"),
        };
        Ok((i.take_from(1), op))
    })
}

/// `^` is left-associative, as in the openCypher grammar.
pub(crate) fn power(i: Input<'_>) -> PResult<'_, Expr> {
    chain(i, unary, |i| sym("^")(i).map(|(i, _)| (i, BinaryOp::Pow)))
}

/// Unary `-` and `+`. A minus directly before a number literal is folded into the literal, so
/// that `-9223372036854775808` is in range, unless the literal is followed by a property,
/// index or label (then `-` applies to the whole).
pub(crate) fn unary(i: Input<'_>) -> PResult<'_, Expr> {
    let (i, ()) = ws(i)?;
    let text = *i.fragment();
    let op = if text.starts_with('-') && !text.starts_with("->") {
        UnaryOp::Negate
    } else if text.starts_with('+') && !text.starts_with("+=") {
        UnaryOp::Plus
    } else {
        return postfix(i);
    };
    let start = offset(&i);
    let rest = i.take_from(1);
    if op == UnaryOp::Negate {
        match number(rest, true) {
            Ok((after, (literal, span))) if !starts_postfix(after) => {
                let span = Span::new(start, span.end);
                return Ok((
                    after,
                    Expr {
                        kind: ExprKind::Literal(literal),
                        span,
                    },
                ));
            }
            // A bad or out-of-range literal is reported with its sign.
            Err(nom::Err::Failure(mut err)) => {
                if err.message.is_some() && err.start == offset(&ws(rest)?.0) {
                    err.start = start;
                }
                return Err(nom::Err::Failure(err));
            }
            _ => {}
        }
    }
    let (rest, operand) = nested(rest, |i| expect(i, "expression", unary)).map_err(cut_err)?;
    let span = Span::new(start, operand.span.end);
    Ok((
        rest,
        Expr {
            kind: ExprKind::Unary(op, boxed(operand)),
            span,
        },
    ))
}

fn starts_postfix(i: Input<'_>) -> bool {
    let Ok((i, ())) = ws(i) else { return false };
    let text = *i.fragment();
    (text.starts_with('.') && !text.starts_with(".."))
        || text.starts_with('[')
        || text.starts_with(':')
}

/// An atom followed by property lookups, indexes and slices, then optionally labels.
pub(crate) fn postfix(i: Input<'_>) -> PResult<'_, Expr> {
    let (mut i, mut e) = atom(i)?;
    let depth = TreeDepth::enter(i.extra);
    loop {
        depth.bump(&i)?;
        let (rest, ()) = ws(i)?;
        let text = *rest.fragment();
        if text.starts_with('.') && !text.starts_with("..") {
            let (rest, (key, _, key_span)) =
                expect(rest.take_from(1), "property key", name_token).map_err(cut_err)?;
            let span = e.span.to(key_span);
            e = Expr {
                kind: ExprKind::Property(boxed(e), key),
                span,
            };
            i = rest;
        } else if text.starts_with('[') {
            let (rest, indexed) = index_or_slice(rest, e)?;
            e = indexed;
            i = rest;
        } else {
            break;
        }
    }
    let (i, labels) = label_predicate(i)?;
    match labels {
        Some((labels, end)) => {
            let span = e.span.to(end);
            Ok((
                i,
                Expr {
                    kind: ExprKind::HasLabels(boxed(e), labels),
                    span,
                },
            ))
        }
        None => Ok((i, e)),
    }
}

/// `(:Name)+` after an expression.
fn label_predicate(i: Input<'_>) -> PResult<'_, Option<(Vec<String>, Span)>> {
    let mut labels = Vec::new();
    let mut end = Span::default();
    let mut i = i;
    while let (rest, Some(_)) = opt_sym(i, ":")? {
        let (rest, (name, _, span)) = expect(rest, "label", name_token).map_err(cut_err)?;
        labels.push(name);
        end = span;
        i = rest;
    }
    Ok((i, (!labels.is_empty()).then_some((labels, end))))
}

/// `[index]`, `[from..to]`, `[..to]`, `[from..]`.
fn index_or_slice(i: Input<'_>, base: Expr) -> PResult<'_, Expr> {
    let (i, _) = sym("[")(i)?;
    let (i, from) = if peek_sym(i, "..") {
        (i, None)
    } else {
        let (i, e) = expect(i, "expression", expression).map_err(cut_err)?;
        (i, Some(e))
    };
    if let (i, Some(_)) = opt_sym(i, "..")? {
        let (i, to) = if peek_sym(i, "]") {
            (i, None)
        } else {
            let (i, e) = expect(i, "expression", expression).map_err(cut_err)?;
            (i, Some(e))
        };
        let (i, close) = sym("]")(i).map_err(cut_err)?;
        let span = base.span.to(close);
        let kind = ExprKind::Slice {
            expr: boxed(base),
            from: from.map(boxed),
            to: to.map(boxed),
        };
        return Ok((i, Expr { kind, span }));
    }
    let (i, close) = sym("]")(i).map_err(cut_err)?;
    let span = base.span.to(close);
    let Some(index) = from else {
        return fail(&i, "expression");
    };
    Ok((
        i,
        Expr {
            kind: ExprKind::Index(boxed(base), boxed(index)),
            span,
        },
    ))
}

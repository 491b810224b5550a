//! Token-level parsers shared by the grammar: whitespace and comments, symbols, case-insensitive
//! keywords, identifiers, parameters and literals, plus the parser's input and error types.
//! It knows nothing of clauses or expressions; `expr.rs`, `pattern.rs` and `clause.rs` do.
//!
//! Over 800 lines, kept whole: each token rule is small, and the error positions, memoization
//! and nesting depth that every rule shares are defined here beside them.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;

use nom::error::{ErrorKind, ParseError};
use nom::{IResult, Input as _};
use nom_locate::LocatedSpan;

use super::ast::{Expr, Ident, Literal, Span};
use super::error::SyntaxErrorKind;

/// Deepest expression nesting accepted, whatever the stack.
pub(crate) const MAX_DEPTH: u32 = 128;

/// The address of a local of the calling frame: stacks grow by frames, so the distance between
/// two such addresses is the stack used in between.
#[inline(never)]
pub(crate) fn stack_position() -> usize {
    let marker = 0u8;
    std::hint::black_box(&raw const marker) as usize
}

/// Deepest expression tree accepted. Operator chains (`a OR b OR ...`, `NOT NOT ...`, `a.b.c`)
/// are parsed by loops but build trees as deep as they are long, and every consumer of the tree
/// (drop, printing, the planner) recurses over it; this bounds them all.
pub(crate) const MAX_TREE_DEPTH: u32 = 1000;

/// Parse state shared by every parser of one statement.
#[derive(Default)]
pub(crate) struct Ctx {
    /// Current expression nesting.
    pub depth: Cell<u32>,
    /// Depth of the expression tree being built: `depth` plus the links of operator chains.
    pub tree_depth: Cell<u32>,
    /// Greater than zero inside a `WHERE`, where patterns may be used as predicates.
    pub in_where: Cell<u32>,
    /// Greater than zero while an expression tries a pattern and may fall back to something
    /// else; outside, a pattern commits at `-[`.
    pub speculative: Cell<u32>,
    /// Expression parses so far: backtracking is bounded by this budget, so no input makes the
    /// parser run for exponential time.
    pub steps: Cell<u64>,
    pub max_steps: u64,
    /// `stack_position()` where parsing started, and how far below it the parser may go.
    pub stack_base: usize,
    pub stack_budget: usize,
    /// The deepest `depth` and `tree_depth` reached so far, so that a memoized parse knows how
    /// much depth it needs when it is reused.
    pub max_depth: Cell<u32>,
    pub max_tree_depth: Cell<u32>,
    /// Results of the rules that the grammar makes try alternatives (`[` and `(`), by offset and
    /// context, so that nested backtracking parses each bracket once instead of exponentially
    /// often.
    pub memo: RefCell<HashMap<MemoKey, Memo>>,
}

/// Where a memoized rule started, and whether patterns were allowed and speculative there.
pub(crate) type MemoKey = (usize, bool, bool);

/// A memoized success: where it ended, what it produced, and the nesting and tree depth it
/// needed beyond its start.
pub(crate) struct Memo {
    end: usize,
    expr: Expr,
    depth_cost: u32,
    tree_cost: u32,
}

impl Ctx {
    /// A context for parsing `text` with at most `stack_budget` bytes of stack below this frame.
    /// A level of nesting costs a few to a few dozen kilobytes depending on the construct and
    /// the build, so the depth bound alone cannot keep the parser inside a given stack.
    pub fn for_text(text: &str, stack_budget: usize) -> Ctx {
        Ctx {
            stack_base: stack_position(),
            stack_budget,
            max_steps: 20_000 + 200 * text.len() as u64,
            ..Ctx::default()
        }
    }
}

pub(crate) type Input<'a> = LocatedSpan<&'a str, &'a Ctx>;
pub(crate) type PResult<'a, T> = IResult<Input<'a>, T, PError>;

/// The parser's internal error: an offset and what was expected there. `or` keeps the error that
/// got furthest and merges the expectations of errors at the same offset.
#[derive(Clone, Debug)]
pub(crate) struct PError {
    pub start: usize,
    pub end: usize,
    pub expected: Vec<&'static str>,
    pub kind: SyntaxErrorKind,
    pub message: Option<String>,
}

impl PError {
    pub fn expected_at(offset: usize, expected: &'static str) -> PError {
        PError {
            start: offset,
            end: offset,
            expected: vec![expected],
            kind: SyntaxErrorKind::UnexpectedSyntax,
            message: None,
        }
    }

    pub fn custom(span: Span, kind: SyntaxErrorKind, message: impl Into<String>) -> PError {
        PError {
            start: span.start,
            end: span.end,
            expected: Vec::new(),
            kind,
            message: Some(message.into()),
        }
    }
}

impl<'a> ParseError<Input<'a>> for PError {
    fn from_error_kind(input: Input<'a>, _kind: ErrorKind) -> Self {
        let offset = input.location_offset();
        PError {
            start: offset,
            end: offset,
            expected: Vec::new(),
            kind: SyntaxErrorKind::UnexpectedSyntax,
            message: None,
        }
    }

    fn append(_input: Input<'a>, _kind: ErrorKind, other: Self) -> Self {
        other
    }

    fn or(self, other: Self) -> Self {
        merge(self, other)
    }
}

/// The error that got further wins; at the same offset, expectations are merged.
pub(crate) fn merge(a: PError, b: PError) -> PError {
    if a.start > b.start || (a.start == b.start && a.message.is_some() && b.message.is_none()) {
        return a;
    }
    if b.start > a.start || b.message.is_some() {
        return b;
    }
    let mut merged = a;
    for token in b.expected {
        if !merged.expected.contains(&token) {
            merged.expected.push(token);
        }
    }
    merged
}

pub(crate) fn offset(i: &Input<'_>) -> usize {
    i.location_offset()
}

pub(crate) fn fail<'a, T>(i: &Input<'_>, expected: &'static str) -> PResult<'a, T> {
    Err(nom::Err::Error(PError::expected_at(offset(i), expected)))
}

pub(crate) fn failure<'a, T>(span: Span, kind: SyntaxErrorKind, message: &str) -> PResult<'a, T> {
    Err(nom::Err::Failure(PError::custom(span, kind, message)))
}

/// Turns a recoverable error into a committed one: used after a keyword or symbol that decides
/// which rule applies, so the error points at the real spot instead of a later alternative.
pub(crate) fn cut_err(e: nom::Err<PError>) -> nom::Err<PError> {
    match e {
        nom::Err::Error(inner) => nom::Err::Failure(inner),
        other => other,
    }
}

/// Runs `f` and, if it fails without consuming anything, reports `label` as what was expected.
pub(crate) fn expect<'a, T>(
    i: Input<'a>,
    label: &'static str,
    f: impl FnOnce(Input<'a>) -> PResult<'a, T>,
) -> PResult<'a, T> {
    let (i, ()) = ws(i)?;
    let at = offset(&i);
    match f(i) {
        Err(nom::Err::Error(e)) if e.start <= at && e.message.is_none() => {
            Err(nom::Err::Error(PError::expected_at(at, label)))
        }
        other => other,
    }
}

/// Skips whitespace, `// line` and `/* block */` comments. Never fails except on an unterminated
/// block comment.
pub(crate) fn ws(i: Input<'_>) -> PResult<'_, ()> {
    let text = *i.fragment();
    let mut pos = 0;
    let bytes = text.as_bytes();
    loop {
        let rest = &text[pos..];
        let trimmed = rest.trim_start();
        pos += rest.len() - trimmed.len();
        if trimmed.starts_with("//") {
            pos += trimmed.find('\n').unwrap_or(trimmed.len());
        } else if let Some(body) = trimmed.strip_prefix("/*") {
            match body.find("*/") {
                Some(close) => pos += close + 4,
                None => {
                    let start = offset(&i) + pos;
                    let end = offset(&i) + bytes.len();
                    return Err(nom::Err::Failure(PError {
                        start: end,
                        end,
                        expected: vec!["*/"],
                        kind: SyntaxErrorKind::UnexpectedSyntax,
                        message: Some(format!("unterminated comment starting at byte {start}")),
                    }));
                }
            }
        } else {
            break;
        }
    }
    Ok((i.take_from(pos), ()))
}

/// A symbol such as `(` or `<>`, after optional whitespace.
pub(crate) fn sym<'a>(s: &'static str) -> impl Fn(Input<'a>) -> PResult<'a, Span> {
    move |i| {
        let (i, ()) = ws(i)?;
        if i.fragment().starts_with(s) {
            let start = offset(&i);
            Ok((i.take_from(s.len()), Span::new(start, start + s.len())))
        } else {
            fail(&i, s)
        }
    }
}

/// Tries a symbol; `Ok(None)` when it is not next.
pub(crate) fn opt_sym<'a>(i: Input<'a>, s: &'static str) -> PResult<'a, Option<Span>> {
    match sym(s)(i) {
        Ok((rest, span)) => Ok((rest, Some(span))),
        Err(nom::Err::Error(_)) => Ok((i, None)),
        Err(e) => Err(e),
    }
}

pub(crate) fn is_ident_start(c: char) -> bool {
    c.is_alphabetic() || c == '_'
}

pub(crate) fn is_ident_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// A case-insensitive keyword not followed by an identifier character. `word` is uppercase.
pub(crate) fn kw<'a>(word: &'static str) -> impl Fn(Input<'a>) -> PResult<'a, Span> {
    move |i| {
        let (i, ()) = ws(i)?;
        let text = *i.fragment();
        let matches = text.len() >= word.len()
            && text.is_char_boundary(word.len())
            && text[..word.len()].eq_ignore_ascii_case(word)
            && !text[word.len()..].starts_with(is_ident_char);
        if matches {
            let start = offset(&i);
            Ok((
                i.take_from(word.len()),
                Span::new(start, start + word.len()),
            ))
        } else {
            fail(&i, word)
        }
    }
}

/// Tries a keyword; `Ok(None)` when it is not next.
pub(crate) fn opt_kw<'a>(i: Input<'a>, word: &'static str) -> PResult<'a, Option<Span>> {
    match kw(word)(i) {
        Ok((rest, span)) => Ok((rest, Some(span))),
        Err(nom::Err::Error(_)) => Ok((i, None)),
        Err(e) => Err(e),
    }
}

/// True when the next token is the keyword, without consuming it.
pub(crate) fn peek_kw(i: Input<'_>, word: &'static str) -> bool {
    kw(word)(i).is_ok()
}

/// Words that cannot be variables without backticks, because they would be ambiguous where an
/// expression may end. They remain valid as labels, types, property keys and map keys.
pub(crate) const RESERVED: &[&str] = &[
    "ALL",
    "AND",
    "AS",
    "ASC",
    "ASCENDING",
    "BY",
    "CALL",
    "CASE",
    "CONTAINS",
    "CREATE",
    "DELETE",
    "DESC",
    "DESCENDING",
    "DETACH",
    "DISTINCT",
    "ELSE",
    "END",
    "ENDS",
    "EXISTS",
    "FALSE",
    "IN",
    "IS",
    "LIMIT",
    "LOAD",
    "MATCH",
    "MERGE",
    "NOT",
    "NULL",
    "ON",
    "OPTIONAL",
    "OR",
    "ORDER",
    "REMOVE",
    "RETURN",
    "SET",
    "SKIP",
    "STARTS",
    "THEN",
    "TRUE",
    "UNION",
    "UNWIND",
    "WHEN",
    "WHERE",
    "WITH",
    "XOR",
    "YIELD",
];

/// Every keyword of the language, reserved or not, uppercase: for completion and highlighting.
pub const KEYWORDS: &[&str] = &[
    "ALL",
    "ALLSHORTESTPATHS",
    "AND",
    "ANY",
    "AS",
    "ASC",
    "ASCENDING",
    "BEGIN",
    "BY",
    "CALL",
    "CASE",
    "COMMIT",
    "CONSTRAINT",
    "CONSTRAINTS",
    "CONTAINS",
    "COUNT",
    "CREATE",
    "CSV",
    "DELETE",
    "DESC",
    "DESCENDING",
    "DETACH",
    "DISTINCT",
    "DROP",
    "ELSE",
    "END",
    "ENDS",
    "EXISTS",
    "EXPLAIN",
    "FALSE",
    "FIELDTERMINATOR",
    "FOR",
    "FROM",
    "FUNCTIONS",
    "HEADERS",
    "IF",
    "IN",
    "INDEX",
    "INDEXES",
    "IS",
    "LIMIT",
    "LOAD",
    "MATCH",
    "MERGE",
    "NONE",
    "NOT",
    "NULL",
    "ON",
    "OPTIONAL",
    "OR",
    "ORDER",
    "PROCEDURES",
    "PROFILE",
    "REDUCE",
    "REMOVE",
    "REQUIRE",
    "RETURN",
    "ROLLBACK",
    "SET",
    "SHORTESTPATH",
    "SHOW",
    "SINGLE",
    "SKIP",
    "STARTS",
    "THEN",
    "TRUE",
    "UNION",
    "UNIQUE",
    "UNWIND",
    "WHEN",
    "WHERE",
    "WITH",
    "XOR",
    "YIELD",
];

pub(crate) fn is_reserved(word: &str) -> bool {
    RESERVED.iter().any(|r| r.eq_ignore_ascii_case(word))
}

/// Any name: a plain identifier (Unicode letters, digits, `_`) or a backticked one with ``
/// `` `` `` for a backtick. Returns the name, whether it was backticked, and its span.
pub(crate) fn name_token(i: Input<'_>) -> PResult<'_, (String, bool, Span)> {
    let (i, ()) = ws(i)?;
    let text = *i.fragment();
    let start = offset(&i);
    if let Some(body) = text.strip_prefix('`') {
        let mut name = String::new();
        let mut chars = body.char_indices();
        while let Some((idx, c)) = chars.next() {
            if c == '`' {
                if body[idx + 1..].starts_with('`') {
                    name.push('`');
                    chars.next();
                } else {
                    // An empty name (two backticks) is valid: the TCK uses it as a map key.
                    let len = idx + 2;
                    return Ok((
                        i.take_from(len),
                        (name, true, Span::new(start, start + len)),
                    ));
                }
            } else {
                name.push(c);
            }
        }
        let end = start + text.len();
        return Err(nom::Err::Failure(PError {
            start: end,
            end,
            expected: vec!["`"],
            kind: SyntaxErrorKind::UnexpectedSyntax,
            message: Some("unterminated backticked name".to_owned()),
        }));
    }
    match text.chars().next() {
        Some(c) if is_ident_start(c) => {
            let len = text.find(|c: char| !is_ident_char(c)).unwrap_or(text.len());
            let name = text[..len].to_owned();
            Ok((
                i.take_from(len),
                (name, false, Span::new(start, start + len)),
            ))
        }
        _ => fail(&i, "name"),
    }
}

/// A label, relationship type, property key or map key: reserved words allowed.
pub(crate) fn symbolic_name(i: Input<'_>) -> PResult<'_, String> {
    let (rest, (name, _, _)) = name_token(i)?;
    Ok((rest, name))
}

/// A variable: a name that is not a reserved word unless backticked.
pub(crate) fn variable(i: Input<'_>) -> PResult<'_, Ident> {
    let (rest, (name, quoted, span)) = name_token(i)?;
    if !quoted && is_reserved(&name) {
        return Err(nom::Err::Error(PError::expected_at(span.start, "variable")));
    }
    Ok((rest, Ident { name, span }))
}

/// `$name` or `$0`.
pub(crate) fn parameter(i: Input<'_>) -> PResult<'_, (String, Span)> {
    let (i, start) = sym("$")(i)?;
    let text = *i.fragment();
    if text.starts_with(|c: char| c.is_ascii_digit()) {
        let len = text
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(text.len());
        let name = text[..len].to_owned();
        let end = offset(&i) + len;
        return Ok((i.take_from(len), (name, start.to(Span::new(end, end)))));
    }
    if text.starts_with(char::is_whitespace) {
        return Err(nom::Err::Failure(PError::expected_at(
            offset(&i),
            "parameter name",
        )));
    }
    let (rest, (name, _, span)) = name_token(i)
        .map_err(|_| nom::Err::Failure(PError::expected_at(offset(&i), "parameter name")))?;
    Ok((rest, (name, start.to(span))))
}

/// A number literal, folded with a leading minus sign when `negative` (so that
/// `-9223372036854775808` is representable). Does not consume the sign itself.
pub(crate) fn number(i: Input<'_>, negative: bool) -> PResult<'_, (Literal, Span)> {
    let (i, ()) = ws(i)?;
    let text = *i.fragment();
    let start = offset(&i);
    let bytes = text.as_bytes();
    let starts_number = matches!(bytes, [b'0'..=b'9', ..] | [b'.', b'0'..=b'9', ..]);
    if !starts_number {
        return fail(&i, "number");
    }
    // The token is every identifier character and dot-digit that follows: `0x1Z` is one bad
    // token, not `0x1` followed by `Z`.
    let mut len = 0;
    let mut seen_dot = false;
    let is_hex_or_octal =
        bytes.len() > 1 && bytes[0] == b'0' && matches!(bytes[1], b'x' | b'X' | b'o' | b'O');
    while len < bytes.len() {
        let b = bytes[len];
        if b.is_ascii_alphanumeric() || b == b'_' {
            len += 1;
        } else if b == b'.'
            && !seen_dot
            && !is_hex_or_octal
            && bytes.get(len + 1).is_some_and(u8::is_ascii_digit)
        {
            seen_dot = true;
            len += 1;
        } else if (b == b'-' || b == b'+')
            && !is_hex_or_octal
            && len > 0
            && matches!(bytes[len - 1], b'e' | b'E')
            && bytes.get(len + 1).is_some_and(u8::is_ascii_digit)
        {
            len += 1;
        } else {
            break;
        }
    }
    let token = &text[..len];
    let span = Span::new(start, start + len);
    let rest = i.take_from(len);
    let invalid = |what: &str| {
        failure(
            span,
            SyntaxErrorKind::InvalidNumberLiteral,
            &format!("invalid {what} literal '{token}'"),
        )
    };
    let overflow = || {
        failure(
            span,
            SyntaxErrorKind::IntegerOverflow,
            &format!("integer literal '{token}' is out of range"),
        )
    };
    let radix_digits = match token.get(..2) {
        Some("0x" | "0X") => Some((16, &token[2..], "hexadecimal")),
        Some("0o" | "0O") => Some((8, &token[2..], "octal")),
        _ => None,
    };
    if let Some((radix, digits, what)) = radix_digits {
        if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
            return invalid(what);
        }
        return match signed_integer(digits, radix, negative) {
            Some(value) => Ok((rest, (Literal::Integer(value), span))),
            None => overflow(),
        };
    }
    if token.bytes().all(|b| b.is_ascii_digit()) {
        return match signed_integer(token, 10, negative) {
            Some(value) => Ok((rest, (Literal::Integer(value), span))),
            None => overflow(),
        };
    }
    if !is_float_token(token) {
        return invalid("number");
    }
    match token.parse::<f64>() {
        Ok(value) if value.is_finite() => {
            let value = if negative { -value } else { value };
            Ok((rest, (Literal::Float(value), span)))
        }
        _ => failure(
            span,
            SyntaxErrorKind::InvalidNumberLiteral,
            &format!("float literal '{token}' is out of range"),
        ),
    }
}

/// Digits, then optionally `.digits`, then optionally `e[+-]digits`; at least one digit before
/// the exponent.
fn is_float_token(token: &str) -> bool {
    let (mantissa, exponent) = match token.find(['e', 'E']) {
        Some(at) => (&token[..at], Some(&token[at + 1..])),
        None => (token, None),
    };
    let (int_part, frac_part) = match mantissa.split_once('.') {
        Some((a, b)) => (a, Some(b)),
        None => (mantissa, None),
    };
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    let mantissa_ok = digits(int_part)
        && frac_part.is_none_or(|f| !f.is_empty() && digits(f))
        && !(int_part.is_empty() && frac_part.is_none());
    let exponent_ok = exponent.is_none_or(|e| {
        let e = e.strip_prefix(['+', '-']).unwrap_or(e);
        !e.is_empty() && digits(e)
    });
    mantissa_ok && exponent_ok && (frac_part.is_some() || exponent.is_some())
}

fn signed_integer(digits: &str, radix: u32, negative: bool) -> Option<i64> {
    let magnitude = u64::from_str_radix(digits, radix).ok()?;
    if negative {
        if magnitude == 1u64 << 63 {
            Some(i64::MIN)
        } else {
            i64::try_from(magnitude).ok().map(|v| -v)
        }
    } else {
        i64::try_from(magnitude).ok()
    }
}

/// A single- or double-quoted string with backslash escapes.
pub(crate) fn string_literal(i: Input<'_>) -> PResult<'_, (String, Span)> {
    let (i, ()) = ws(i)?;
    let text = *i.fragment();
    let start = offset(&i);
    let quote = match text.chars().next() {
        Some(q @ ('\'' | '"')) => q,
        _ => return fail(&i, "string"),
    };
    let mut value = String::new();
    let mut chars = text.char_indices().skip(1);
    while let Some((idx, c)) = chars.next() {
        if c == quote {
            let len = idx + 1;
            return Ok((i.take_from(len), (value, Span::new(start, start + len))));
        }
        if c != '\\' {
            value.push(c);
            continue;
        }
        let Some((esc_idx, esc)) = chars.next() else {
            break;
        };
        match esc {
            'n' => value.push('\n'),
            't' => value.push('\t'),
            'r' => value.push('\r'),
            'b' => value.push('\u{8}'),
            'f' => value.push('\u{c}'),
            '\\' => value.push('\\'),
            '\'' => value.push('\''),
            '"' => value.push('"'),
            'u' | 'U' => {
                let width = if esc == 'u' { 4 } else { 8 };
                let hex = text.get(esc_idx + 1..esc_idx + 1 + width).unwrap_or("");
                let decoded = (hex.len() == width && hex.bytes().all(|b| b.is_ascii_hexdigit()))
                    .then(|| u32::from_str_radix(hex, 16).ok().and_then(char::from_u32))
                    .flatten();
                match decoded {
                    Some(ch) => {
                        value.push(ch);
                        for _ in 0..width {
                            chars.next();
                        }
                    }
                    None => {
                        let esc_start = start + esc_idx - 1;
                        let esc_end = start + esc_idx + 1 + hex.len();
                        return failure(
                            Span::new(esc_start, esc_end),
                            SyntaxErrorKind::InvalidUnicodeLiteral,
                            "invalid unicode escape in string literal",
                        );
                    }
                }
            }
            other => {
                let esc_start = start + esc_idx - 1;
                return failure(
                    Span::new(esc_start, esc_start + 1 + other.len_utf8()),
                    SyntaxErrorKind::UnexpectedSyntax,
                    &format!("invalid escape sequence '\\{other}' in string literal"),
                );
            }
        }
    }
    let end = start + text.len();
    Err(nom::Err::Failure(PError {
        start: end,
        end,
        expected: vec![if quote == '\'' { "'" } else { "\"" }],
        kind: SyntaxErrorKind::UnexpectedSyntax,
        message: Some("unterminated string literal".to_owned()),
    }))
}

/// Wraps `f` so that expression nesting and total work are bounded.
pub(crate) fn nested<'a, T>(
    i: Input<'a>,
    f: impl FnOnce(Input<'a>) -> PResult<'a, T>,
) -> PResult<'a, T> {
    let ctx = i.extra;
    let depth = ctx.depth.get() + 1;
    let steps = ctx.steps.get() + 1;
    ctx.steps.set(steps);
    let stack_exhausted = stack_position().abs_diff(ctx.stack_base) > ctx.stack_budget;
    if depth > MAX_DEPTH || stack_exhausted || steps > ctx.max_steps {
        let at = offset(&i);
        let message = if depth > MAX_DEPTH {
            format!("expression nested deeper than {MAX_DEPTH} levels")
        } else if stack_exhausted {
            "expression nested too deeply".to_owned()
        } else {
            "query too complex to parse".to_owned()
        };
        return failure(Span::new(at, at), SyntaxErrorKind::TooComplex, &message);
    }
    let guard = TreeDepth::enter(ctx);
    guard.bump(&i)?;
    ctx.depth.set(depth);
    ctx.max_depth.set(ctx.max_depth.get().max(depth));
    let result = f(i);
    ctx.depth.set(depth - 1);
    result
}

/// Counts the depth of the tree an operator chain builds; restores the count when dropped, so
/// every exit path of the chain's parser leaves the context as it found it.
pub(crate) struct TreeDepth<'a> {
    ctx: &'a Ctx,
    entry: u32,
}

impl<'a> TreeDepth<'a> {
    pub fn enter(ctx: &'a Ctx) -> Self {
        TreeDepth {
            ctx,
            entry: ctx.tree_depth.get(),
        }
    }

    /// One more level; an error once the tree would be deeper than `MAX_TREE_DEPTH`.
    pub fn bump(&self, i: &Input<'_>) -> Result<(), nom::Err<PError>> {
        let depth = self.ctx.tree_depth.get() + 1;
        if depth > MAX_TREE_DEPTH {
            let at = offset(i);
            return Err(nom::Err::Failure(PError::custom(
                Span::new(at, at),
                SyntaxErrorKind::TooComplex,
                format!("expression deeper than {MAX_TREE_DEPTH} levels"),
            )));
        }
        self.ctx.tree_depth.set(depth);
        self.ctx
            .max_tree_depth
            .set(self.ctx.max_tree_depth.get().max(depth));
        Ok(())
    }
}

impl Drop for TreeDepth<'_> {
    fn drop(&mut self) {
        self.ctx.tree_depth.set(self.entry);
    }
}

/// Runs `f`, or reuses its earlier success at the same offset and context. A reused result is
/// only taken when it fits the current depth limits, so memoizing never accepts what parsing
/// again would reject; failures are not memoized.
pub(crate) fn memoized<'a>(
    i: Input<'a>,
    f: fn(Input<'a>) -> PResult<'a, Expr>,
) -> PResult<'a, Expr> {
    let (i, ()) = ws(i)?;
    let ctx = i.extra;
    let start = offset(&i);
    let key = (start, ctx.in_where.get() > 0, ctx.speculative.get() > 0);
    let (depth, tree_depth) = (ctx.depth.get(), ctx.tree_depth.get());
    if let Some(memo) = ctx.memo.borrow().get(&key) {
        let (max_depth, max_tree_depth) = (depth + memo.depth_cost, tree_depth + memo.tree_cost);
        if max_depth <= MAX_DEPTH && max_tree_depth <= MAX_TREE_DEPTH && memo.end >= start {
            ctx.max_depth.set(ctx.max_depth.get().max(max_depth));
            ctx.max_tree_depth
                .set(ctx.max_tree_depth.get().max(max_tree_depth));
            return Ok((i.take_from(memo.end - start), memo.expr.clone()));
        }
    }
    let (outer_max_depth, outer_max_tree_depth) = (ctx.max_depth.get(), ctx.max_tree_depth.get());
    ctx.max_depth.set(depth);
    ctx.max_tree_depth.set(tree_depth);
    let result = f(i);
    let (depth_cost, tree_cost) = (
        ctx.max_depth.get() - depth,
        ctx.max_tree_depth.get() - tree_depth,
    );
    ctx.max_depth.set(outer_max_depth.max(ctx.max_depth.get()));
    ctx.max_tree_depth
        .set(outer_max_tree_depth.max(ctx.max_tree_depth.get()));
    if let Ok((rest, expr)) = &result {
        let memo = Memo {
            end: offset(rest),
            expr: expr.clone(),
            depth_cost,
            tree_cost,
        };
        ctx.memo.borrow_mut().insert(key, memo);
    }
    result
}

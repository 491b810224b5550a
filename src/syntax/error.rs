//! `SyntaxError`: what the parser reports, with a byte span, line, column, the expected tokens and
//! a TCK error kind. It knows the source text only while it is built; rendering takes it again.

use std::fmt;
use std::ops::Range;

/// The TCK's compile-time error details that the parser alone can decide. The others
/// (`UndefinedVariable`, `VariableAlreadyBound`, `InvalidAggregation`, `NegativeIntegerArgument`,
/// ...) need scopes or constant folding and belong to the planner.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SyntaxErrorKind {
    /// Text that is not part of the language.
    UnexpectedSyntax,
    /// A malformed number: `0x`, `0x1G`, `1e400`.
    InvalidNumberLiteral,
    /// An integer literal outside the range of a 64-bit signed integer.
    IntegerOverflow,
    /// A bad `\u` escape in a string literal.
    InvalidUnicodeLiteral,
    /// A character outside the language where a token should be, e.g. an em dash for a minus.
    InvalidUnicodeCharacter,
    /// A malformed relationship pattern, e.g. `[:T..]` or `[*-2]`.
    InvalidRelationshipPattern,
    /// `DELETE n:Label`: labels are removed with `REMOVE`.
    InvalidDelete,
    /// A parameter as the property map of a `MATCH` or `MERGE` pattern.
    InvalidParameterUse,
    /// A `WITH` item that is neither a variable nor aliased.
    NoExpressionAlias,
    /// Nesting beyond the parser's depth limit, or a query too costly to parse.
    TooComplex,
}

impl SyntaxErrorKind {
    /// The TCK's name for this detail, as in `SyntaxError should be raised at compile time: X`.
    #[must_use]
    pub fn tck_name(self) -> &'static str {
        match self {
            SyntaxErrorKind::UnexpectedSyntax | SyntaxErrorKind::TooComplex => "UnexpectedSyntax",
            SyntaxErrorKind::InvalidNumberLiteral => "InvalidNumberLiteral",
            SyntaxErrorKind::IntegerOverflow => "IntegerOverflow",
            SyntaxErrorKind::InvalidUnicodeLiteral => "InvalidUnicodeLiteral",
            SyntaxErrorKind::InvalidUnicodeCharacter => "InvalidUnicodeCharacter",
            SyntaxErrorKind::InvalidRelationshipPattern => "InvalidRelationshipPattern",
            SyntaxErrorKind::InvalidDelete => "InvalidDelete",
            SyntaxErrorKind::InvalidParameterUse => "InvalidParameterUse",
            SyntaxErrorKind::NoExpressionAlias => "NoExpressionAlias",
        }
    }
}

impl fmt::Display for SyntaxErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.tck_name())
    }
}

/// A syntax error at a byte span of the statement text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyntaxError {
    /// Lowercase, no final period; without position (`Display` adds it).
    pub message: String,
    /// Byte range into the source; `start == end` for an error between tokens.
    pub span: Range<usize>,
    /// What would have been accepted at `span.start`: tokens quoted (`')'`), classes bare
    /// (`expression`). Empty when the message says it all.
    pub expected: Vec<&'static str>,
    pub kind: SyntaxErrorKind,
    line: usize,
    column: usize,
    at_end: bool,
}

impl SyntaxError {
    /// Builds an error and computes its line and column from `source`. A `message` of `None`
    /// is made from `expected`.
    pub(crate) fn new(
        source: &str,
        span: Range<usize>,
        expected: Vec<&'static str>,
        kind: SyntaxErrorKind,
        message: Option<String>,
    ) -> SyntaxError {
        let start = clamp_to_char_boundary(source, span.start);
        let end = clamp_to_char_boundary(source, span.end.max(start));
        let before = &source[..start];
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |nl| nl + 1);
        let column = source[line_start..start].chars().count() + 1;
        let at_end = source[start..].trim().is_empty();
        let message = message.unwrap_or_else(|| expected_message(&expected));
        SyntaxError {
            message,
            span: start..end,
            expected,
            kind,
            line,
            column,
            at_end,
        }
    }

    /// 1-based line of `span.start`.
    #[must_use]
    pub fn line(&self) -> usize {
        self.line
    }

    /// 1-based column of `span.start`, in characters.
    #[must_use]
    pub fn column(&self) -> usize {
        self.column
    }

    /// True when the error lies at the end of the input (only whitespace after it): more text
    /// might complete the statement.
    #[must_use]
    pub fn is_at_end(&self) -> bool {
        self.at_end
    }

    /// The error, the source line and a caret under the column:
    ///
    /// ```text
    /// error: expected ')' at line 1, column 17
    ///   MATCH (n:Person RETURN n
    ///                   ^
    /// ```
    #[must_use]
    pub fn render(&self, source: &str) -> String {
        let line_text = source
            .lines()
            .nth(self.line - 1)
            .unwrap_or("")
            .trim_end_matches('\r');
        // Tabs are kept so the caret lines up in a terminal that expands them the same way.
        let pad: String = line_text
            .chars()
            .take(self.column - 1)
            .map(|c| if c == '\t' { '\t' } else { ' ' })
            .collect();
        format!("error: {self}\n  {line_text}\n  {pad}^")
    }
}

impl fmt::Display for SyntaxError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} at line {}, column {}",
            self.message, self.line, self.column
        )
    }
}

impl std::error::Error for SyntaxError {}

fn clamp_to_char_boundary(source: &str, mut offset: usize) -> usize {
    offset = offset.min(source.len());
    while !source.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// `expected ')'`, `expected ')' or ','`, `expected ':', '{' or ')'`.
fn expected_message(expected: &[&'static str]) -> String {
    let quoted: Vec<String> = expected.iter().map(|token| describe(token)).collect();
    match quoted.as_slice() {
        [] => "unexpected input".to_owned(),
        [one] => format!("expected {one}"),
        [init @ .., last] => format!("expected {} or {last}", init.join(", ")),
    }
}

/// Classes of tokens (`expression`, `end of input`) start with a lowercase letter; everything
/// else is a literal token and is quoted.
fn describe(token: &str) -> String {
    if token.starts_with(|c: char| c.is_ascii_lowercase()) {
        token.to_owned()
    } else {
        format!("'{token}'")
    }
}

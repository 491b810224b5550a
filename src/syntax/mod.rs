//! Query text to AST (nom + nom_locate), and the AST back to canonical text. Knows nothing of
//! values, plans, execution or storage: names are strings, literals are the AST's own.
//!
//! Entry points: [`parse`] for one statement, [`parse_script`] for `;`-separated statements,
//! [`is_incomplete`] for the REPL. The tree is in [`ast`]; it prints back to query text
//! (`Display`) and to an S-expression with spans (`Statement::to_sexpr`).
//!
//! No input makes the parser panic, overflow its stack or run for long: nesting is bounded
//! (128 levels of brackets, trees 1000 levels deep), the stack it uses is measured, deeply nested
//! text is parsed on a helper thread with a large stack, the brackets where the grammar
//! backtracks are memoized, and the total work is budgeted by the length of the text. The grammar is `grammar/cordial.ebnf`; each of its rules is a
//! function of the same name in `lexer.rs`, `expr.rs`, `pattern.rs` or `clause.rs`. Tests live in
//! `tests/parser.rs` (this directory's) with data under the crate's `tests/data/parser/`.

pub mod ast;
mod atom;
mod clause;
pub mod error;
mod expr;
mod lexer;
mod pattern;
mod print;
mod schema;
#[cfg(test)]
mod sexpr;
mod split;
#[cfg(test)]
mod tests;

pub use ast::{Span, Statement};
pub use error::{SyntaxError, SyntaxErrorKind};
pub use lexer::KEYWORDS;
pub use split::split_statements;

use lexer::{Ctx, Input, PError, PResult, offset, opt_sym, ws};

/// Parses one statement; a trailing `;` is allowed, and the statement prints back without it
/// (the example is a test in `tests/mod.rs`).
///
/// # Errors
/// A [`SyntaxError`] with the span, line and column of the first error.
pub fn parse(text: &str) -> Result<Statement, SyntaxError> {
    run(text, |i| {
        let (i, statement) = clause::statement(i)?;
        let (i, _) = opt_sym(i, ";")?;
        Ok((i, statement))
    })
}

/// Parses `;`-separated statements, returning each with the span of its text (without the `;`).
/// Empty statements (`;;`) are skipped.
///
/// # Errors
/// A [`SyntaxError`] for the first statement that does not parse.
pub fn parse_script(text: &str) -> Result<Vec<(Statement, Span)>, SyntaxError> {
    run(text, |mut i| {
        let mut statements = Vec::new();
        loop {
            let (rest, ()) = ws(i)?;
            if rest.fragment().is_empty() {
                return Ok((rest, statements));
            }
            if let (rest, Some(_)) = opt_sym(rest, ";")? {
                i = rest;
                continue;
            }
            let start = offset(&rest);
            let (rest, statement) = clause::statement(rest)?;
            statements.push((statement, Span::new(start, offset(&rest))));
            let (rest, ()) = ws(rest)?;
            if rest.fragment().is_empty() {
                return Ok((rest, statements));
            }
            let (rest, _) = lexer::sym(";")(rest)?;
            i = rest;
        }
    })
}

/// True when the error lies at the end of the input, so that more lines could complete the
/// statement (an open bracket, a dangling operator, an unterminated string or comment).
#[must_use]
pub fn is_incomplete(error: &SyntaxError) -> bool {
    error.is_at_end()
}

/// Runs `parser` over the whole of `text` and converts its error.
///
/// The parser recurses once per level of nesting, and a level costs up to a few dozen kilobytes
/// of stack. Text that nests deeply (by a quick count of brackets and signs) is therefore parsed
/// on a helper thread with a large stack; everything else, nearly every query, on the caller's.
fn run<T: Send>(
    text: &str,
    parser: impl FnOnce(Input<'_>) -> PResult<'_, T> + Send,
) -> Result<T, SyntaxError> {
    if estimated_nesting(text) <= INLINE_NESTING {
        return run_here(text, INLINE_STACK_BUDGET, parser);
    }
    // `parser` moves into the helper; if the thread cannot be created, the error says so rather
    // than parsing on a stack too small for the text.
    std::thread::scope(|scope| {
        let helper = std::thread::Builder::new()
            .name("cordial-parse".to_owned())
            .stack_size(DEEP_STACK)
            .spawn_scoped(scope, move || run_here(text, DEEP_STACK_BUDGET, parser));
        match helper {
            Ok(handle) => handle
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
            Err(_) => Err(SyntaxError::new(
                text,
                0..0,
                vec![],
                SyntaxErrorKind::TooComplex,
                Some("query nests too deeply to parse here".to_owned()),
            )),
        }
    })
}

/// Nesting up to which text is parsed on the caller's stack, within `INLINE_STACK_BUDGET`.
const INLINE_NESTING: usize = 16;
/// Stack the parser may use on the caller's thread: half of the 2 MB default of spawned threads.
const INLINE_STACK_BUDGET: usize = 1 << 20;
/// The helper thread's stack, and what the parser may use of it: enough for `lexer::MAX_DEPTH`
/// levels of the costliest construct in an unoptimised build.
const DEEP_STACK: usize = 16 << 20;
const DEEP_STACK_BUDGET: usize = 12 << 20;

/// An upper bound of the text's nesting: open brackets, plus the longest run of signs (unary
/// minus and plus recurse too). Brackets inside strings and comments count as well, which only
/// errs towards the helper thread.
fn estimated_nesting(text: &str) -> usize {
    let (mut depth, mut max_depth, mut signs, mut max_signs) = (0usize, 0usize, 0usize, 0usize);
    for b in text.bytes() {
        match b {
            b'(' | b'[' | b'{' => {
                depth += 1;
                max_depth = max_depth.max(depth);
            }
            b')' | b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
        if matches!(b, b'-' | b'+') {
            signs += 1;
            max_signs = max_signs.max(signs);
        } else if !b.is_ascii_whitespace() {
            signs = 0;
        }
    }
    max_depth + max_signs
}

fn run_here<T>(
    text: &str,
    stack_budget: usize,
    parser: impl FnOnce(Input<'_>) -> PResult<'_, T>,
) -> Result<T, SyntaxError> {
    let ctx = Ctx::for_text(text, stack_budget);
    let input = Input::new_extra(text, &ctx);
    let result = parser(input).and_then(|(rest, value)| {
        let (rest, ()) = ws(rest)?;
        if rest.fragment().is_empty() {
            Ok(value)
        } else {
            let mut err = PError::expected_at(offset(&rest), ";");
            err.expected.push("end of input");
            Err(nom::Err::Error(err))
        }
    });
    result.map_err(|e| match e {
        nom::Err::Error(err) | nom::Err::Failure(err) => to_syntax_error(text, err),
        nom::Err::Incomplete(_) => SyntaxError::new(
            text,
            text.len()..text.len(),
            vec![],
            SyntaxErrorKind::UnexpectedSyntax,
            Some("unexpected end of input".to_owned()),
        ),
    })
}

/// An error at a character outside the language (an em dash, a curly quote) is reported as
/// such, with the TCK's `InvalidUnicodeCharacter` kind.
fn to_syntax_error(text: &str, err: PError) -> SyntaxError {
    // An error at the end of the input is shown right after the last token, not on a blank
    // line below it.
    let trimmed_end = text.trim_end().len();
    let start = err.start.min(trimmed_end);
    let err = PError {
        start,
        end: err.end.min(trimmed_end).max(start),
        ..err
    };
    let mut kind = err.kind;
    let mut message = err.message;
    let mut end = err.end;
    if kind == SyntaxErrorKind::UnexpectedSyntax && message.is_none() {
        let found = text.get(err.start..).and_then(|rest| rest.chars().next());
        if let Some(c) =
            found.filter(|c| !c.is_ascii() && !c.is_alphanumeric() && !c.is_whitespace())
        {
            kind = SyntaxErrorKind::InvalidUnicodeCharacter;
            end = err.start + c.len_utf8();
            let expected =
                error::SyntaxError::new(text, 0..0, err.expected.clone(), kind, None).message;
            message = Some(format!(
                "invalid character '{c}' (U+{:04X}); {expected}",
                u32::from(c)
            ));
        }
    }
    SyntaxError::new(
        text,
        err.start..end.max(err.start),
        err.expected,
        kind,
        message,
    )
}

/// Parses `text` with the named grammar rule as the whole input. Used by the test that checks
/// every `(* e.g. ... *)` example of `grammar/cordial.ebnf`, and that every rule there names a
/// parser function. `None` when there is no such rule.
#[cfg(test)]
#[must_use]
pub fn parse_rule(rule: &str, text: &str) -> Option<Result<(), SyntaxError>> {
    with_rules!(rule, text)
}

/// Every grammar rule with a parser of its own, in the order of `grammar/cordial.ebnf`.
#[cfg(test)]
#[must_use]
pub fn grammar_rules() -> Vec<&'static str> {
    with_rules!()
}

/// The table of grammar rules and their parsers, expanded either into a dispatch on a rule name
/// or into the list of names.
#[cfg(test)]
macro_rules! with_rules {
    ($($args:tt)*) => {
        rule_table! { ($($args)*)
            statement => clause::statement,
            transaction_command => clause::transaction_command,
            query => |i| clause::query(i, false),
            single_query => |i| clause::single_query(i, false),
            clause => clause::clause,
            match_clause => clause::match_clause,
            unwind_clause => clause::unwind_clause,
            with_clause => clause::with_clause,
            return_clause => clause::return_clause,
            projection_items => clause::projection_items,
            projection_item => clause::projection_item,
            order_by => clause::order_by,
            sort_item => clause::sort_item,
            create_clause => clause::create_clause,
            merge_clause => clause::merge_clause,
            set_clause => clause::set_clause,
            set_item => clause::set_item,
            remove_clause => clause::remove_clause,
            remove_item => clause::remove_item,
            delete_clause => clause::delete_clause,
            call_clause => clause::call_clause,
            yield_items => clause::yield_items,
            load_csv_clause => clause::load_csv_clause,
            schema_command => schema::schema_command,
            create_index => schema::create_index,
            create_constraint => schema::create_constraint,
            drop_command => schema::drop_command,
            show_command => schema::show_command,
            pattern => pattern::pattern,
            pattern_part => pattern::pattern_part,
            path_pattern => pattern::path_pattern,
            relationships_pattern => pattern::relationships_pattern,
            node_pattern => pattern::node_pattern,
            labels => pattern::labels,
            rel_pattern => pattern::rel_pattern,
            rel_detail => pattern::rel_detail,
            var_length => pattern::var_length,
            expression => expr::expression,
            or_expr => expr::or_expr,
            xor_expr => expr::xor_expr,
            and_expr => expr::and_expr,
            not_expr => expr::not_expr,
            comparison => expr::comparison,
            string_predicate => expr::string_predicate,
            add_sub => expr::add_sub,
            mul_div => expr::mul_div,
            power => expr::power,
            unary => expr::unary,
            postfix => expr::postfix,
            atom => atom::atom,
            literal => atom::literal,
            function_call => atom::function_call,
            qualified_name => atom::qualified_name,
            case_expr => atom::case_expr,
            list_comprehension => atom::list_comprehension,
            pattern_comprehension => atom::pattern_comprehension,
            list_literal => atom::list_literal,
            map_literal => atom::map_literal,
            map_projection => atom::map_projection,
            parenthesized => atom::parenthesized,
            quantified => atom::quantified,
            reduce => atom::reduce,
            exists_subquery => atom::exists_subquery,
            count_subquery => atom::count_subquery,
            where_expression => atom::where_expression,
            symbolic_name => lexer::symbolic_name,
            variable => lexer::variable,
            parameter => lexer::parameter,
            string_literal => lexer::string_literal,
            number => |i| lexer::number(i, false),
        }
    };
}
#[cfg(test)]
use with_rules;

#[cfg(test)]
macro_rules! rule_table {
    (() $($name:ident => $f:expr),* $(,)?) => {
        vec![$(stringify!($name)),*]
    };
    (($rule:expr, $text:expr) $($name:ident => $f:expr),* $(,)?) => {
        match $rule {
            $(stringify!($name) => Some(run($text, |i| {
                let (i, _) = ($f)(i)?;
                Ok((i, ()))
            })),)*
            _ => None,
        }
    };
}
#[cfg(test)]
use rule_table;

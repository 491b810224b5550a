//! The REPL's line-editing helper for rustyline: completion from the language and the open
//! database, syntax highlighting with the matching bracket, hints from history, and validation
//! that keeps reading lines until the parser says the statement is complete. Knows nothing of
//! running statements.

use std::borrow::Cow;
use std::cell::Cell;

use rustyline::completion::{Completer, FilenameCompleter, Pair};
use rustyline::highlight::{CmdKind, Highlighter};
use rustyline::hint::{Hinter, HistoryHinter};
use rustyline::validate::{ValidationContext, ValidationResult, Validator};
use rustyline::{Context, Helper};

use super::commands::{self, COMMANDS};
use super::render::ResultFormat;
use crate::Database;
use crate::db::GraphRead;
use crate::db::language;

const KEYWORD: &str = "\x1b[1;34m";
const STRING: &str = "\x1b[32m";
const NUMBER: &str = "\x1b[33m";
const PARAMETER: &str = "\x1b[35m";
const COMMENT: &str = "\x1b[2;37m";
const COMMAND: &str = "\x1b[1;36m";
const BRACKET: &str = "\x1b[1;7m";
const HINT: &str = "\x1b[2m";
const RESET: &str = "\x1b[0m";

/// The rustyline helper of the shell.
pub struct ShellHelper {
    db: Database,
    /// Parameter names, refreshed by the REPL after `:param`.
    pub params: Vec<String>,
    hinter: HistoryHinter,
    files: FilenameCompleter,
    /// False on the final refresh of a line, so the bracket mark does not stay in the scrollback.
    mark_bracket: Cell<bool>,
}

impl ShellHelper {
    #[must_use]
    pub fn new(db: Database) -> ShellHelper {
        ShellHelper {
            db,
            params: Vec::new(),
            hinter: HistoryHinter::new(),
            files: FilenameCompleter::new(),
            mark_bracket: Cell::new(true),
        }
    }

    fn labels(&self) -> Vec<String> {
        let graph = self.db.begin_read();
        (0u32..)
            .zip(graph.label_names())
            .filter(|(id, _)| graph.count_nodes(Some(*id)).is_ok_and(|n| n > 0))
            .map(|(_, name)| name.clone())
            .collect()
    }

    fn types(&self) -> Vec<String> {
        let graph = self.db.begin_read();
        (0u32..)
            .zip(graph.type_names())
            .filter(|(id, _)| graph.count_relationships(Some(*id)).is_ok_and(|n| n > 0))
            .map(|(_, name)| name.clone())
            .collect()
    }

    fn all_keys(&self) -> Vec<String> {
        self.db.begin_read().key_names().to_vec()
    }

    /// Candidates for the word before the cursor, with the byte offset where the word starts.
    fn candidates(&self, line: &str, pos: usize) -> (usize, Vec<String>) {
        let before = &line[..pos];
        let start = before
            .char_indices()
            .rev()
            .find(|(_, c)| !(c.is_alphanumeric() || *c == '_'))
            .map_or(0, |(i, c)| i + c.len_utf8());
        let word = &before[start..];
        let previous = before[..start].chars().next_back();
        // The whole dotted name before the cursor (`db.la`), for procedures and functions.
        let dotted_start = before
            .char_indices()
            .rev()
            .find(|(_, c)| !(c.is_alphanumeric() || *c == '_' || *c == '.'))
            .map_or(0, |(i, c)| i + c.len_utf8());
        let dotted = &before[dotted_start..];

        let names: Vec<String> = match previous {
            Some(':') if is_meta_start(before, start) => {
                return (
                    start - 1,
                    COMMANDS
                        .iter()
                        .filter_map(|(usage, _)| usage.split(' ').next())
                        .map(str::to_owned)
                        .collect::<std::collections::BTreeSet<_>>()
                        .into_iter()
                        .filter(|c| c.starts_with(&format!(":{word}")))
                        .collect(),
                );
            }
            Some(':') if open_bracket(&before[..start]) == Some('[') => self.types(),
            Some(':') if open_bracket(&before[..start]) == Some('(') => self.labels(),
            // After `:` in a map literal comes a value: nothing to offer.
            Some(':') => Vec::new(),
            Some('$') => self.params.clone(),
            Some('.') => {
                let procedures = dotted_names(dotted);
                if !procedures.is_empty() {
                    return (dotted_start, procedures);
                }
                let variable = last_identifier(&before[..start - 1]);
                let keys = match variable {
                    Some(v) => match (label_of(line, v, '('), label_of(line, v, '[')) {
                        (Some(label), _) => commands::label_keys(&self.db, &label),
                        (None, Some(rel_type)) => commands::sample_schema(&self.db)
                            .ok()
                            .and_then(|schema| {
                                schema.types.into_iter().find(|(t, _, _)| *t == rel_type)
                            })
                            .map(|(_, _, keys)| keys.into_keys().collect())
                            .unwrap_or_default(),
                        (None, None) => Vec::new(),
                    },
                    None => Vec::new(),
                };
                if keys.is_empty() {
                    self.all_keys()
                } else {
                    keys
                }
            }
            _ => {
                let mut names: Vec<String> = language::keywords()
                    .iter()
                    .map(|k| (*k).to_owned())
                    .collect();
                names.extend(language::functions().iter().map(|f| f.name.to_owned()));
                names.extend(
                    crate::db::procedures()
                        .all()
                        .filter_map(|p| p.name.split('.').next().map(str::to_owned)),
                );
                names
            }
        };
        let lower = word.to_ascii_lowercase();
        let mut matching: Vec<String> = names
            .into_iter()
            .filter(|n| n.to_ascii_lowercase().starts_with(&lower))
            .collect();
        matching.sort();
        matching.dedup();
        (start, matching)
    }
}

/// True when the `:` just before `start` opens a shell command (first thing on the line).
fn is_meta_start(before: &str, start: usize) -> bool {
    before[..start - 1].trim().is_empty()
}

/// The innermost bracket (`(`, `[` or `{`) open at the end of `text`, ignoring strings.
fn open_bracket(text: &str) -> Option<char> {
    let mut stack = Vec::new();
    let mut quote = None;
    for c in text.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"' | '`') => quote = Some(c),
            (None, '(' | '[' | '{') => stack.push(c),
            (None, ')' | ']' | '}') => {
                stack.pop();
            }
            _ => {}
        }
    }
    stack.pop()
}

fn last_identifier(text: &str) -> Option<&str> {
    let start = text
        .char_indices()
        .rev()
        .find(|(_, c)| !(c.is_alphanumeric() || *c == '_'))
        .map_or(0, |(i, c)| i + c.len_utf8());
    let name = &text[start..];
    (!name.is_empty()).then_some(name)
}

/// The label (or type) given to `variable` in a node (or relationship) pattern of `text`,
/// opened by `open`: `(c:Customer` gives `Customer`, `[r:SERVES` gives `SERVES`.
fn label_of(text: &str, variable: &str, open: char) -> Option<String> {
    let mut rest = text;
    while let Some(i) = rest.find(open) {
        rest = &rest[i + 1..];
        let inner = rest.trim_start();
        if let Some(after) = inner.strip_prefix(variable) {
            let after = after.trim_start();
            if let Some(label) = after.strip_prefix(':') {
                let label: String = label
                    .trim_start()
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                if !label.is_empty() {
                    return Some(label);
                }
            }
        }
    }
    None
}

/// Procedure and namespaced function names that start with a dotted prefix (`db.la`).
fn dotted_names(prefix: &str) -> Vec<String> {
    let lower = prefix.to_ascii_lowercase();
    let mut names: Vec<String> = crate::db::procedures()
        .all()
        .map(|p| p.name.to_owned())
        .chain(
            language::functions()
                .into_iter()
                .filter(|f| !f.aggregate && f.name.contains('.'))
                .map(|f| f.name.to_owned()),
        )
        .filter(|n| n.to_ascii_lowercase().starts_with(&lower))
        .collect();
    names.sort();
    names.dedup();
    names
}

impl Completer for ShellHelper {
    type Candidate = Pair;

    fn complete(
        &self,
        line: &str,
        pos: usize,
        ctx: &Context<'_>,
    ) -> rustyline::Result<(usize, Vec<Pair>)> {
        let trimmed = line.trim_start();
        if let Some(command) = trimmed.strip_prefix(':')
            && let Some((name, _)) = command.split_once(' ')
        {
            match name {
                "source" | "output" => return self.files.complete(line, pos, ctx),
                "format" => {
                    let word_start = line[..pos].rfind(' ').map_or(0, |i| i + 1);
                    let word = &line[word_start..pos];
                    let pairs = ResultFormat::NAMES
                        .iter()
                        .filter(|f| f.starts_with(word))
                        .map(|f| pair(f))
                        .collect();
                    return Ok((word_start, pairs));
                }
                _ => {}
            }
        }
        let (start, names) = self.candidates(line, pos);
        Ok((start, names.iter().map(|n| pair(n)).collect()))
    }
}

fn pair(text: &str) -> Pair {
    Pair {
        display: text.to_owned(),
        replacement: text.to_owned(),
    }
}

impl Hinter for ShellHelper {
    type Hint = String;

    fn hint(&self, line: &str, pos: usize, ctx: &Context<'_>) -> Option<String> {
        self.hinter.hint(line, pos, ctx)
    }
}

impl Highlighter for ShellHelper {
    fn highlight<'l>(&self, line: &'l str, pos: usize) -> Cow<'l, str> {
        let bracket = if self.mark_bracket.get() {
            matching_bracket(line, pos)
        } else {
            None
        };
        Cow::Owned(highlight(line, bracket))
    }

    fn highlight_hint<'h>(&self, hint: &'h str) -> Cow<'h, str> {
        Cow::Owned(format!("{HINT}{hint}{RESET}"))
    }

    fn highlight_char(&self, _line: &str, _pos: usize, kind: CmdKind) -> bool {
        self.mark_bracket.set(kind != CmdKind::ForcedRefresh);
        true
    }
}

impl Validator for ShellHelper {
    fn validate(&self, ctx: &mut ValidationContext<'_>) -> rustyline::Result<ValidationResult> {
        Ok(if is_complete(ctx.input()) {
            ValidationResult::Valid(None)
        } else {
            ValidationResult::Incomplete
        })
    }
}

impl Helper for ShellHelper {}

/// Whether the input is ready to run: a `:` command, blank, or statements the parser accepts
/// or rejects for a reason that more text could not mend.
#[must_use]
pub fn is_complete(input: &str) -> bool {
    let trimmed = input.trim();
    if trimmed.is_empty() || trimmed.starts_with(':') {
        return true;
    }
    !language::needs_more_input(input)
}

/// The byte offset of the bracket matching the one at or just before the cursor.
fn matching_bracket(line: &str, pos: usize) -> Option<usize> {
    let bytes = line.as_bytes();
    let at = [pos, pos.wrapping_sub(1)]
        .into_iter()
        .find(|&i| i < bytes.len() && b"()[]{}".contains(&bytes[i]))?;
    let (open, close, forward) = match bytes[at] {
        b'(' => (b'(', b')', true),
        b'[' => (b'[', b']', true),
        b'{' => (b'{', b'}', true),
        b')' => (b'(', b')', false),
        b']' => (b'[', b']', false),
        _ => (b'{', b'}', false),
    };
    let mut depth = 0i32;
    let indices: Box<dyn Iterator<Item = usize>> = if forward {
        Box::new(at..bytes.len())
    } else {
        Box::new((0..=at).rev())
    };
    for i in indices {
        if bytes[i] == open {
            depth += if forward { 1 } else { -1 };
        } else if bytes[i] == close {
            depth += if forward { -1 } else { 1 };
        }
        if depth == 0 {
            return (i != at).then_some(i);
        }
    }
    None
}

/// The line with ANSI colours: keywords, strings, numbers, parameters, comments, a `:` command,
/// and the bracket at `bracket` marked. The text itself is unchanged, so widths stay the same.
#[must_use]
pub fn highlight(line: &str, bracket: Option<usize>) -> String {
    let mut out = String::with_capacity(line.len() * 2);
    let bytes = line.as_bytes();
    let mut i = 0;
    if line.trim_start().starts_with(':') {
        let end = line
            .char_indices()
            .skip_while(|(_, c)| c.is_whitespace())
            .find(|(_, c)| c.is_whitespace())
            .map_or(line.len(), |(i, _)| i);
        out.push_str(COMMAND);
        out.push_str(&line[..end]);
        out.push_str(RESET);
        out.push_str(&line[end..]);
        return out;
    }
    let paint = |out: &mut String, colour: &str, text: &str| {
        out.push_str(colour);
        out.push_str(text);
        out.push_str(RESET);
    };
    while i < bytes.len() {
        let c = bytes[i];
        let start = i;
        if Some(i) == bracket {
            paint(&mut out, BRACKET, &line[i..=i]);
            i += 1;
            continue;
        }
        if c == b'/' && bytes.get(i + 1) == Some(&b'/') {
            paint(&mut out, COMMENT, &line[i..]);
            break;
        }
        if c == b'/' && bytes.get(i + 1) == Some(&b'*') {
            let end = line[i + 2..]
                .find("*/")
                .map_or(line.len(), |e| i + 2 + e + 2);
            paint(&mut out, COMMENT, &line[i..end]);
            i = end;
            continue;
        }
        if c == b'\'' || c == b'"' {
            i += 1;
            while i < bytes.len() && bytes[i] != c {
                if bytes[i] == b'\\' {
                    i += 1;
                }
                i += 1;
            }
            i = (i + 1).min(bytes.len());
            paint(&mut out, STRING, &line[start..i]);
            continue;
        }
        if c == b'$' {
            i += 1;
            while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                i += 1;
            }
            paint(&mut out, PARAMETER, &line[start..i]);
            continue;
        }
        if c.is_ascii_digit() {
            while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'.') {
                // `1..3` is a range, not a float.
                if bytes[i] == b'.' && bytes.get(i + 1) == Some(&b'.') {
                    break;
                }
                i += 1;
            }
            paint(&mut out, NUMBER, &line[start..i]);
            continue;
        }
        if c.is_ascii_alphabetic() || c == b'_' {
            while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                i += 1;
            }
            let word = &line[start..i];
            let after_dot_or_colon = start > 0 && matches!(bytes[start - 1], b'.' | b':');
            if !after_dot_or_colon && is_keyword(word) {
                paint(&mut out, KEYWORD, word);
            } else {
                out.push_str(word);
            }
            continue;
        }
        // Any other character, copied whole (it may be several bytes).
        let len = line[i..].chars().next().map_or(1, char::len_utf8);
        out.push_str(&line[i..i + len]);
        i += len;
    }
    out
}

fn is_keyword(word: &str) -> bool {
    language::keywords()
        .iter()
        .any(|k| k.eq_ignore_ascii_case(word))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_found_for_variables() {
        let text = "MATCH (c:Customer)-[r:SERVES]-(s :Staff) RETURN s.";
        assert_eq!(label_of(text, "s", '(').as_deref(), Some("Staff"));
        assert_eq!(label_of(text, "r", '[').as_deref(), Some("SERVES"));
        assert_eq!(label_of(text, "r", '('), None);
        assert_eq!(label_of("MATCH (c) RETURN c.", "c", '('), None);
    }

    #[test]
    fn brackets_match_both_ways() {
        assert_eq!(matching_bracket("f(a[1])", 1), Some(6));
        assert_eq!(matching_bracket("f(a[1])", 7), Some(1));
        assert_eq!(matching_bracket("f(a", 1), None);
    }

    #[test]
    fn highlighting_keeps_the_text() {
        let line = "MATCH (c:Customer {id: $id}) WHERE c.n > 1.5 RETURN 'x' // done";
        let shown = highlight(line, Some(6));
        assert_eq!(console::strip_ansi_codes(&shown), line);
        assert!(shown.contains(&format!("{KEYWORD}MATCH{RESET}")));
        assert!(shown.contains(&format!("{PARAMETER}$id{RESET}")));
    }

    #[test]
    fn completeness_follows_the_parser() {
        assert!(!is_complete("MATCH (c:Customer)"));
        assert!(is_complete("MATCH (c:Customer) RETURN c"));
        assert!(is_complete(":schema"));
        assert!(is_complete("MATCH (c) RETRUN c"));
    }
}

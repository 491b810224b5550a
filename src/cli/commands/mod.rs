//! The shell's session (database, parameters, output format, open transaction, output file)
//! and the statements and `:` commands run in it. Shared by the REPL, `cordial run`, `-c` and
//! queries on stdin; knows nothing of line editing.

use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::io::{self, IsTerminal, Write};
use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context as _, anyhow, bail};
use console::style;

mod meta;

pub use meta::COMMANDS;

use super::render::{self, Layout, ResultFormat};
use crate::db::{
    Direction, GraphRead, GraphReadExt, Interrupt, Params, Rows, Statement, TransactionControl,
    language,
};
use crate::value::DateTime;
use crate::{Database, Value, WriteTxn};

/// Rows shown on a terminal before the rest is summarised.
const TERMINAL_ROWS: usize = 200;
/// Nodes read per label when sampling property keys and their value types.
pub const SAMPLE_NODES: usize = 500;

/// Where a piece of text came from, for error positions.
#[derive(Debug, Clone)]
pub struct Origin {
    /// A file name, `<stdin>`, or `None` for text typed at the prompt.
    pub name: Option<String>,
    /// The 1-based line of the text's first line in that file.
    pub first_line: usize,
}

impl Origin {
    #[must_use]
    pub fn typed() -> Origin {
        Origin {
            name: None,
            first_line: 1,
        }
    }

    #[must_use]
    pub fn file(name: impl Into<String>) -> Origin {
        Origin {
            name: Some(name.into()),
            first_line: 1,
        }
    }
}

/// What to do after a statement fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnError {
    Stop,
    Continue,
}

/// What the shell asks the caller to do after a `:` command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Next {
    Continue,
    Quit,
}

/// The state statements run in.
pub struct Session {
    pub db: Database,
    pub params: Params,
    pub format: ResultFormat,
    /// Print the time each statement took.
    pub timing: bool,
    /// Output fits the terminal (width, row cap, colours, banners); false for scripts whose
    /// output is read by programs.
    pub interactive: bool,
    pub on_error: OnError,
    txn: Option<WriteTxn>,
    output: Option<(PathBuf, io::BufWriter<std::fs::File>)>,
    interrupt: Interrupt,
    /// Set once writing to stdout failed because its reader went away (`cordial ... | head`):
    /// nothing more is run or printed, and the caller ends quietly.
    stdout_closed: Cell<bool>,
    /// Where results and messages go: the process's stdout and stderr, or buffers.
    console: Console,
}

/// The session's standard output and error: the process's, or writers of the caller's (a
/// test, a program embedding the shell), which see exactly what a terminal-less run prints.
pub enum Console {
    Std,
    Writers {
        out: RefCell<Box<dyn Write>>,
        err: RefCell<Box<dyn Write>>,
    },
}

/// A writer that appends to a shared buffer: give one to `Session::with_console` and read
/// what the session wrote.
#[derive(Clone, Default)]
pub struct Captured(pub std::rc::Rc<RefCell<Vec<u8>>>);

impl Captured {
    /// What was written so far, as text.
    #[must_use]
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.borrow()).into_owned()
    }
}

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.borrow_mut().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Stdout of a console, borrowed for writing.
enum Out<'a> {
    Std(io::StdoutLock<'static>),
    Writer(std::cell::RefMut<'a, Box<dyn Write>>),
}

impl Write for Out<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Out::Std(out) => out.write(buf),
            Out::Writer(out) => out.write(buf),
        }
    }
    fn flush(&mut self) -> io::Result<()> {
        match self {
            Out::Std(out) => out.flush(),
            Out::Writer(out) => out.flush(),
        }
    }
}

impl Console {
    fn out(&self) -> Out<'_> {
        match self {
            Console::Std => Out::Std(io::stdout().lock()),
            Console::Writers { out, .. } => Out::Writer(out.borrow_mut()),
        }
    }

    /// Writes a line to stderr; a failure to (a closed stderr) is ignored, as `eprintln!`
    /// would panic.
    fn error_line(&self, text: &str) {
        let _ = match self {
            Console::Std => writeln!(io::stderr(), "{text}"),
            Console::Writers { err, .. } => writeln!(err.borrow_mut(), "{text}"),
        };
    }

    fn is_terminal(&self) -> bool {
        matches!(self, Console::Std) && io::stdout().is_terminal()
    }
}

/// A statement or command failed; its error has been printed.
#[derive(Debug, PartialEq, Eq)]
pub struct Failed;

impl Session {
    #[must_use]
    pub fn new(db: Database, format: ResultFormat, interactive: bool) -> Session {
        let interrupt = db.interrupt_handle();
        Session {
            db,
            params: Params::new(),
            format,
            timing: interactive,
            interactive,
            on_error: OnError::Stop,
            txn: None,
            output: None,
            interrupt,
            stdout_closed: Cell::new(false),
            console: Console::Std,
        }
    }

    /// A session that writes to `out` and `err` instead of the process's stdout and stderr
    /// (not interactive: what a script run prints).
    #[must_use]
    pub fn with_console(
        db: Database,
        format: ResultFormat,
        out: impl Write + 'static,
        err: impl Write + 'static,
    ) -> Session {
        Session {
            console: Console::Writers {
                out: RefCell::new(Box::new(out)),
                err: RefCell::new(Box::new(err)),
            },
            ..Session::new(db, format, false)
        }
    }

    /// True once stdout's reader has gone: the caller stops running statements and ends
    /// quietly, closing the database.
    #[must_use]
    pub fn stdout_closed(&self) -> bool {
        self.stdout_closed.get()
    }

    /// True while `:begin` (or `BEGIN`) has a transaction open.
    #[must_use]
    pub fn in_transaction(&self) -> bool {
        self.txn.is_some()
    }

    /// Rolls back an open transaction, saying so; for leaving the shell.
    pub fn finish(&mut self) {
        if self.txn.take().is_some() {
            self.console
                .error_line("the open transaction was rolled back");
        }
        if let Some((_, mut file)) = self.output.take() {
            let _ = file.flush();
        }
    }

    /// Runs every statement of `text` in order. With `OnError::Stop` the first failure ends the
    /// run; either way the result says whether every statement succeeded.
    pub fn run_text(&mut self, text: &str, origin: &Origin) -> Result<(), Failed> {
        let mut ok = true;
        for (offset, piece) in language::split_statements(text) {
            if self.stdout_closed() {
                break;
            }
            // Text before the statement in this piece (blank lines, comments) moves its lines.
            let first_line = origin.first_line + text[..offset].matches('\n').count();
            let here = Origin {
                name: origin.name.clone(),
                first_line,
            };
            if self.run_statement(piece, &here).is_err() {
                ok = false;
                if self.on_error == OnError::Stop {
                    return Err(Failed);
                }
            }
        }
        if ok { Ok(()) } else { Err(Failed) }
    }

    /// Runs one statement (without its `;`) and prints its result or error.
    pub fn run_statement(&mut self, text: &str, origin: &Origin) -> Result<(), Failed> {
        let statement = match self.db.prepare(text) {
            Ok(statement) => statement,
            Err(e) => {
                self.print_error(&e, text, origin);
                return Err(Failed);
            }
        };
        let explain = statement.is_explain();
        let outcome = match statement.transaction_control() {
            Some(TransactionControl::Begin) => self.begin().map(|()| None),
            Some(TransactionControl::Commit) => self.commit().map(|()| None),
            Some(TransactionControl::Rollback) => self.rollback().map(|()| None),
            None => {
                let started = Instant::now();
                self.execute(&statement)
                    .map(|rows| Some((rows, started)))
                    .map_err(anyhow::Error::from)
            }
        };
        match outcome {
            Ok(Some((rows, started))) => {
                match self.print_result(rows, explain, started) {
                    // The reader (`head`, a closed pager) has what it wanted; the statement
                    // itself succeeded and anything it wrote is committed.
                    Err(e) if super::is_broken_pipe(&e) => {
                        self.stdout_closed.set(true);
                        Ok(())
                    }
                    // The statement failed part way through its rows.
                    Err(e) => match e.downcast_ref::<crate::Error>() {
                        Some(error) => {
                            self.print_error(error, text, origin);
                            Err(Failed)
                        }
                        None => Err(self.print_error_message(&e)),
                    },
                    Ok(()) => Ok(()),
                }
            }
            Ok(None) => Ok(()),
            Err(error) => {
                match error.downcast_ref::<crate::Error>() {
                    Some(e) => self.print_error(e, text, origin),
                    None => {
                        self.print_error_message(&error);
                    }
                }
                Err(Failed)
            }
        }
    }

    /// Runs a statement in the open transaction, or on its own. The interrupt flag is cleared
    /// first, so a Ctrl-C stops only the statement running when it was pressed.
    fn execute(&mut self, statement: &Statement) -> crate::Result<Rows> {
        self.interrupt.clear();
        match &mut self.txn {
            Some(txn) => self.db.run_in(txn, statement, &self.params),
            None => self.db.run(statement, self.params.clone()),
        }
    }

    fn begin(&mut self) -> anyhow::Result<()> {
        if self.txn.is_some() {
            bail!("a transaction is already open: :commit or :rollback it first");
        }
        self.txn = Some(self.db.begin_write()?);
        self.note("transaction open: statements run in it until :commit or :rollback");
        Ok(())
    }

    fn commit(&mut self) -> anyhow::Result<()> {
        let txn = self
            .txn
            .take()
            .ok_or_else(|| anyhow!("no transaction is open (start one with :begin)"))?;
        txn.commit()?;
        self.note("committed");
        Ok(())
    }

    fn rollback(&mut self) -> anyhow::Result<()> {
        if self.txn.take().is_none() {
            bail!("no transaction is open (start one with :begin)");
        }
        self.note("rolled back");
        Ok(())
    }

    /// A message for the person at the terminal, on stderr so that it never mixes with data;
    /// scripts stay quiet.
    fn note(&self, message: &str) {
        if self.interactive {
            self.console
                .error_line(&style(message).dim().for_stderr().to_string());
        }
    }

    fn layout(&self) -> Layout {
        let terminal = self.interactive && self.output.is_none() && self.console.is_terminal();
        Layout {
            width: terminal
                .then(|| console::Term::stdout().size_checked())
                .flatten()
                .map(|(_, w)| usize::from(w)),
            max_rows: terminal.then_some(TERMINAL_ROWS),
        }
    }

    /// Results go to the output file when one is set, else to stdout.
    fn sink(&mut self) -> Box<dyn Write + '_> {
        match &mut self.output {
            Some((_, file)) => Box::new(file),
            None => Box::new(self.console.out()),
        }
    }

    /// Prints a result as its rows arrive: machine formats and Markdown row by row, a table
    /// once its rows are in (on a terminal, the first `TERMINAL_ROWS`, then the rest is
    /// counted), then the footer.
    fn print_result(
        &mut self,
        mut rows: Rows,
        explain: bool,
        started: Instant,
    ) -> anyhow::Result<()> {
        let format = self.format;
        let layout = self.layout();
        let columns = rows.columns().to_vec();
        let (n_rows, left_out) = {
            let mut out = self.sink();
            let counts = if explain && !format.is_machine() {
                let mut n = 0;
                for row in &mut rows {
                    let row = row?;
                    writeln!(out, "{}", row.values()[0].as_str().unwrap_or_default())?;
                    n += 1;
                }
                (n, 0)
            } else if format == ResultFormat::Table {
                let mut first: Vec<Vec<Value>> = Vec::new();
                while layout.max_rows.is_none_or(|max| first.len() < max) {
                    match rows.next() {
                        Some(row) => first.push(row?.into_values()),
                        None => break,
                    }
                }
                let shown: Vec<&[Value]> = first.iter().map(Vec::as_slice).collect();
                let all = Layout {
                    max_rows: None,
                    ..layout
                };
                render::write_rows(&mut out, &columns, &shown, format, all)?;
                out.flush()?;
                let mut rest = 0;
                for row in &mut rows {
                    row?;
                    rest += 1;
                }
                (first.len() + rest, rest)
            } else {
                (render::write_stream(&mut out, &mut rows, format)?, 0)
            };
            if let Some(profile) = rows.profile()
                && !format.is_machine()
            {
                write!(out, "{profile}")?;
            }
            out.flush()?;
            counts
        };
        let elapsed = started.elapsed();
        if let Some(profile) = rows.profile()
            && format.is_machine()
        {
            eprint!("{profile}");
        }
        let mut footer = Vec::new();
        if !explain && !columns.is_empty() {
            footer.push(render::rows_text(n_rows));
        }
        let changes = render::stats_text(&rows.stats());
        if !changes.is_empty() {
            footer.push(changes);
        }
        if self.timing {
            footer.push(format!("{:.1} ms", elapsed.as_secs_f64() * 1000.0));
        }
        if left_out > 0 {
            footer.push(format!(
                "{left_out} more not shown (add LIMIT, or save them all with :output FILE)"
            ));
        }
        if let Some((path, _)) = &self.output
            && self.interactive
        {
            footer.push(format!("written to {}", path.display()));
        }
        if footer.is_empty() {
            return Ok(());
        }
        let line = footer.join(", ");
        // The footer is for people: under the table on stdout, or on stderr when stdout
        // carries data for a program.
        if format.is_machine() || (self.output.is_some() && !self.interactive) {
            if self.timing {
                self.console.error_line(&line);
            }
        } else if self.output.is_some() {
            writeln!(self.console.out(), "{}", style(line).dim())?;
        } else {
            let mut out = self.sink();
            writeln!(out, "{}", style(line).dim())?;
        }
        Ok(())
    }

    /// Prints a database error with its type, where it happened, and the query line with a
    /// caret under the position when it has one.
    pub fn print_error(&self, error: &crate::Error, source: &str, origin: &Origin) {
        let (kind, message, offset) = describe(error);
        let mut text = format!(
            "{}: {}",
            style(format!("error[{kind}]")).red().bold().for_stderr(),
            message
        );
        match offset {
            Some(offset) => {
                let mut offset = offset.min(source.len());
                while !source.is_char_boundary(offset) {
                    offset -= 1;
                }
                let before = &source[..offset];
                let line_index = before.matches('\n').count();
                let line_start = before.rfind('\n').map_or(0, |i| i + 1);
                let column = source[line_start..offset].chars().count() + 1;
                let line_no = origin.first_line + line_index;
                let line_text = source.lines().nth(line_index).unwrap_or("");
                let place = match &origin.name {
                    Some(name) => format!("{name}:{line_no}:{column}"),
                    None => format!("line {line_no}, column {column}"),
                };
                let gutter = line_no.to_string().len();
                let pad: String = line_text
                    .chars()
                    .take(column - 1)
                    .map(|c| if c == '\t' { '\t' } else { ' ' })
                    .collect();
                let _ = write!(
                    text,
                    "\n{:gutter$}--> {place}\n{:gutter$} |\n{line_no} | {line_text}\n{:gutter$} | {pad}{}",
                    "",
                    "",
                    "",
                    style("^").red().bold().for_stderr()
                );
            }
            None => {
                if let Some(name) = &origin.name {
                    let leading = &source[..source.len() - source.trim_start().len()];
                    let line = origin.first_line + leading.matches('\n').count();
                    let _ = write!(text, "\n --> {name}: the statement on line {line}");
                }
            }
        }
        self.console.error_line(&text);
    }

    /// Prints an error that has no place in a query; an error that says stdout's reader went
    /// away is not printed but remembered (`stdout_closed`).
    fn print_error_message(&self, error: &anyhow::Error) -> Failed {
        if super::is_broken_pipe(error) {
            self.stdout_closed.set(true);
        } else {
            self.console.error_line(&format!(
                "{}: {error:#}",
                style("error").red().bold().for_stderr()
            ));
        }
        Failed
    }
}

/// An error's kind (`Error::kind`), its message, and its byte offset in the statement.
fn describe(error: &crate::Error) -> (String, String, Option<usize>) {
    let kind = error.kind().to_string();
    match error {
        crate::Error::Syntax(e) => (kind, e.message.clone(), Some(e.span.start)),
        crate::Error::Plan(e) => (kind, e.message.clone(), Some(e.span.start)),
        other => (kind, other.to_string(), None),
    }
}

/// What `:schema` and completion know of the graph, from counts and a bounded sample of nodes.
pub struct SchemaSample {
    /// Label, node count, and per property key the value types seen.
    pub labels: Vec<(String, u64, BTreeMap<String, BTreeSet<String>>)>,
    /// Relationship type, count, and per property key the value types seen.
    pub types: Vec<(String, u64, BTreeMap<String, BTreeSet<String>>)>,
}

/// Counts every label and type and samples up to `SAMPLE_NODES` nodes per label (and their
/// outgoing relationships) for property keys and value types.
pub fn sample_schema(db: &Database) -> crate::Result<SchemaSample> {
    let graph = db.begin_read();
    let mut labels = Vec::new();
    let mut type_keys: BTreeMap<u32, BTreeMap<String, BTreeSet<String>>> = BTreeMap::new();
    for (id, name) in (0u32..).zip(graph.label_names()) {
        let count = graph.count_nodes(Some(id))?;
        if count == 0 {
            continue;
        }
        let mut keys: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        let nodes = graph.nodes_with_label(id)?;
        let mut edges = Vec::new();
        for &node in nodes.iter().take(SAMPLE_NODES) {
            for (key, value) in graph.node_properties(node)? {
                if let Some(key) = graph.key_name(key) {
                    keys.entry(key.to_owned())
                        .or_default()
                        .insert(value.type_name().to_owned());
                }
            }
            edges.clear();
            graph.expand(node, Direction::Outgoing, &[], &mut edges)?;
            for edge in edges.iter().take(SAMPLE_NODES) {
                let entry = type_keys.entry(edge.rel_type).or_default();
                if entry.len() > 64 {
                    continue;
                }
                for (key, value) in graph.rel_properties(edge.rel)? {
                    if let Some(key) = graph.key_name(key) {
                        entry
                            .entry(key.to_owned())
                            .or_default()
                            .insert(value.type_name().to_owned());
                    }
                }
            }
        }
        labels.push((name.clone(), count, keys));
    }
    let mut types = Vec::new();
    for (id, name) in (0u32..).zip(graph.type_names()) {
        let count = graph.count_relationships(Some(id))?;
        if count > 0 {
            types.push((
                name.clone(),
                count,
                type_keys.remove(&id).unwrap_or_default(),
            ));
        }
    }
    Ok(SchemaSample { labels, types })
}

/// The property keys seen on up to `SAMPLE_NODES` nodes of `label`, for completion.
pub fn label_keys(db: &Database, label: &str) -> Vec<String> {
    let graph = db.begin_read();
    let mut keys = BTreeSet::new();
    if let Ok(nodes) = graph.nodes_labelled(label) {
        for node in nodes.into_iter().take(SAMPLE_NODES) {
            if let Ok(props) = graph.node_properties(node) {
                keys.extend(
                    props
                        .into_iter()
                        .filter_map(|(k, _)| graph.key_name(k).map(str::to_owned)),
                );
            }
        }
    }
    keys.into_iter().collect()
}

/// Parses a `--now` value: a date or datetime in ISO 8601.
pub fn parse_now(text: &str) -> anyhow::Result<DateTime> {
    DateTime::parse(text).map_err(|e| anyhow!("--now {text}: {e}"))
}

/// A parameter given as `--param k=v`: the value is JSON when it parses as JSON, else a string.
pub fn parse_param(text: &str) -> anyhow::Result<(String, Value)> {
    let (key, value) = text
        .split_once('=')
        .ok_or_else(|| anyhow!("--param {text}: expected NAME=VALUE"))?;
    let key = key.trim().trim_start_matches('$');
    if key.is_empty() {
        bail!("--param {text}: the name is empty");
    }
    let value = match serde_json::from_str::<serde_json::Value>(value) {
        Ok(json) => {
            serde_json::from_value::<Value>(json).with_context(|| format!("--param {key}"))?
        }
        Err(_) => Value::String(value.into()),
    };
    Ok((key.to_owned(), value))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn params_are_json_or_strings() {
        assert_eq!(parse_param("n=5").unwrap().1, Value::Int(5));
        assert_eq!(parse_param("s=abc").unwrap().1, Value::from("abc"));
        assert_eq!(
            parse_param("l=[1,\"x\"]").unwrap().1,
            Value::List(vec![Value::Int(1), Value::from("x")].into())
        );
        assert!(parse_param("novalue").is_err());
    }
}

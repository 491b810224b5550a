//! The shell's `:` commands (`:help`, `:show`, `:schema`, `:param`, `:format`, `:timing`,
//! `:source`, `:output`, ...), run in a `Session`.

use std::fmt::Write as _;
use std::io::{self, Write};
use std::path::PathBuf;

use anyhow::{Context as _, anyhow, bail};
use console::style;

use super::super::render::{self, Layout, ResultFormat};
use super::{Failed, Next, Origin, Session, sample_schema};
use crate::db::{Rows, language};
use crate::{Map, Value};

impl Session {
    /// Runs a `:` command line. Unknown commands and bad arguments print an error.
    pub fn meta(&mut self, line: &str) -> Result<Next, Failed> {
        let line = line.trim().trim_end_matches(';').trim();
        let (name, rest) = match line.split_once(char::is_whitespace) {
            Some((name, rest)) => (name, rest.trim()),
            None => (line, ""),
        };
        let result = match name {
            ":help" | ":h" | ":?" => self.help(rest),
            ":quit" | ":exit" | ":q" => return Ok(Next::Quit),
            ":schema" => self.schema(),
            ":param" => self.param(rest),
            ":params" => self.list_params(),
            ":format" => self.set_format(rest),
            ":timing" => self.set_timing(rest),
            ":source" => self.source(rest),
            ":output" => self.set_output(rest),
            ":begin" => self.begin(),
            ":commit" => self.commit(),
            ":rollback" => self.rollback(),
            ":show" => return self.show(rest).map(|()| Next::Continue),
            ":explain" | ":profile" => {
                let keyword = &name[1..];
                if rest.is_empty() {
                    Err(anyhow!("usage: {name} QUERY"))
                } else {
                    let text = format!("{} {rest}", keyword.to_ascii_uppercase());
                    return self
                        .run_statement(&text, &Origin::typed())
                        .map(|()| Next::Continue);
                }
            }
            other => Err(anyhow!(
                "unknown command `{other}`; :help lists the commands"
            )),
        };
        result
            .map(|()| Next::Continue)
            .map_err(|e| self.print_error_message(&e))
    }

    /// `:show [svg|dot|mermaid] [FILE] QUERY`: draws what the query returns. DOT and Mermaid
    /// print where results go; an SVG is written to FILE, or to a new file in the temporary
    /// directory, whose path is printed.
    fn show(&mut self, rest: &str) -> Result<(), Failed> {
        let mut rest = rest.trim();
        let mut format = None;
        let mut file = None;
        loop {
            let (word, after) = rest
                .split_once(char::is_whitespace)
                .map_or((rest, ""), |(w, a)| (w, a.trim_start()));
            if format.is_none()
                && file.is_none()
                && let Some(f) = crate::picture::PictureFormat::parse(word)
            {
                format = Some(f);
            } else if file.is_none()
                && let Some(f) = picture_file_format(word)
            {
                format = format.or(Some(f));
                file = Some(std::path::PathBuf::from(word));
            } else {
                break;
            }
            rest = after;
        }
        if rest.is_empty() {
            return Err(
                self.print_error_message(&anyhow!("usage: :show [svg|dot|mermaid] [FILE] QUERY"))
            );
        }
        let format = format.unwrap_or(crate::picture::PictureFormat::Svg);
        let origin = Origin::typed();
        let result = match self
            .db
            .prepare(rest)
            .and_then(|statement| self.execute(&statement))
            .and_then(Rows::into_result)
        {
            Ok(result) => result,
            Err(e) => {
                self.print_error(&e, rest, &origin);
                return Err(Failed);
            }
        };
        let picture = match &self.txn {
            Some(txn) => crate::picture::render(&result, txn, format),
            None => crate::picture::render(&result, &self.db.begin_read(), format),
        };
        let picture = match picture {
            Ok(p) => p,
            Err(e) => {
                self.print_error(&e, rest, &origin);
                return Err(Failed);
            }
        };
        let file = file.or_else(|| {
            (format == crate::picture::PictureFormat::Svg).then(|| {
                static SHOWN: std::sync::atomic::AtomicUsize =
                    std::sync::atomic::AtomicUsize::new(0);
                let n = SHOWN.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                std::env::temp_dir().join(format!("cordial-show-{}-{n}.svg", std::process::id()))
            })
        });
        let written = match &file {
            Some(path) => std::fs::write(path, picture.as_bytes())
                .with_context(|| format!("cannot write {}", path.display())),
            None => {
                let mut out = self.sink();
                out.write_all(picture.as_bytes())
                    .and_then(|()| out.flush())
                    .map_err(anyhow::Error::from)
            }
        };
        match written {
            Ok(()) => {
                if let Some(path) = &file {
                    self.console
                        .error_line(&format!("picture written to {}", path.display()));
                }
                Ok(())
            }
            Err(e) => Err(self.print_error_message(&e)),
        }
    }

    fn help(&mut self, topic: &str) -> anyhow::Result<()> {
        let mut out = String::new();
        let topic = topic.trim_start_matches(':').to_ascii_lowercase();
        match topic.as_str() {
            "" | "commands" => {
                out.push_str(
                    "Type a query and press Enter; it runs when it is complete (`;` separates \
                     statements, Enter inside an open bracket or clause continues on the next line).\n\
                     Tab completes keywords, functions, procedures, labels (after `:`), relationship \
                     types and property keys (after `.`). Ctrl-C cancels the input or the running \
                     query; Ctrl-D leaves.\n\n",
                );
                for (usage, what) in COMMANDS {
                    let _ = writeln!(out, "  {usage:<38} {what}");
                }
                out.push_str(
                    "\n:help TOPIC for more: procedures (or a prefix: db, algo, crm), functions, \
                     keywords, formats, questions (to try on the sample company), or a command name.\n",
                );
            }
            "functions" => {
                let mut names: Vec<String> = language::functions()
                    .into_iter()
                    .map(|f| match f.aggregate {
                        true => format!("{}({})  aggregate", f.name, f.arguments),
                        false => format!("{}({})", f.name, f.arguments),
                    })
                    .collect();
                names.sort_by_key(|n| n.to_ascii_lowercase());
                for name in names {
                    let _ = writeln!(out, "  {name}");
                }
            }
            "keywords" => {
                let _ = writeln!(out, "{}", language::keywords().join(" "));
            }
            "questions" | "examples" => {
                out.push_str("Questions to try on the sample company (`cordial demo`):\n\n");
                for (question, query) in crate::domain::sample::QUESTIONS {
                    let _ = writeln!(out, "  {question}\n  {query}\n");
                }
            }
            "formats" | "format" => {
                let _ = writeln!(
                    out,
                    ":format {}\n  table: aligned, cut to the terminal (a vertical view when too wide)\n  \
                     csv: a header row, then values; lists, maps and nodes as JSON\n  \
                     json: one array of row objects per statement\n  jsonl: one row object per line\n  \
                     markdown: a pipe table\ncurrently: {}",
                    ResultFormat::NAMES.join("|"),
                    self.format.name()
                );
            }
            other => {
                let prefix = match other {
                    "procedures" | "procs" => String::new(),
                    p => format!("{p}."),
                };
                let procedures: Vec<_> = crate::db::procedures()
                    .all()
                    .filter(|p| p.name.to_ascii_lowercase().starts_with(&prefix))
                    .collect();
                if !procedures.is_empty() {
                    for p in procedures {
                        let _ = writeln!(
                            out,
                            "  {}  -> ({})\n      {}",
                            style(p.name).bold(),
                            p.outputs.join(", "),
                            p.description
                        );
                    }
                } else if let Some((usage, what)) = COMMANDS
                    .iter()
                    .find(|(usage, _)| usage[1..].split(' ').next() == Some(other))
                {
                    let _ = writeln!(out, "  {usage}\n      {what}");
                } else {
                    bail!(
                        "no help on `{other}`; topics: commands, procedures, db, algo, crm, functions, keywords, formats, questions"
                    );
                }
            }
        }
        let mut stdout = self.console.out();
        stdout.write_all(out.as_bytes())?;
        stdout.flush()?;
        Ok(())
    }

    fn schema(&mut self) -> anyhow::Result<()> {
        let schema = sample_schema(&self.db)?;
        // What SHOW INDEXES and SHOW CONSTRAINTS answer, run as those statements.
        let mut shown = Vec::new();
        for (title, statement) in [
            ("Indexes", "SHOW INDEXES"),
            ("Constraints", "SHOW CONSTRAINTS"),
        ] {
            shown.push((title, self.db.query_all(statement, Map::new())?));
        }
        let layout = self.layout();
        let format = if self.format.is_machine() {
            self.format
        } else {
            ResultFormat::Table
        };
        let mut out = self.sink();
        let section = |out: &mut dyn Write, title: &str| -> io::Result<()> {
            if !format.is_machine() {
                writeln!(out, "{}", style(title).bold())?;
            }
            Ok(())
        };
        section(&mut out, "Labels")?;
        let rows: Vec<Vec<Value>> = schema
            .labels
            .iter()
            .map(|(name, count, _)| vec![Value::from(name.as_str()), count_value(*count)])
            .collect();
        write_rows(&mut out, &["label", "nodes"], &rows, format, layout)?;
        section(&mut out, "Relationship types")?;
        let rows: Vec<Vec<Value>> = schema
            .types
            .iter()
            .map(|(name, count, _)| vec![Value::from(name.as_str()), count_value(*count)])
            .collect();
        write_rows(&mut out, &["type", "relationships"], &rows, format, layout)?;
        section(&mut out, "Property keys (sampled)")?;
        let mut rows = Vec::new();
        for (owner, keys) in schema
            .labels
            .iter()
            .map(|(n, _, k)| (format!(":{n}"), k))
            .chain(schema.types.iter().map(|(n, _, k)| (format!("[:{n}]"), k)))
        {
            for (key, types) in keys {
                let types: Vec<&str> = types.iter().map(String::as_str).collect();
                rows.push(vec![
                    Value::String(owner.clone().into()),
                    Value::from(key.as_str()),
                    Value::String((types.join(" | ")).into()),
                ]);
            }
        }
        write_rows(&mut out, &["of", "key", "types"], &rows, format, layout)?;
        for (title, result) in shown {
            section(&mut out, title)?;
            let columns: Vec<&str> = result.columns.iter().map(String::as_str).collect();
            let rows: Vec<Vec<Value>> = result.rows.into_iter().map(|r| r.into_values()).collect();
            write_rows(&mut out, &columns, &rows, format, layout)?;
        }
        out.flush()?;
        Ok(())
    }

    /// `:param name => expression`, `:param clear`.
    fn param(&mut self, rest: &str) -> anyhow::Result<()> {
        if rest == "clear" {
            self.params.clear();
            return Ok(());
        }
        let (name, expr) = rest
            .split_once("=>")
            .ok_or_else(|| anyhow!("usage: :param NAME => VALUE (a Cypher expression)"))?;
        let name = name.trim().trim_start_matches('$');
        if name.is_empty() || !name.chars().all(|c| c.is_alphanumeric() || c == '_') {
            bail!("`{name}` is not a parameter name");
        }
        let value = self.evaluate(expr.trim())?;
        self.note(&format!("${name} = {value}"));
        self.params.insert(name.to_owned(), value);
        Ok(())
    }

    /// Evaluates a Cypher expression with the current parameters.
    fn evaluate(&self, expr: &str) -> anyhow::Result<Value> {
        let text = format!("RETURN {expr} AS value");
        self.interrupt.clear();
        match self
            .db
            .query(&text, self.params.clone())
            .and_then(crate::db::Rows::into_result)
        {
            Ok(result) => Ok(result
                .rows
                .first()
                .and_then(|r| r.values().first().cloned())
                .unwrap_or(Value::Null)),
            Err(e) => {
                self.print_error(&e, &text, &Origin::typed());
                Err(anyhow!(
                    "the value of the parameter is not a valid expression"
                ))
            }
        }
    }

    fn list_params(&mut self) -> anyhow::Result<()> {
        if self.params.is_empty() {
            self.note("no parameters (set one with :param name => value)");
            return Ok(());
        }
        let rows: Vec<Vec<Value>> = self
            .params
            .iter()
            .map(|(k, v)| {
                vec![
                    Value::String(format!("${k}").into()),
                    Value::String(v.to_string().into()),
                ]
            })
            .collect();
        let (format, layout) = (self.format, self.layout());
        let mut out = self.sink();
        write_rows(&mut out, &["name", "value"], &rows, format, layout)?;
        Ok(())
    }

    fn set_format(&mut self, rest: &str) -> anyhow::Result<()> {
        if rest.is_empty() {
            writeln!(self.console.out(), "{}", self.format.name())?;
            return Ok(());
        }
        self.format = ResultFormat::parse(rest).ok_or_else(|| {
            anyhow!(
                "unknown format `{rest}`; one of {}",
                ResultFormat::NAMES.join(", ")
            )
        })?;
        Ok(())
    }

    fn set_timing(&mut self, rest: &str) -> anyhow::Result<()> {
        self.timing = match rest {
            "on" => true,
            "off" => false,
            "" => !self.timing,
            other => bail!("usage: :timing on|off, not `{other}`"),
        };
        self.note(if self.timing {
            "timing on"
        } else {
            "timing off"
        });
        Ok(())
    }

    fn source(&mut self, rest: &str) -> anyhow::Result<()> {
        if rest.is_empty() {
            bail!("usage: :source FILE");
        }
        let path = expand_home(rest);
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        self.run_text(&text, &Origin::file(path.display().to_string()))
            .map_err(|Failed| anyhow!("{} stopped at the error above", path.display()))
    }

    fn set_output(&mut self, rest: &str) -> anyhow::Result<()> {
        if let Some((path, mut file)) = self.output.take() {
            file.flush()?;
            self.note(&format!("results written to {}", path.display()));
        }
        if rest.is_empty() {
            return Ok(());
        }
        let path = expand_home(rest);
        let file = std::fs::File::create(&path)
            .with_context(|| format!("cannot write {}", path.display()))?;
        self.note(&format!(
            "results now go to {} (:output alone sends them back here)",
            path.display()
        ));
        self.output = Some((path, io::BufWriter::new(file)));
        Ok(())
    }
}

/// The picture format a file name asks for by its extension.
fn picture_file_format(word: &str) -> Option<crate::picture::PictureFormat> {
    let (_, extension) = word.rsplit_once('.')?;
    match extension.to_ascii_lowercase().as_str() {
        "svg" => Some(crate::picture::PictureFormat::Svg),
        "dot" | "gv" => Some(crate::picture::PictureFormat::Dot),
        "mmd" | "mermaid" => Some(crate::picture::PictureFormat::Mermaid),
        _ => None,
    }
}

/// The `:` commands with their usage, for `:help` and completion.
pub const COMMANDS: &[(&str, &str)] = &[
    (":help [topic]", "this help, or help on a topic"),
    (
        ":schema",
        "labels and relationship types with counts, property keys with their value types, indexes, constraints",
    ),
    (
        ":param name => value",
        "set a parameter ($name) to the value of a Cypher expression",
    ),
    (":params", "list the parameters"),
    (":param clear", "remove every parameter"),
    (
        ":format table|csv|json|jsonl|markdown",
        "how results are printed",
    ),
    (":timing on|off", "print the time each statement takes"),
    (":source FILE", "run the statements of a file"),
    (
        ":output [FILE]",
        "send results to a file; alone, back to the terminal",
    ),
    (
        ":begin",
        "open a transaction: the following statements run in it",
    ),
    (":commit", "commit the open transaction"),
    (":rollback", "discard the open transaction"),
    (
        ":show [svg|dot|mermaid] [FILE] QUERY",
        "draw the nodes and relationships a query returns (SVG to FILE or a temporary file)",
    ),
    (
        ":explain QUERY",
        "show the plan of a query without running it",
    ),
    (
        ":profile QUERY",
        "run a query and show its plan with rows and time per operator",
    ),
    (":quit", "leave (Ctrl-D too)"),
];

fn count_value(n: u64) -> Value {
    Value::Int(i64::try_from(n).unwrap_or(i64::MAX))
}

fn expand_home(path: &str) -> PathBuf {
    match path.strip_prefix("~/") {
        Some(rest) => dirs::home_dir().map_or_else(|| PathBuf::from(path), |h| h.join(rest)),
        None => PathBuf::from(path),
    }
}

/// Writes rows that are not a query result (the schema, the parameters).
fn write_rows(
    out: &mut dyn Write,
    columns: &[&str],
    rows: &[Vec<Value>],
    format: ResultFormat,
    layout: Layout,
) -> io::Result<()> {
    if rows.is_empty() && !format.is_machine() {
        return writeln!(out, "{}", style("(none)").dim());
    }
    let columns: Vec<String> = columns.iter().map(|c| (*c).to_owned()).collect();
    let rows: Vec<&[Value]> = rows.iter().map(Vec::as_slice).collect();
    render::write_rows(out, &columns, &rows, format, layout).map(|_| ())
}

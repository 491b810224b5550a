//! The interactive shell: a rustyline loop that reads input until the parser says it is
//! complete, runs `:` commands and statements in a `Session`, keeps history in the user's data
//! directory, and turns Ctrl-C into cancelling the input or the running statement. Also
//! `cordial demo`, the shell on a temporary copy of the sample company.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use console::style;
use rustyline::config::{CompletionType, Config};
use rustyline::error::ReadlineError;
use rustyline::history::FileHistory;
use rustyline::{EditMode, Editor};

use super::args::ScriptOptions;
use super::commands::{Next, Origin, Session};
use super::helper::ShellHelper;
use super::script;
use crate::Database;

/// `cordial [--db DIR]`: the shell on a database, created on first use.
pub fn open(db_path: &Path, options: &ScriptOptions) -> anyhow::Result<()> {
    let session = script::open_session(db_path, options, true)?;
    banner(&db_path.display().to_string())?;
    run(session)
}

/// `cordial demo`: the shell on a fresh temporary copy of the sample company.
pub fn demo(options: &ScriptOptions) -> anyhow::Result<()> {
    let dir = TempDir::new()?;
    let db = Database::open(&dir.path)
        .with_context(|| format!("cannot create {}", dir.path.display()))?;
    let mut tx = db.begin_write()?;
    crate::domain::sample::install(&mut tx, db.today()?)
        .and_then(|()| Ok(tx.commit()?))
        .context("cannot write the sample company")?;
    let db = if options.read_only {
        db.close()?;
        Database::open_read_only(&dir.path)
            .with_context(|| format!("cannot open {}", dir.path.display()))?
    } else {
        db
    };
    let session = script::session_on(db, options, true)?;
    banner("a temporary copy of the sample company")?;
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "Three questions to try (paste one, or type your own):\n"
    )?;
    let questions = crate::domain::sample::QUESTIONS;
    for (question, query) in questions.iter().take(3) {
        writeln!(
            out,
            "  {}\n  {}\n",
            style(question).bold(),
            style(query).cyan()
        )?;
    }
    if questions.len() > 3 {
        writeln!(out, "{} more with :help questions.\n", questions.len() - 3)?;
    }
    drop(out);
    run(session)
}

fn banner(what: &str) -> std::io::Result<()> {
    writeln!(
        std::io::stdout(),
        "{} {} on {what}\n{}",
        style("Cordial").bold(),
        env!("CARGO_PKG_VERSION"),
        style("End a statement with ; or just Enter once it is complete. :help for help, :schema for the data, Ctrl-D to leave.").dim()
    )
}

/// A directory removed when dropped.
struct TempDir {
    path: PathBuf,
}

impl TempDir {
    fn new() -> anyhow::Result<TempDir> {
        remove_abandoned_demos();
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let path =
            std::env::temp_dir().join(format!("cordial-demo-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&path)
            .with_context(|| format!("cannot create {}", path.display()))?;
        Ok(TempDir { path })
    }
}

/// Removes the demo copies of shells that were killed before they could clean up (their
/// process is gone). Only where `/proc` tells which processes live.
fn remove_abandoned_demos() {
    let proc = Path::new("/proc");
    if !proc.is_dir() {
        return;
    }
    let Ok(entries) = std::fs::read_dir(std::env::temp_dir()) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(rest) = name.to_str().and_then(|n| n.strip_prefix("cordial-demo-")) else {
            continue;
        };
        let Some(pid) = rest.split('-').next().filter(|p| p.parse::<u32>().is_ok()) else {
            continue;
        };
        if !proc.join(pid).exists() {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

/// Where history is kept: `$CORDIAL_HISTORY`, else `cordial/history.txt` in the user's data
/// directory.
fn history_path() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("CORDIAL_HISTORY") {
        return Some(PathBuf::from(path));
    }
    let dir = dirs::data_dir()?.join("cordial");
    std::fs::create_dir_all(&dir).ok()?;
    Some(dir.join("history.txt"))
}

fn prompt(session: &Session) -> &'static str {
    if session.in_transaction() {
        "cordial*> "
    } else {
        "cordial> "
    }
}

/// The read-run loop, until `:quit` or Ctrl-D.
fn run(mut session: Session) -> anyhow::Result<()> {
    let config = Config::builder()
        .history_ignore_dups(true)?
        .history_ignore_space(true)
        .max_history_size(10_000)?
        .auto_add_history(false)
        .completion_type(CompletionType::List)
        .edit_mode(EditMode::Emacs)
        .build();
    let mut editor: Editor<ShellHelper, FileHistory> = Editor::with_config(config)?;
    editor.set_helper(Some(ShellHelper::new(session.db.clone())));
    let history = history_path();
    if let Some(path) = &history {
        // A missing history file is the first run; a damaged one is not worth stopping for.
        let _ = editor.load_history(path);
    }
    // While a statement runs the terminal is in cooked mode and Ctrl-C is a signal: it raises
    // the interrupt flag, and the statement stops with `Interrupted`. While a line is being
    // edited, rustyline reads Ctrl-C as a key instead.
    let interrupt = session.db.interrupt_handle();
    if let Err(e) = ctrlc::set_handler(move || interrupt.raise()) {
        eprintln!("warning: Ctrl-C will end the shell rather than a query ({e})");
    }
    loop {
        match editor.readline(prompt(&session)) {
            Ok(input) => {
                if input.trim().is_empty() {
                    continue;
                }
                editor.add_history_entry(input.as_str())?;
                if let Some(path) = &history {
                    let _ = editor.append_history(path);
                }
                if input.trim_start().starts_with(':') {
                    if session.meta(&input) == Ok(Next::Quit) {
                        break;
                    }
                    if let Some(helper) = editor.helper_mut() {
                        helper.params = session.params.keys().cloned().collect();
                    }
                } else {
                    // Errors are printed where they happen; the shell goes on.
                    let _ = session.run_text(&input, &Origin::typed());
                }
                if session.stdout_closed() {
                    // Output piped into a reader that has gone: nobody sees what follows.
                    break;
                }
            }
            Err(ReadlineError::Interrupted) => {}
            Err(ReadlineError::Eof) => break,
            Err(e) => return Err(e.into()),
        }
    }
    session.finish();
    drop(editor);
    session.db.close()?;
    Ok(())
}

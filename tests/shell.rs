//! The shell's session tested in process, from data files: `tests/data/shell/*.txt`. Each file
//! is a session on a new database. A line `> TEXT` is typed (a `:` command, or statements);
//! the lines after it, up to the next `>`, are what it prints: plain lines on stdout, lines
//! starting `! ` on stderr, in order within each stream. Lines starting `#` are comments. The session
//! is not interactive (what `cordial run` prints): no colours, no timing, no banners. What only
//! a terminal shows (completion, highlighting, Ctrl-C) is tested through tmux in `repl.rs`.

use std::path::PathBuf;

use cordial::Database;
use cordial::cli::{Captured, Next, Origin, ResultFormat, Session};

/// One typed input and what it should print.
struct Step {
    line: usize,
    input: String,
    out: Vec<String>,
    err: Vec<String>,
}

fn steps(text: &str) -> Vec<Step> {
    let mut steps: Vec<Step> = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if let Some(input) = line.strip_prefix("> ") {
            steps.push(Step {
                line: n + 1,
                input: input.to_owned(),
                out: Vec::new(),
                err: Vec::new(),
            });
        } else if line.starts_with('#') {
            continue;
        } else if let Some(step) = steps.last_mut() {
            match line.strip_prefix("! ") {
                Some(err) => step.err.push(err.to_owned()),
                None => step.out.push(line.to_owned()),
            }
        }
    }
    steps
}

/// Lines written since `seen` bytes, and the new length.
fn new_lines(buffer: &Captured, seen: usize) -> (Vec<String>, usize) {
    let text = buffer.text();
    let lines = text[seen..].lines().map(str::to_owned).collect();
    (lines, text.len())
}

fn run_file(path: &PathBuf) -> Vec<String> {
    let text = std::fs::read_to_string(path).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let db = Database::open(dir.path().join("db")).unwrap();
    let (out, err) = (Captured::default(), Captured::default());
    let mut session = Session::with_console(db, ResultFormat::Csv, out.clone(), err.clone());
    let (mut out_seen, mut err_seen) = (0, 0);
    let mut failures = Vec::new();
    let name = path.file_name().unwrap().to_string_lossy().into_owned();
    for step in steps(&text) {
        if step.input.starts_with(':') {
            if let Ok(Next::Quit) = session.meta(&step.input) {
                break;
            }
        } else {
            let _ = session.run_text(&step.input, &Origin::typed());
        }
        let (printed, seen) = new_lines(&out, out_seen);
        out_seen = seen;
        let (errors, seen) = new_lines(&err, err_seen);
        err_seen = seen;
        if printed != step.out || errors != step.err {
            failures.push(format!(
                "{name}:{}: > {}\nexpected stdout {:#?}\n  found stdout {printed:#?}\nexpected stderr {:#?}\n  found stderr {errors:#?}",
                step.line, step.input, step.out, step.err
            ));
        }
    }
    session.finish();
    failures
}

#[test]
fn shell_sessions_print_what_the_data_files_say() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/shell");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "txt"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no sessions in {}", dir.display());
    let failures: Vec<String> = files.iter().flat_map(run_file).collect();
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

//! The shell in a real terminal: each test starts `cordial` inside its own tmux server, types
//! keys with `send-keys` and reads the screen with `capture-pane`. tmux is required (CI installs
//! it in `.ci/run`); without it these tests fail rather than pass silently.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// How long to wait for the screen to show something before failing.
const PATIENCE: Duration = Duration::from_secs(20);

struct Shell {
    socket: PathBuf,
    _dir: tempfile::TempDir,
    history: PathBuf,
}

fn tmux(socket: &Path, args: &[&str]) -> std::process::Output {
    Command::new("tmux")
        .arg("-S")
        .arg(socket)
        .args(args)
        .output()
        .unwrap_or_else(|e| {
            panic!("tmux is needed for the shell tests (apt-get install tmux): {e}")
        })
}

/// A database with customers and staff whose property keys overlap in their first letters, so
/// completion must know which label a variable has.
fn make_db(dir: &Path) -> PathBuf {
    let db = dir.join("db");
    let out = Command::new(env!("CARGO_BIN_EXE_cordial"))
        .arg("--db")
        .arg(&db)
        .arg("-c")
        .arg(
            "CREATE (a:Customer {id: 'c-1', name: 'Acme Tools', segment: 'enterprise'}), \
             (b:Customer {id: 'c-2', name: 'Birch & Sons', segment: 'smb'}), \
             (s:Staff {id: 's-1', name: 'Ana Ruiz', seniority: 3}), \
             (s)-[:SERVES {role: 'owner'}]->(a), (s)-[:SERVES {role: 'support'}]->(b)",
        )
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    db
}

impl Shell {
    /// Starts the shell on a fresh database in a 120x50 terminal and waits for its prompt.
    fn start() -> Shell {
        let dir = tempfile::tempdir().unwrap();
        let db = make_db(dir.path());
        let socket = dir.path().join("tmux.sock");
        let history = dir.path().join("history.txt");
        let env = format!("CORDIAL_HISTORY={}", history.display());
        let out = tmux(
            &socket,
            &[
                "new-session",
                "-d",
                "-x",
                "120",
                "-y",
                "50",
                "env",
                &env,
                env!("CARGO_BIN_EXE_cordial"),
                "--db",
                db.to_str().unwrap(),
            ],
        );
        assert!(
            out.status.success(),
            "tmux new-session: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let shell = Shell {
            socket,
            _dir: dir,
            history,
        };
        shell.wait_for("the prompt", |s| s.contains("cordial> "));
        shell
    }

    /// Types text literally (no key names).
    fn type_text(&self, text: &str) {
        tmux(&self.socket, &["send-keys", "-l", text]);
    }

    /// Presses keys by name: `Enter`, `Tab`, `C-c`, `C-d`.
    fn press(&self, key: &str) {
        tmux(&self.socket, &["send-keys", key]);
    }

    fn screen(&self) -> String {
        let out = tmux(&self.socket, &["capture-pane", "-p", "-J", "-S", "-500"]);
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Waits until the screen satisfies `test`, and returns it.
    fn wait_for(&self, what: &str, test: impl Fn(&str) -> bool) -> String {
        let started = Instant::now();
        loop {
            let screen = self.screen();
            if test(&screen) {
                return screen;
            }
            assert!(
                started.elapsed() < PATIENCE,
                "timed out waiting for {what}; the screen:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Prompts on the screen (`cordial*> ` inside a transaction): one more appears after each
    /// input is handled.
    fn prompts(&self) -> usize {
        count_prompts(&self.screen())
    }

    /// Runs one line and waits for the next prompt.
    fn run(&self, line: &str) -> String {
        let before = self.prompts();
        self.type_text(line);
        self.press("Enter");
        self.wait_for(&format!("the prompt after `{line}`"), |s| {
            count_prompts(s) > before
        })
    }

    /// Presses keys and waits for the shell to end.
    fn leave(&self, keys: &[&str]) {
        for key in keys {
            self.press(key);
        }
        let started = Instant::now();
        while self.is_alive() {
            assert!(started.elapsed() < PATIENCE, "the shell did not end");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Ctrl-C at the prompt, waiting for the fresh prompt: keys typed within the same read as
    /// the Ctrl-C would be dropped with the cancelled line.
    fn cancel_line(&self) {
        let before = self.prompts();
        self.press("C-c");
        self.wait_for("a fresh prompt", |s| count_prompts(s) > before);
    }

    fn is_alive(&self) -> bool {
        tmux(&self.socket, &["has-session"]).status.success()
    }
}

fn count_prompts(screen: &str) -> usize {
    screen.matches("cordial> ").count() + screen.matches("cordial*> ").count()
}

impl Drop for Shell {
    fn drop(&mut self) {
        let _ = tmux(&self.socket, &["kill-server"]);
    }
}

#[test]
fn a_query_typed_line_by_line_runs_when_complete() {
    let shell = Shell::start();
    shell.type_text("MATCH (c:Customer)");
    shell.press("Enter");
    shell.type_text("WHERE c.segment = 'smb'");
    shell.press("Enter");
    // Neither line completes a statement: no result, no error, no new prompt yet.
    std::thread::sleep(Duration::from_millis(300));
    let screen = shell.screen();
    assert_eq!(screen.matches("cordial> ").count(), 1, "{screen}");
    assert!(!screen.contains("error"), "{screen}");
    shell.type_text("RETURN c.name AS name");
    shell.press("Enter");
    let screen = shell.wait_for("the result", |s| s.contains("1 row"));
    assert!(screen.contains("│ Birch & Sons │"), "{screen}");
    assert!(!screen.contains("Acme"), "{screen}");
    // The whole statement is one history entry, kept in the history file.
    shell.type_text(":quit");
    shell.leave(&["Enter"]);
    let history = std::fs::read_to_string(&shell.history).unwrap();
    assert!(
        history.contains("MATCH (c:Customer)\\nWHERE c.segment = 'smb'\\nRETURN c.name AS name"),
        "{history}"
    );
}

#[test]
fn tab_completes_a_label_and_a_property_key_of_that_label() {
    let shell = Shell::start();
    shell.type_text("MATCH (c:Cus");
    shell.press("Tab");
    shell.wait_for("the label completed", |s| s.contains("MATCH (c:Customer"));
    // `se` starts both `segment` (Customer) and `seniority` (Staff): only knowing that `c` is
    // a Customer makes the completion unique.
    shell.type_text(") RETURN c.se");
    shell.press("Tab");
    shell.wait_for("the key completed", |s| {
        s.contains("MATCH (c:Customer) RETURN c.segment")
    });
    shell.type_text(" AS segment ORDER BY segment");
    shell.press("Enter");
    let screen = shell.wait_for("the result", |s| s.contains("2 rows"));
    assert!(screen.contains("│ enterprise │"), "{screen}");
    assert!(screen.contains("│ smb        │"), "{screen}");

    // A relationship type inside brackets, and a keyword.
    shell.type_text("MATCH ()-[r:SER");
    shell.press("Tab");
    shell.wait_for("the type completed", |s| s.contains("MATCH ()-[r:SERVES"));
    shell.type_text("]->() RET");
    shell.press("Tab");
    shell.wait_for("the keyword completed", |s| {
        s.contains("MATCH ()-[r:SERVES]->() RETURN")
    });
    shell.cancel_line();

    // A procedure by its dotted name.
    shell.type_text("CALL db.relationshipT");
    shell.press("Tab");
    shell.wait_for("the procedure completed", |s| {
        s.contains("CALL db.relationshipTypes")
    });
}

#[test]
fn a_syntax_error_shows_a_caret_under_its_position() {
    let shell = Shell::start();
    let screen = shell.run("MATCH (c:Customer) RETRUN c.name");
    assert!(screen.contains("error[SyntaxError"), "{screen}");
    let lines: Vec<&str> = screen.lines().collect();
    let source = lines
        .iter()
        .rposition(|l| l.ends_with("| MATCH (c:Customer) RETRUN c.name"))
        .unwrap_or_else(|| panic!("the query line under the error:\n{screen}"));
    let caret = lines[source + 1].find('^').expect("a caret line");
    assert_eq!(caret, lines[source].find("RETRUN").unwrap(), "{screen}");
    // The shell goes on.
    let screen = shell.run("RETURN 40 + 2 AS answer");
    assert!(screen.contains("│     42 │"), "{screen}");
}

#[test]
fn schema_lists_labels_types_keys_and_indexes() {
    let shell = Shell::start();
    let screen = shell.run(":schema");
    for needle in [
        "│ Customer │     2 │",
        "│ Staff    │     1 │",
        "│ SERVES │             2 │",
        "│ :Customer │ segment   │ STRING  │",
        "│ :Staff    │ seniority │ INTEGER │",
        "│ [:SERVES] │ role      │ STRING  │",
        "id_Customer",
    ] {
        assert!(screen.contains(needle), "missing {needle:?} in:\n{screen}");
    }
}

#[test]
fn a_parameter_set_with_param_is_used_by_queries() {
    let shell = Shell::start();
    shell.run(":param seg => 'sm' + 'b'");
    let screen = shell.run(":params");
    assert!(screen.contains("│ $seg │ 'smb' │"), "{screen}");
    let screen = shell.run("MATCH (c:Customer {segment: $seg}) RETURN c.name AS name;");
    assert!(screen.contains("│ Birch & Sons │"), "{screen}");
    shell.run(":param clear");
    let screen = shell.run("RETURN $seg AS s");
    assert!(screen.contains("error[ParameterMissing]"), "{screen}");
}

#[test]
fn ctrl_c_stops_a_running_query_and_the_shell_goes_on() {
    let shell = Shell::start();
    // Far too many rows to finish: it ends only when interrupted.
    shell.type_text(
        "UNWIND range(1, 1000000) AS a UNWIND range(1, 1000000) AS b RETURN count(*) AS n",
    );
    shell.press("Enter");
    std::thread::sleep(Duration::from_millis(500));
    // Should a loaded machine deliver the first Ctrl-C before the statement starts (which
    // clears the flag), press again; each press must end the query within a second.
    let mut presses = 0;
    let screen = loop {
        shell.press("C-c");
        presses += 1;
        std::thread::sleep(Duration::from_millis(1000));
        let screen = shell.screen();
        if screen.contains("error[Interrupted]") {
            break screen;
        }
        assert!(presses < 5, "Ctrl-C did not stop the query:\n{screen}");
    };
    shell.wait_for("the prompt after the interrupted query", |s| {
        s.split("error[Interrupted]")
            .nth(1)
            .is_some_and(|after| after.contains("cordial> "))
    });
    assert!(shell.is_alive(), "{screen}");
    let screen = shell.run("MATCH (c:Customer) RETURN count(c) AS customers");
    assert!(screen.contains("│         2 │"), "{screen}");

    // Ctrl-C while typing drops the input; Ctrl-D leaves.
    shell.type_text("RETURN 'never run' AS x");
    shell.cancel_line();
    shell.type_text("RETURN 'kept' AS y");
    shell.press("Enter");
    let screen = shell.wait_for("the second input's result", |s| s.contains("│ kept │"));
    assert!(!screen.contains("never run │"), "{screen}");
    shell.leave(&["C-d"]);
}

#[test]
fn transactions_and_output_files_from_the_shell() {
    let shell = Shell::start();
    shell.run(":begin");
    shell.wait_for("the transaction prompt", |s| s.contains("cordial*> "));
    let screen = shell.run("CREATE (:Customer {id: 'c-3', name: 'Cobalt'})");
    assert!(screen.contains("created 1 node"), "{screen}");
    let screen = shell.run("MATCH (c:Customer) RETURN count(c) AS inside");
    assert!(screen.contains("│      3 │"), "{screen}");
    shell.run(":rollback");
    let screen = shell.run("MATCH (c:Customer) RETURN count(c) AS customers");
    assert!(screen.contains("│         2 │"), "{screen}");

    let file = shell.history.with_file_name("out.csv");
    shell.run(":format csv");
    shell.run(&format!(":output {}", file.display()));
    shell.run("MATCH (c:Customer) RETURN c.id AS id ORDER BY id");
    shell.run(":output");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "id\nc-1\nc-2\n");

    // :source runs a file's statements in the session, with its format.
    let script = shell.history.with_file_name("script.cypher");
    std::fs::write(
        &script,
        "MATCH (c:Customer) SET c.checked = true;\nMATCH (c:Customer) WHERE c.checked RETURN count(c) AS checked;\n",
    )
    .unwrap();
    let screen = shell.run(&format!(":source {}", script.display()));
    assert!(screen.contains("checked\n2\n"), "{screen}");
}

#[test]
fn input_is_highlighted_and_hinted_from_history() {
    let shell = Shell::start();
    shell.run("RETURN 'hello' AS greeting");
    // A prefix of an earlier input shows the rest as a hint.
    shell.type_text("RETURN 'he");
    shell.wait_for("the history hint", |s| {
        s.lines()
            .last_non_empty()
            .is_some_and(|l| l == "cordial> RETURN 'hello' AS greeting")
    });
    shell.cancel_line();
    // Colours: keywords, strings and numbers; the bracket matching the one before the cursor
    // is shown in reverse video.
    shell.type_text("MATCH (c) WHERE c.n > 42 RETURN (1 + 2)");
    let coloured = || {
        let out = tmux(&shell.socket, &["capture-pane", "-p", "-e"]);
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let started = Instant::now();
    let line = loop {
        let screen = coloured();
        if let Some(line) = screen.lines().rev().find(|l| l.contains("42")) {
            break line.to_owned();
        }
        assert!(started.elapsed() < PATIENCE, "{screen}");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(line.contains("34mMATCH"), "{line:?}");
    assert!(line.contains("34mWHERE"), "{line:?}");
    assert!(line.contains("33m42"), "{line:?}");
    assert!(line.contains("7m("), "{line:?}");
}

trait LastNonEmpty<'a> {
    fn last_non_empty(self) -> Option<&'a str>;
}

impl<'a, I: DoubleEndedIterator<Item = &'a str>> LastNonEmpty<'a> for I {
    fn last_non_empty(mut self) -> Option<&'a str> {
        self.rfind(|l| !l.trim().is_empty())
    }
}

#[test]
fn show_draws_a_query_as_svg_dot_and_mermaid() {
    let shell = Shell::start();
    let svg = shell.history.with_file_name("team.svg");
    let screen = shell.run(&format!(
        ":show {} MATCH (s:Staff)-[r:SERVES]->(c:Customer) RETURN s, r, c",
        svg.display()
    ));
    assert!(screen.contains("picture written to"), "{screen}");
    let text = std::fs::read_to_string(&svg).unwrap();
    assert!(
        text.starts_with("<svg") || text.starts_with("<?xml"),
        "{text}"
    );
    for caption in ["Ana Ruiz", "Acme Tools", "Birch &amp; Sons", "SERVES"] {
        assert!(text.contains(caption), "{caption} missing from {text}");
    }

    let screen = shell.run(":show dot MATCH (s:Staff)-[r:SERVES]->(c:Customer) RETURN s, r, c");
    assert!(screen.contains("digraph"), "{screen}");
    assert!(
        screen.contains("Birch & Sons") || screen.contains("Birch &amp; Sons"),
        "{screen}"
    );

    let screen = shell.run(":show mermaid MATCH (s:Staff) RETURN s");
    assert!(
        screen.contains("graph") || screen.contains("flowchart"),
        "{screen}"
    );
    assert!(screen.contains("Ana Ruiz"), "{screen}");

    let screen = shell.run(":show dot");
    assert!(screen.contains("usage: :show"), "{screen}");
}

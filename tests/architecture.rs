//! Architecture invariants, checked over the source text of `src/`:
//!
//! - each top-level module uses only the modules `may_use` lists for it (an allow-list: a new
//!   dependency, or a new module, fails until it is stated there);
//! - `exec` uses no `syntax` (it runs plans, whose operator enums `plan` owns), and `cli` none of
//!   `syntax`, `plan`, `exec`, `storage`: the engine reaches it through `db`;
//! - only `storage` names `sled` or `bincode`;
//! - only `cli` (and `src/main.rs`) names `clap`, `rustyline`, `anyhow` or `indicatif`;
//! - `cli` (and `src/main.rs`) prints to stdout with `write!`/`writeln!` only: `print!` and
//!   `println!` panic when stdout's reader has gone (`cordial ... | head -1`);
//! - every `.rs` file under `src/` starts with a `//!` line, and one of more than 850 lines
//!   says in that header why it is kept whole (its header names "800 lines");
//! - inside `plan`, nothing but `plan/mod.rs` uses the binder (`plan/bind/`);
//! - `src/lib.rs` makes public only the modules `PUBLIC_MODULES` lists: the engine's layers are
//!   `pub(crate)`, reached from outside through the items `lib.rs` re-exports.
//!
//! Paths are found after comments and string literals are blanked out: `crate::x` (and
//! `$crate::x`, and `use crate::{x, y}`), `super::` chains that climb to the crate root, and
//! `name::` / `use name` for external crates. A failure lists each violation as `file:line`.

mod common;

/// A source file longer than this says in its header why it is not split.
const MAX_LINES: usize = 850;

use std::collections::BTreeSet;
use std::path::Path;

/// The text with comments, string and character literals replaced by spaces (newlines kept).
fn strip(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let blank = |c: char| if c == '\n' { '\n' } else { ' ' };
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                out.push(' ');
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            let mut depth = 0;
            while i < chars.len() {
                if chars[i] == '/' && chars.get(i + 1) == Some(&'*') {
                    depth += 1;
                    out.push_str("  ");
                    i += 2;
                } else if chars[i] == '*' && chars.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    out.push_str("  ");
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    out.push(blank(chars[i]));
                    i += 1;
                }
            }
        } else if c == 'r'
            && (next == Some('"') || next == Some('#'))
            && !chars
                .get(i.wrapping_sub(1))
                .is_some_and(|p| p.is_alphanumeric() || *p == '_')
        {
            // A raw string: r"..." or r#"..."#.
            let mut j = i + 1;
            let mut hashes = 0;
            while chars.get(j) == Some(&'#') {
                hashes += 1;
                j += 1;
            }
            if chars.get(j) != Some(&'"') {
                out.push(c);
                i += 1;
                continue;
            }
            j += 1;
            loop {
                if j >= chars.len() {
                    break;
                }
                if chars[j] == '"' && (0..hashes).all(|h| chars.get(j + 1 + h) == Some(&'#')) {
                    j += 1 + hashes;
                    break;
                }
                j += 1;
            }
            for &ch in &chars[i..j.min(chars.len())] {
                out.push(blank(ch));
            }
            i = j;
        } else if c == '"' {
            out.push(' ');
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                if chars[i] == '\\' {
                    out.push(' ');
                    i += 1;
                }
                if i < chars.len() {
                    out.push(blank(chars[i]));
                    i += 1;
                }
            }
            out.push(' ');
            i += 1;
        } else if c == '\'' {
            // A character literal ('x', '\n', '\u{..}'), or else a lifetime.
            if next == Some('\\') {
                let mut j = i + 2;
                while j < chars.len() && chars[j] != '\'' {
                    j += 1;
                }
                for _ in i..=j.min(chars.len() - 1) {
                    out.push(' ');
                }
                i = j + 1;
            } else if chars.get(i + 2) == Some(&'\'') {
                out.push_str("   ");
                i += 3;
            } else {
                out.push(c);
                i += 1;
            }
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

fn is_ident(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

fn ident_at(line: &str, at: usize) -> String {
    line[at..].chars().take_while(|c| is_ident(*c)).collect()
}

/// The crate modules a line reaches through `crate::` / `$crate::` paths.
fn crate_paths(line: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(pos) = line[from..].find("crate::") {
        let start = from + pos;
        from = start + "crate::".len();
        let before = line[..start].chars().next_back();
        if before.is_some_and(|c| is_ident(c) && c != '$') {
            continue;
        }
        let rest = line[from..].trim_start();
        if let Some(group) = rest.strip_prefix('{') {
            // use crate::{a, b::c, d}: the first segment of each top-level item.
            let mut depth = 0;
            let mut item_start = true;
            for (i, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => break,
                    '}' => depth -= 1,
                    ',' if depth == 0 => item_start = true,
                    c if item_start && is_ident(c) => {
                        found.push(ident_at(group, i));
                        item_start = false;
                    }
                    c if !c.is_whitespace() => item_start = false,
                    _ => {}
                }
            }
        } else {
            found.push(ident_at(line, from));
        }
    }
    found
}

/// The module path of a file under `src/`: `src/a/b.rs` is `[a, b]`, `src/a/mod.rs` is `[a]`.
fn module_path(rel: &Path) -> Vec<String> {
    let mut parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    let file = parts.pop().unwrap();
    let stem = file.trim_end_matches(".rs");
    if !matches!(stem, "mod" | "lib" | "main") {
        parts.push(stem.to_owned());
    }
    parts
}

/// Top-level modules reached by `super::` chains that climb out of the file's own module.
fn super_escapes(line: &str, module: &[String]) -> Vec<String> {
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(pos) = line[from..].find("super::") {
        let start = from + pos;
        if line[..start].chars().next_back().is_some_and(is_ident)
            || line[..start].ends_with("super::")
        {
            from = start + 1;
            continue;
        }
        let mut depth = 0;
        let mut at = start;
        while line[at..].starts_with("super::") {
            depth += 1;
            at += "super::".len();
        }
        from = at;
        if depth >= module.len() {
            found.push(ident_at(line, at));
        }
    }
    found
}

/// Whether the line names the external crate `name` as a path root.
/// True when the line calls `print!` or `println!` (not `eprint!`, `eprintln!` or `writeln!`).
fn prints_to_stdout(line: &str) -> bool {
    ["print!", "println!"].iter().any(|name| {
        line.match_indices(name)
            .any(|(at, _)| !line[..at].chars().next_back().is_some_and(is_ident))
    })
}

fn names_crate(line: &str, name: &str) -> bool {
    let mut from = 0;
    while let Some(pos) = line[from..].find(name) {
        let start = from + pos;
        let end = start + name.len();
        from = end;
        let before = line[..start].chars().next_back();
        if before.is_some_and(|c| is_ident(c) || c == ':') {
            continue;
        }
        let after = &line[end..];
        if after.starts_with("::") {
            return true;
        }
        let head = line[..start].trim_end();
        if (head.ends_with("use") || head.ends_with("extern crate"))
            && !after.starts_with(|c: char| is_ident(c))
        {
            return true;
        }
    }
    false
}

/// The modules of the crate each top-level module may use; `None` for a module this test does
/// not know, which fails it (a new module states its place here).
///
/// The layers, bottom up: `value`; `storage`; `syntax`; `plan` (binds syntax to a plan);
/// `procedure` (what a procedure sees of a statement, and the registry); `exec` (runs plans
/// over storage, and procedures over the statement's context); `algo` (graph algorithms as
/// procedures); `db` (the library's front door: statements, transactions, the procedure
/// registry); the features over `db` (`import`, `export`, `picture`); `cli` on top. `domain`
/// (procedures, schema, the sample company) is written against `procedure` and `storage`, so
/// that `db` can build its procedure registry from it; `algo` likewise. `error.rs` wraps the
/// errors of the layers below `db` (`import` and `export` wrap it in theirs, not the other
/// way).
fn may_use(layer: &str) -> Option<&'static [&'static str]> {
    Some(match layer {
        "value" => &[],
        "storage" => &["value"],
        "syntax" => &["value"],
        "plan" => &["syntax", "value"],
        "procedure" => &["storage", "value"],
        "exec" => &["plan", "procedure", "storage", "value"],
        "algo" => &["procedure", "storage", "value"],
        "error" => &["exec", "plan", "storage", "syntax", "value"],
        "db" => &[
            "algo",
            "domain",
            "error",
            "exec",
            "plan",
            "procedure",
            "storage",
            "syntax",
            "value",
        ],
        "import" | "export" => &["db", "error", "storage", "value"],
        "picture" => &["db", "error", "storage", "value"],
        "domain" => &["error", "procedure", "storage", "value"],
        // The public face of the customer domain: re-exports only.
        "crm" => &["domain"],
        // The engine reaches the CLI through `db` (its `language` module for the parser's and
        // the function library's facts); the features it uses directly.
        "cli" => &[
            "db", "domain", "error", "export", "import", "picture", "value",
        ],
        // The crate root (`lib.rs`, `main.rs`) declares the modules and re-exports the public
        // API by path.
        "" => &[],
        _ => return None,
    })
}

#[test]
fn module_dependencies_point_one_way() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let src = root.join("src");
    let files = common::files_under(&src, "rs");
    let top_level: BTreeSet<String> = std::fs::read_dir(&src)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter_map(|p| {
            let name = p.file_stem()?.to_string_lossy().into_owned();
            (p.is_dir() || p.extension().is_some_and(|e| e == "rs")).then_some(name)
        })
        .filter(|n| n != "lib" && n != "main")
        .collect();
    assert!(top_level.contains("storage") && top_level.contains("value"));

    let mut violations = Vec::new();
    for file in &files {
        let rel = file.strip_prefix(&src).unwrap();
        let shown = Path::new("src").join(rel).display().to_string();
        let text = std::fs::read_to_string(file).unwrap();
        if !text.starts_with("//!") {
            violations.push(format!("{shown}:1: does not start with a `//!` line"));
        }
        let lines = text.lines().count();
        let header: String = text
            .lines()
            .take_while(|l| l.starts_with("//!"))
            .collect::<Vec<_>>()
            .join(" ");
        if lines > MAX_LINES && !header.contains("800 lines") {
            violations.push(format!(
                "{shown}:1: {lines} lines; split it, or say in its header why it is kept whole \
                 (naming \"800 lines\")"
            ));
        }
        let module = module_path(rel);
        let layer = module.first().map_or("", String::as_str);
        let Some(allowed) = may_use(layer) else {
            violations.push(format!(
                "{shown}:1: `{layer}` is a module tests/architecture.rs does not know: say in \
                 `may_use` what it may use"
            ));
            continue;
        };
        let is_cli = layer == "cli" || rel == Path::new("main.rs");
        for (n, line) in strip(&text).lines().enumerate() {
            let at = format!("{shown}:{}", n + 1);
            let mut reached = crate_paths(line);
            reached.extend(super_escapes(line, &module));
            for target in reached.iter().filter(|t| top_level.contains(*t)) {
                if target == layer {
                    continue;
                }
                if !allowed.contains(&target.as_str()) {
                    violations.push(format!(
                        "{at}: `{layer}` may not use `crate::{target}` (see `may_use`)"
                    ));
                }
            }
            if layer != "storage" {
                for name in ["sled", "bincode"] {
                    if names_crate(line, name) {
                        violations.push(format!("{at}: only `storage` may name `{name}`"));
                    }
                }
            }
            if is_cli && prints_to_stdout(line) {
                violations.push(format!(
                    "{at}: `print!`/`println!` panic on a closed stdout; use `writeln!` and `?`"
                ));
            }
            if !is_cli {
                for name in ["clap", "rustyline", "anyhow", "indicatif"] {
                    if names_crate(line, name) {
                        violations.push(format!("{at}: only `cli` may name `{name}`"));
                    }
                }
            }
        }
    }
    assert!(
        violations.is_empty(),
        "architecture violations:\n{}",
        violations.join("\n")
    );
}

/// The modules `src/lib.rs` declares `pub mod`: with the items it re-exports (`pub use`), the
/// library's public API. Every other module is `pub(crate)` or private, so the engine's layers
/// stay free to change and the tests that reach below the API live inside the crate; making
/// another module public is a decision, stated here.
const PUBLIC_MODULES: &[&str] = &["cli", "crm", "export", "import", "picture", "value"];

/// The names of the modules a file declares `pub mod` (not `pub(crate) mod`, nor `mod`).
fn public_modules(text: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    for line in strip(text).lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        for (at, pair) in words.windows(2).enumerate() {
            if pair == ["pub", "mod"]
                && let Some(name) = words.get(at + 2)
            {
                found.insert(ident_at(name, 0));
            }
        }
    }
    found
}

#[test]
fn lib_rs_makes_only_the_chosen_modules_public() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(root.join("src/lib.rs")).unwrap();
    let public = public_modules(&text);
    let chosen: BTreeSet<String> = PUBLIC_MODULES.iter().map(|m| (*m).to_owned()).collect();
    assert_eq!(
        public, chosen,
        "src/lib.rs declares these modules `pub mod`; the public ones are PUBLIC_MODULES in \
         tests/architecture.rs, every other is `pub(crate) mod`"
    );
}

/// Inside `plan`, the binder is a client of the rest: `logical`, `catalog`, `pattern` and the
/// passes do not use `bind` (only `plan/mod.rs` runs it), so the binder can change without
/// them and the walks over the plan live with its types.
#[test]
fn plan_parts_do_not_use_the_binder() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let plan = root.join("src").join("plan");
    let mut violations = Vec::new();
    for file in common::files_under(&plan, "rs") {
        let rel = file.strip_prefix(&plan).unwrap();
        if rel.starts_with("bind") || rel == Path::new("mod.rs") {
            continue;
        }
        let text = std::fs::read_to_string(&file).unwrap();
        for (n, line) in strip(&text).lines().enumerate() {
            if line.contains("bind::") || line.contains("bind::{") {
                violations.push(format!("src/plan/{}:{}", rel.display(), n + 1));
            }
        }
    }
    assert!(
        violations.is_empty(),
        "plan parts that use the binder:\n{}",
        violations.join("\n")
    );
}

#[test]
fn the_checker_sees_what_it_should() {
    let stripped =
        strip("use crate::storage; // crate::plan\nlet s = \"crate::exec\"; 'a'; r#\"sled::x\"#");
    assert_eq!(crate_paths(&stripped), vec!["storage"]);
    assert!(!stripped.contains("plan") && !stripped.contains("exec") && !stripped.contains("sled"));
    assert_eq!(
        crate_paths("use crate::{value::Value, storage::{a, b}, db};"),
        vec!["value", "storage", "db"]
    );
    assert_eq!(crate_paths("$crate::storage::X"), vec!["storage"]);
    assert!(crate_paths("foo_crate::x").is_empty());
    let module = module_path(Path::new("syntax/parser.rs"));
    assert_eq!(module, vec!["syntax", "parser"]);
    assert_eq!(
        super_escapes("use super::lexer;", &module),
        Vec::<String>::new()
    );
    assert_eq!(
        super_escapes("use super::super::plan::X;", &module),
        vec!["plan"]
    );
    assert!(names_crate("use sled::Db;", "sled"));
    assert!(names_crate("let db: sled::Db;", "sled"));
    assert!(names_crate("use anyhow;", "anyhow"));
    assert!(!names_crate("let sledge = 1;", "sled"));
    assert!(!names_crate("my::sled::x", "sled"));
    assert!(!names_crate("fn f<'a>(x: &'a str) {}", "a"));
    assert_eq!(
        public_modules(
            "pub mod a;\npub(crate) mod b;\nmod c;\n#[cfg(x)]\npub mod d {}\n// pub mod e;"
        ),
        ["a", "d"]
            .iter()
            .map(|m| (*m).to_owned())
            .collect::<BTreeSet<_>>()
    );
    assert!(prints_to_stdout("    println!(\"{x}\");"));
    assert!(prints_to_stdout("print!(\"x\")"));
    assert!(!prints_to_stdout("eprintln!(\"x\"); eprint!(\"y\")"));
    assert!(!prints_to_stdout("writeln!(out, \"x\")?;"));
}

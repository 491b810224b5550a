//! The `cordial` binary: `import` builds a database and prints its summary, `stats` reads it
//! back, and a bad bundle exits non-zero with file:line on stderr and leaves no database.

use std::path::Path;
use std::process::{Command, Output};

fn cordial(args: &[&str], db: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cordial"))
        .args(args)
        .arg("--db")
        .arg(db)
        .output()
        .expect("run the cordial binary")
}

fn write_bundle(dir: &Path, knows: &str) {
    std::fs::create_dir_all(dir.join("nodes")).unwrap();
    std::fs::create_dir_all(dir.join("relationships")).unwrap();
    std::fs::write(
        dir.join("nodes/Person.csv"),
        "id:ID(Person),name,age:int\np-1,Ann,31\np-2,\"Smith, Bob\",42\np-3,Cid,\n",
    )
    .unwrap();
    std::fs::write(dir.join("relationships/KNOWS.csv"), knows).unwrap();
}

#[test]
fn import_prints_a_summary_and_stats_reads_it_back() {
    let tmp = tempfile::tempdir().unwrap();
    let bundle = tmp.path().join("bundle");
    write_bundle(
        &bundle,
        ":START_ID(Person),:END_ID(Person),since:date\np-1,p-2,2020-01-31\np-2,p-3,\n",
    );
    let db = tmp.path().join("crm.db");
    let out = cordial(&["import", bundle.to_str().unwrap(), "--verbose"], &db);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("imported 3 nodes and 2 relationships"),
        "{stdout}"
    );
    assert!(stdout.contains("on disk"), "{stdout}");
    assert!(
        stdout.contains("Person"),
        "--verbose lists labels: {stdout}"
    );
    // Not a terminal: no progress bar on stderr.
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let out = cordial(&["stats"], &db);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success());
    assert!(stdout.contains("3 nodes, 2 relationships"), "{stdout}");
    assert!(stdout.contains("KNOWS"), "{stdout}");

    // A second import into the same database is refused.
    let out = cordial(&["import", bundle.to_str().unwrap()], &db);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("not empty"));
}

#[test]
fn a_bad_bundle_exits_non_zero_with_file_and_line() {
    let tmp = tempfile::tempdir().unwrap();
    let bundle = tmp.path().join("bundle");
    write_bundle(
        &bundle,
        ":START_ID(Person),:END_ID(Person)\np-1,p-2\np-2,p-9\n",
    );
    let db = tmp.path().join("crm.db");
    let out = cordial(&["import", bundle.to_str().unwrap()], &db);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("KNOWS.csv:3"), "{stderr}");
    assert!(stderr.contains("p-9"), "{stderr}");
    assert!(
        !db.exists(),
        "a failed import leaves no new database behind"
    );
}

#[test]
fn help_lists_the_subcommands() {
    let tmp = tempfile::tempdir().unwrap();
    let out = cordial(&["--help"], &tmp.path().join("db"));
    assert!(out.status.success());
    let stdout = String::from_utf8_lossy(&out.stdout);
    for subcommand in ["import", "stats", "demo", "run"] {
        assert!(stdout.contains(subcommand), "{stdout}");
    }
}

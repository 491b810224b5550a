//! Memory that statements take, measured with a counting allocator (`peak_alloc`: the peak of
//! bytes live at once in this process), never with timing. Tests take a lock so that one
//! measurement at a time runs.
//!
//! The regression: collecting rows into a list and unwinding it again kept a copy of the whole
//! list in every row the result buffer (or a sort) held, so memory grew with the square of the
//! number of rows (5.4 GB for 2,000 maps). Rows now carry only the slots that later operators
//! read.

use std::sync::{Mutex, PoisonError};

use cordial::{Database, Map};
use peak_alloc::PeakAlloc;

#[global_allocator]
static ALLOCATOR: PeakAlloc = PeakAlloc;

static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

/// The peak of bytes allocated while `run` runs, above what was allocated before it.
fn peak_bytes(run: impl FnOnce()) -> usize {
    let _guard = ONE_AT_A_TIME.lock().unwrap_or_else(PoisonError::into_inner);
    let before = ALLOCATOR.current_usage();
    ALLOCATOR.reset_peak_usage();
    run();
    ALLOCATOR.peak_usage().saturating_sub(before)
}

const MB: usize = 1 << 20;

fn rows_of(db: &Database, query: &str, n: i64) -> usize {
    let mut params = Map::new();
    params.insert("n".into(), n.into());
    db.query_all(query, params).expect("query runs").len()
}

/// Collect-then-unwind, with and without a sort after it: linear in the number of rows. At
/// 1,500 rows the old executor held about 3 GB here.
#[test]
fn collect_then_unwind_takes_linear_memory() {
    let db = Database::in_memory().unwrap();
    for query in [
        "UNWIND range(1, $n) AS i WITH collect({i: i, name: 'customer-' + i}) AS rows \
         UNWIND rows AS row RETURN row.i AS i",
        "UNWIND range(1, $n) AS i WITH collect({i: i, name: 'customer-' + i}) AS rows \
         UNWIND rows AS row RETURN row.i AS i ORDER BY i DESC",
        "UNWIND range(1, $n) AS i WITH collect({i: i, name: 'customer-' + i}) AS rows \
         UNWIND rows AS row WITH row, size(rows) AS total ORDER BY row.i \
         RETURN row.name AS name, total",
    ] {
        let small = peak_bytes(|| assert_eq!(rows_of(&db, query, 500), 500));
        let large = peak_bytes(|| assert_eq!(rows_of(&db, query, 1500), 1500));
        assert!(
            large < 32 * MB,
            "{query}: 1,500 rows peaked at {} MB",
            large / MB
        );
        // Three times the rows: linear growth is about three times the memory, quadratic nine.
        assert!(
            large < 5 * small.max(MB / 4),
            "{query}: 500 rows peaked at {small} bytes, 1,500 at {large}"
        );
    }
}

/// A streamed result holds a few batches at a time, however many rows the query returns: the
/// old executor collected every row before the first was seen (about 300 MB for these).
#[test]
fn a_streamed_result_takes_flat_memory() {
    let db = Database::in_memory().unwrap();
    let query = "UNWIND range(1, $n) AS i RETURN i, 'customer-' + i AS name";
    let mut seen = 0i64;
    let peak = peak_bytes(|| {
        let mut params = Map::new();
        params.insert("n".into(), 2_000_000.into());
        for row in db.query(query, params).unwrap() {
            let row = row.unwrap();
            seen += 1;
            assert_eq!(row.get::<i64>("i").unwrap(), seen);
        }
    });
    assert_eq!(seen, 2_000_000);
    assert!(
        peak < 16 * MB,
        "2,000,000 streamed rows peaked at {} MB",
        peak / MB
    );
}

/// Dropping a cursor part way stops the statement: the rest is never produced.
#[test]
fn dropping_a_cursor_stops_its_statement() {
    let _guard = ONE_AT_A_TIME.lock().unwrap_or_else(PoisonError::into_inner);
    let db = Database::in_memory().unwrap();
    let mut rows = db
        .query("UNWIND range(1, 1000000000000) AS i RETURN i", Map::new())
        .unwrap();
    assert_eq!(rows.next().unwrap().unwrap().get::<i64>("i").unwrap(), 1);
    drop(rows);
    // The database is free for the next statement.
    let n = db.query_all("RETURN 1 AS one", Map::new()).unwrap();
    assert_eq!(n.rows.len(), 1);
}

/// The peak resident memory of `cordial` writing a large result as CSV: read from
/// `/proc/PID/status` (VmHWM) while it runs, since the process is a child.
#[test]
fn the_shell_writes_a_large_csv_in_flat_memory() {
    use std::io::Read;
    use std::process::{Command, Stdio};
    let _guard = ONE_AT_A_TIME.lock().unwrap_or_else(PoisonError::into_inner);
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_cordial"))
        .arg("--db")
        .arg(dir.path().join("db"))
        .args([
            "-c",
            "UNWIND range(1, 2000000) AS i RETURN i, 'customer-' + i AS name",
            "--format",
            "csv",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("cordial runs");
    let pid = child.id();
    let mut stdout = child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut lines = 0usize;
        let mut buffer = vec![0u8; 1 << 16];
        loop {
            let n = stdout.read(&mut buffer).unwrap();
            if n == 0 {
                return lines;
            }
            lines += buffer[..n].iter().filter(|b| **b == b'\n').count();
        }
    });
    let mut peak_kb = 0u64;
    while child.try_wait().unwrap().is_none() {
        if let Ok(status) = std::fs::read_to_string(format!("/proc/{pid}/status"))
            && let Some(line) = status.lines().find(|l| l.starts_with("VmHWM:"))
        {
            let kb: u64 = line
                .split_whitespace()
                .nth(1)
                .and_then(|n| n.parse().ok())
                .unwrap_or(0);
            peak_kb = peak_kb.max(kb);
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    let lines = reader.join().unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(lines, 2_000_001, "a header and every row");
    assert!(peak_kb > 0, "the child's memory was read");
    assert!(
        peak_kb < 96 * 1024,
        "cordial -c peaked at {} MB writing 2,000,000 rows",
        peak_kb / 1024
    );
}

/// Past its memory budget a statement fails with a typed error that names the operator, and
/// changes nothing; the database goes on.
#[test]
fn a_statement_past_its_memory_budget_fails_and_changes_nothing() {
    use cordial::ExecErrorKind;
    let _guard = ONE_AT_A_TIME.lock().unwrap_or_else(PoisonError::into_inner);
    let db = Database::in_memory()
        .unwrap()
        .with_memory_limit(Some(8 * MB as u64));
    for (query, operator) in [
        (
            "UNWIND range(1, 1000000) AS i RETURN i ORDER BY i DESC",
            "ORDER BY",
        ),
        (
            "UNWIND range(1, 1000000) AS i RETURN collect(i) AS xs",
            "aggregation",
        ),
        (
            "UNWIND range(1, 1000000) AS i RETURN DISTINCT i % 999983 AS r",
            "DISTINCT",
        ),
        (
            "UNWIND range(1, 300000) AS i CREATE (:Line {i: i}) WITH i ORDER BY i DESC RETURN i",
            "eager barrier",
        ),
    ] {
        let error = db.query_all(query, Map::new()).unwrap_err();
        match &error {
            cordial::Error::Exec(e) => assert_eq!(e.kind(), ExecErrorKind::MemoryLimitExceeded),
            other => panic!("{query}: expected a memory limit error, got {other:?}"),
        }
        let message = error.to_string();
        assert!(
            message.contains("memory limit") && message.contains(operator),
            "{query}: {message}"
        );
    }
    let lines = db
        .query_all("MATCH (l:Line) RETURN count(l) AS n", Map::new())
        .unwrap();
    assert_eq!(
        lines.rows[0].get::<i64>("n").unwrap(),
        0,
        "the failed write left nothing"
    );
    // The same statements fit a larger budget.
    let db = db.with_memory_limit(Some(512 * MB as u64));
    let sorted = db
        .query_all(
            "UNWIND range(1, 1000000) AS i RETURN i ORDER BY i DESC LIMIT 1",
            Map::new(),
        )
        .unwrap();
    assert_eq!(sorted.rows[0].get::<i64>("i").unwrap(), 1_000_000);
}

/// `--memory-limit` on the command line: a clear error past it, and a refused bad size.
#[test]
fn the_command_line_takes_a_memory_limit() {
    use std::process::Command;
    let _guard = ONE_AT_A_TIME.lock().unwrap_or_else(PoisonError::into_inner);
    let dir = tempfile::tempdir().unwrap();
    let run = |limit: &str| {
        Command::new(env!("CARGO_BIN_EXE_cordial"))
            .arg("--db")
            .arg(dir.path().join("db"))
            .args(["--memory-limit", limit, "-c"])
            .arg("UNWIND range(1, 1000000) AS i RETURN i ORDER BY i DESC LIMIT 500000")
            .args(["--format", "csv"])
            .output()
            .unwrap()
    };
    let small = run("4MB");
    assert!(!small.status.success());
    let stderr = String::from_utf8_lossy(&small.stderr);
    assert!(
        stderr.contains("memory limit") && stderr.contains("ORDER BY"),
        "{stderr}"
    );
    let large = run("1GB");
    assert!(
        large.status.success(),
        "{}",
        String::from_utf8_lossy(&large.stderr)
    );
    let bad = run("lots");
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("not a size"));
}

/// A cursor can be handed to another thread (a server's connection task, a Python iterator).
#[test]
fn a_cursor_moves_between_threads() {
    fn assert_send<T: Send>(_: &T) {}
    let _guard = ONE_AT_A_TIME.lock().unwrap_or_else(PoisonError::into_inner);
    let db = Database::in_memory().unwrap();
    let rows = db
        .query("UNWIND range(1, 100000) AS i RETURN i", Map::new())
        .unwrap();
    assert_send(&rows);
    let total = std::thread::spawn(move || {
        rows.map(|r| r.unwrap().get::<i64>("i").unwrap())
            .sum::<i64>()
    })
    .join()
    .unwrap();
    assert_eq!(total, 100_000 * 100_001 / 2);
}

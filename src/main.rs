//! The `cordial` binary; everything it does lives in `cordial::cli`.

use std::process::ExitCode;

/// mimalloc: queries allocate and free many small values, where it beats the system allocator
/// by a wide margin.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// How long mimalloc keeps freed pages before it gives them back to the system, in ms. Its
/// default (1 s) gives back what one query freed before the next can reuse it, so each query
/// paid a page fault for every fresh page it touched (a tenth of a large query's time); ten
/// seconds keeps them through a script or a benchmark and still returns them to an idle shell.
const PURGE_DELAY: (&str, &str) = ("MIMALLOC_PURGE_DELAY", "10000");

fn main() -> ExitCode {
    set_allocator_options();
    cordial::cli::main()
}

/// Commands that build a database: they free large buffers and allocate others of other
/// sizes, so pages kept for reuse would only raise their peak memory. They run with
/// mimalloc's defaults.
const BUILDING: &[&str] = &["import", "compact", "restore"];

/// mimalloc reads its options from the environment when the process starts, so the binary
/// sets them by running itself again, once, with them set (unless the caller set them).
#[cfg(unix)]
fn set_allocator_options() {
    use std::os::unix::process::CommandExt;
    if std::env::var_os(PURGE_DELAY.0).is_some()
        || std::env::args_os()
            .skip(1)
            .any(|a| BUILDING.iter().any(|b| a == *b))
    {
        return;
    }
    let Ok(exe) = std::env::current_exe() else {
        return;
    };
    let mut args = std::env::args_os();
    let mut command = std::process::Command::new(exe);
    if let Some(arg0) = args.next() {
        command.arg0(arg0);
    }
    command.args(args).env(PURGE_DELAY.0, PURGE_DELAY.1);
    // `exec` returns only when it failed: run with mimalloc's defaults then.
    let _failed = command.exec();
}

#[cfg(not(unix))]
fn set_allocator_options() {}

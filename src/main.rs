//! The `cordial` command: everything lives in `cordial::cli`.

use std::process::ExitCode;

fn main() -> ExitCode {
    cordial::cli::main()
}

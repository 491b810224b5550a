//! The `cordial` binary; everything it does lives in `cordial::cli`.

use std::process::ExitCode;

fn main() -> ExitCode {
    cordial::cli::main()
}

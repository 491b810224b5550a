//! The command line: argument parsing, the REPL and output rendering.

use std::process::ExitCode;

#[must_use]
pub fn main() -> ExitCode {
    ExitCode::SUCCESS
}

use std::process::ExitCode;

fn main() -> ExitCode {
    cordial::cli::main()
}

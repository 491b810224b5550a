//! The `cordial` binary; everything it does lives in `cordial::cli`.

use std::process::ExitCode;

/// mimalloc: queries allocate and free many small values, where it beats the system allocator
/// by a wide margin.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    cordial::cli::main()
}

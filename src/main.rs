//! The `agentready` command line. Parses arguments, calls the library,
//! prints, and maps the result to an exit code (src/exit.rs).
#![allow(
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "the binary is the only place that prints"
)]

mod cli;

use std::process::ExitCode;

/// mimalloc instead of the system allocator: a scan allocates many small,
/// short-lived buffers across threads, where glibc's malloc spent a quarter
/// of the batch benchmark's CPU in locking and consolidation.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    cli::main()
}

//! The `agentready` command line. Parses arguments, calls the library,
//! prints, and maps the result to an exit code (DESIGN §5).
#![allow(
    clippy::print_stdout,
    clippy::print_stderr,
    reason = "the binary is the only place that prints"
)]

mod cli;

use std::process::ExitCode;

fn main() -> ExitCode {
    cli::main()
}

//! `orgctl`: the command-line interface.

use std::process::ExitCode;

fn main() -> ExitCode {
    ExitCode::SUCCESS
}

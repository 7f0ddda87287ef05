//! `orgctl completions SHELL`: the shell's completion script, from the CLI definition.

use std::process::ExitCode;

use clap::CommandFactory as _;

use crate::cli::{Cli, CompletionsArgs};
use crate::error::CliError;
use crate::printer::Printer;

/// Writes the script to stdout.
pub fn run(args: &CompletionsArgs, printer: &Printer) -> Result<ExitCode, CliError> {
    let mut command = Cli::command();
    clap_complete::generate(args.shell, &mut command, "orgctl", &mut printer.stdout());
    Ok(ExitCode::SUCCESS)
}

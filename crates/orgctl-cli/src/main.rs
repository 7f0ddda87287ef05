//! `orgctl`: the command-line interface. The only crate of the workspace that prints.

mod cli;
mod commands;
mod error;
mod help;
mod policy_file;
mod printer;
mod progress;
mod render;

use std::io::Write as _;
use std::process::ExitCode;

use clap::{CommandFactory as _, FromArgMatches as _};

use crate::cli::{Cli, Command};
use crate::error::CliError;
use crate::printer::Printer;

fn main() -> ExitCode {
    let matches = Cli::command().version(cli::long_version()).get_matches();
    let cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(e) => e.exit(),
    };
    let printer = Printer {
        quiet: cli.quiet,
        ..Printer::from_env()
    };
    // The organization commands keep 2 for "changes planned": every failure is 1.
    let org_command = matches!(
        cli.command,
        Command::Validate(_)
            | Command::Show(_)
            | Command::Plan(_)
            | Command::Audit(_)
            | Command::Apply(_)
            | Command::Bootstrap(_)
            | Command::Account(_)
            | Command::Import(_)
            | Command::Test(_)
            | Command::Prove(_)
            | Command::Init(_)
            | Command::Report(_)
            | Command::Replay(_)
    );
    let result = match &cli.command {
        Command::Simulate(args) => commands::simulate::run(args, &printer),
        Command::Replay(args) => commands::replay::run(args, &printer),
        Command::Lint(args) => commands::lint::run(args, &printer),
        Command::Expand(args) => commands::expand::run(args, &printer),
        Command::Validate(args) => commands::validate::run(args, &printer),
        Command::Show(args) => commands::show::run(args, &printer),
        Command::Plan(args) => commands::plan::run(args, &printer),
        Command::Audit(args) => commands::audit::run(args, &printer),
        Command::Apply(args) => commands::apply::run(args, &printer),
        Command::Bootstrap(args) => commands::bootstrap::run(args, &printer),
        Command::Import(args) => commands::import::run(args, &printer),
        Command::Test(args) => commands::test::run(args, &printer),
        Command::Prove(args) => commands::prove::run(args, &printer),
        Command::Init(args) => commands::init::run(args, &printer),
        Command::Completions(args) => commands::completions::run(args, &printer),
        Command::Man(args) => commands::man::run(args, &printer),
        Command::Report(args) => commands::report::run(args, &printer),
        Command::Account(cli::AccountCommand::Create(args)) => {
            commands::account::create(args, &printer)
        }
    };
    match result {
        Ok(code) => code,
        Err(e) if e.is_broken_pipe() => ExitCode::SUCCESS,
        Err(e) => {
            let text = match &e {
                CliError::Policies(errors) => render::diagnostic::load_errors(&printer, errors),
                CliError::Other(e) => format!("error: {e:#}\n"),
                CliError::Diagnostic(d) => render::diagnostic::report(&printer, d.as_ref()),
                CliError::Reported => String::new(),
            };
            // Nothing more can be done if stderr is gone too.
            let _ = printer.stderr().write_all(text.as_bytes());
            if org_command {
                ExitCode::from(1)
            } else {
                e.exit_code()
            }
        }
    }
}

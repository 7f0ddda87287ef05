//! `orgctl simulate`: decide one request given by flags, or a JSON Lines batch.

mod batch;
mod org;
mod single;

use std::process::ExitCode;

use crate::cli::SimulateArgs;
use crate::error::CliError;
use crate::printer::Printer;

/// Runs `orgctl simulate`.
///
/// # Errors
/// When a policy file or the batch input cannot be read, or stdout cannot be written.
pub fn run(args: &SimulateArgs, printer: &Printer) -> Result<ExitCode, CliError> {
    match &args.batch {
        Some(input) => batch::run(
            input,
            args.policies.as_deref(),
            args.jobs.map(std::num::NonZeroUsize::get),
            printer,
        ),
        None if args.dir.is_some() => org::run(args, printer),
        None => single::run(args, printer),
    }
}

//! `orgctl validate`: the spec and every policy it names, every problem at once.

use std::io::Write as _;
use std::process::ExitCode;

use anyhow::Context as _;
use orgctl_catalog::Catalog;

use crate::cli::{Format, ValidateArgs};
use crate::error::CliError;
use crate::printer::Printer;
use crate::render;

/// Runs the command: exit 0 when the spec has no error (warnings allowed), 1 otherwise.
pub fn run(args: &ValidateArgs, printer: &Printer) -> Result<ExitCode, CliError> {
    let (spec, mut diags) = orgctl_org::load_dir(&args.dir).map_err(CliError::diagnostic)?;
    let catalog = Catalog::embedded().context("the embedded AWS catalog is damaged")?;
    orgctl_org::validate(&spec, catalog, &mut diags);
    match args.format {
        Format::Human => {
            if !diags.items.is_empty() {
                let text = render::spec::human(printer, &spec.sources, &diags);
                printer.stderr().write_all(text.as_bytes())?;
            }
            if !diags.has_errors() {
                writeln!(
                    printer.stdout(),
                    "{}: valid ({} OUs, {} accounts, {} policies)",
                    args.dir.display(),
                    spec.units.len(),
                    spec.accounts.len(),
                    spec.policies.iter().filter(|p| !p.implicit).count()
                )?;
            }
        }
        Format::Json => {
            let doc = render::spec::json(&spec.sources, &diags);
            let text = serde_json::to_string_pretty(&doc).map_err(anyhow::Error::from)?;
            writeln!(printer.stdout(), "{text}")?;
        }
    }
    Ok(if diags.has_errors() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

//! `orgctl expand`: the actions of the AWS catalog that action patterns match.

use std::io::Write as _;
use std::process::ExitCode;

use anyhow::Context as _;
use orgctl_catalog::Catalog;
use serde_json::json;

use crate::cli::{ExpandArgs, Format};
use crate::error::CliError;
use crate::printer::Printer;

/// Runs the command: exit 0 when every pattern matched something, 1 when one matched nothing.
pub fn run(args: &ExpandArgs, printer: &Printer) -> Result<ExitCode, CliError> {
    let catalog = Catalog::embedded().context("the embedded AWS catalog is damaged")?;
    let mut out = std::io::BufWriter::new(printer.stdout());
    let mut unmatched = Vec::new();
    let mut documents = Vec::new();
    for pattern in &args.patterns {
        let actions = catalog.expand(pattern);
        if actions.is_empty() {
            unmatched.push(pattern.as_str());
        }
        match args.format {
            Format::Human => {
                if args.patterns.len() > 1 {
                    writeln!(out, "{pattern}: {} actions", actions.len())?;
                }
                let width = actions
                    .iter()
                    .map(|a| a.full_name().len())
                    .max()
                    .unwrap_or(0);
                for a in &actions {
                    writeln!(out, "{:width$}  {}", a.full_name(), a.access_level())?;
                }
            }
            Format::Json => documents.push(json!({
                "pattern": pattern,
                "actions": actions
                    .iter()
                    .map(|a| json!({"action": a.full_name(), "access_level": a.access_level()}))
                    .collect::<Vec<_>>(),
            })),
        }
    }
    if args.format == Format::Json {
        let doc = json!({"catalog": catalog.version(), "patterns": documents});
        writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&doc).map_err(anyhow::Error::from)?
        )?;
    }
    out.flush()?;
    drop(out);
    if unmatched.is_empty() {
        return Ok(ExitCode::SUCCESS);
    }
    let mut err = printer.stderr();
    for pattern in unmatched {
        writeln!(
            err,
            "warning: `{pattern}` matches no action of the catalog ({})",
            catalog.version()
        )?;
    }
    Ok(ExitCode::from(1))
}

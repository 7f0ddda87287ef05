//! `orgctl report DIR --out FILE`: one self-contained HTML page with the organization chart,
//! each account's effective guardrails, the heat map of allowed actions per account and
//! service, lint findings, guardrail test results, bootstrap status and the cost estimate.
//!
//! The backend is only read: a sandbox that does not exist is reported as not applied and
//! not created. Exit 0 once the page is written, whatever it shows; 1 on an error.

use std::io::Write as _;
use std::path::Path;
use std::process::ExitCode;

use anyhow::Context as _;
use orgctl_catalog::Catalog;
use orgctl_org::guardtest;
use orgctl_org::prove::ProveOptions;
use orgctl_report::ReportInput;

use crate::cli::ReportArgs;
use crate::commands::{org, test};
use crate::error::CliError;
use crate::printer::Printer;

/// Runs the command.
pub fn run(args: &ReportArgs, printer: &Printer) -> Result<ExitCode, CliError> {
    let spec = org::load_spec(&args.dir, printer)?;
    let catalog = Catalog::embedded().context("the embedded AWS catalog is damaged")?;
    let backend = org::open_backend(&args.target, &args.dir, &spec, org::Open::ReadOnly)?;
    let state = org::read_state(backend.as_ref(), &spec)?;
    let tests = if guardtest::test_dir_exists(Path::new(&args.dir)) {
        Some(test::run_all(&spec, printer)?)
    } else {
        None
    };
    let report = orgctl_report::render(&ReportInput {
        spec: &spec,
        catalog,
        state: Some(&state),
        backend: backend.kind(),
        tests: tests.as_deref(),
        prove: &ProveOptions::default(),
        version: env!("CARGO_PKG_VERSION"),
    })
    .map_err(anyhow::Error::from)?;
    std::fs::write(&args.out, &report.html)
        .with_context(|| format!("cannot write `{}`", args.out.display()))?;
    let s = &report.summary;
    let tests_text = match &tests {
        Some(_) => format!("{} tests passed, {} failed", s.tests_passed, s.tests_failed),
        None => "no guardrail tests".to_owned(),
    };
    writeln!(
        printer.stdout(),
        "Wrote {} ({} KB): {} accounts in {} OUs, heat maps of {} regions ({} cells), {} lint findings, {tests_text}.",
        args.out.display(),
        report.html.len().div_ceil(1024),
        s.accounts,
        s.units,
        s.regions,
        s.heat_cells,
        s.findings,
    )?;
    Ok(ExitCode::SUCCESS)
}

//! `orgctl test`: the guardrail tests of a spec directory, in human, JSON or JUnit form.

use std::io::Write as _;
use std::path::Path;
use std::process::ExitCode;

use orgctl_org::guardtest::{self, TestResult};
use orgctl_org::{Diagnostics, Spec};

use crate::cli::{TestArgs, TestFormat};
use crate::commands::org;
use crate::error::CliError;
use crate::printer::Printer;
use crate::render;

/// Loads and runs the tests of `spec`; test-file problems are printed and fail.
pub fn run_all(spec: &Spec, printer: &Printer) -> Result<Vec<TestResult>, CliError> {
    let mut sources = spec.sources.clone();
    let mut diags = Diagnostics::default();
    let tests = guardtest::load_tests(spec, &mut sources, &mut diags);
    if !diags.items.is_empty() {
        let text = render::spec::human(printer, &sources, &diags);
        printer.stderr().write_all(text.as_bytes())?;
    }
    if diags.has_errors() {
        return Err(CliError::Reported);
    }
    Ok(guardtest::run_tests(spec, &sources, &tests))
}

/// The human report.
pub fn human(results: &[TestResult]) -> String {
    let mut out = String::new();
    for r in results {
        let mark = if r.passed { "ok  " } else { "FAIL" };
        out.push_str(&format!("{mark} {} [{}]\n", r.name, r.account));
        if let Some(f) = &r.failure {
            out.push_str(&format!("     {f}\n     at {}\n", r.location));
        }
    }
    let failed = results.iter().filter(|r| !r.passed).count();
    out.push_str(&format!(
        "\n{} passed, {failed} failed\n",
        results.len() - failed
    ));
    out
}

/// Runs the command: exit 0 when every test passes, 1 otherwise.
pub fn run(args: &TestArgs, printer: &Printer) -> Result<ExitCode, CliError> {
    let spec = org::load_spec(&args.dir, printer)?;
    if !guardtest::test_dir_exists(Path::new(&args.dir)) {
        return Err(anyhow::anyhow!(
            "`{}` has no tests/ directory; docs/testing.md shows how to write guardrail tests",
            args.dir.display()
        )
        .into());
    }
    let results = run_all(&spec, printer)?;
    let text = match args.format {
        TestFormat::Human => human(&results),
        TestFormat::Json => {
            let failed = results.iter().filter(|r| !r.passed).count();
            let doc = serde_json::json!({
                "passed": results.len() - failed,
                "failed": failed,
                "results": results,
            });
            serde_json::to_string_pretty(&doc).map_err(anyhow::Error::from)? + "\n"
        }
        TestFormat::Junit => guardtest::junit(&results),
    };
    printer.stdout().write_all(text.as_bytes())?;
    Ok(if results.iter().all(|r| r.passed) {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

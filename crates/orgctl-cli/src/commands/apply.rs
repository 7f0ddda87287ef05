//! `orgctl apply`: plan, then carry the plan out, journaled, under the workspace lock; then
//! draw the organization and the bootstrap cost estimate.

use std::io::{IsTerminal as _, Write as _};
use std::process::ExitCode;

use anyhow::Context as _;
use orgctl_org::apply::{self, ApplyOptions};
use orgctl_org::{Plan, Workspace, plan, show};

use crate::cli::{ApplyArgs, BackendArg};
use crate::commands::org;
use crate::error::CliError;
use crate::printer::Printer;

fn confirm(args: &ApplyArgs, printer: &Printer) -> Result<bool, CliError> {
    // The sandbox holds nothing real: no question. Elsewhere, ask on a terminal, and
    // without one require --yes.
    if args.yes || args.target.backend == BackendArg::Sandbox {
        return Ok(true);
    }
    if !std::io::stdin().is_terminal() {
        return Err(anyhow::anyhow!("apply needs --yes when stdin is not a terminal").into());
    }
    write!(printer.stderr(), "Apply these changes? Type `yes`: ")?;
    printer.stderr().flush()?;
    let mut answer = String::new();
    std::io::stdin().read_line(&mut answer)?;
    Ok(answer.trim() == "yes")
}

/// Runs the command: exit 0 when the organization matches the spec at the end, 1 on error.
pub fn run(args: &ApplyArgs, printer: &Printer) -> Result<ExitCode, CliError> {
    let spec = org::load_spec(&args.dir, printer)?;
    // The guardrails must hold before anything changes.
    if orgctl_org::guardtest::test_dir_exists(&args.dir) {
        let results = crate::commands::test::run_all(&spec, printer)?;
        if results.iter().any(|r| !r.passed) {
            let report = crate::commands::test::human(&results);
            printer.stderr().write_all(report.as_bytes())?;
            return Err(anyhow::anyhow!(
                "guardrail tests fail (tests/ in the spec directory): nothing was applied"
            )
            .into());
        }
        printer.note(&format!("{} guardrail tests pass.", results.len()));
    }
    let workspace = Workspace::new(&args.dir);
    // Locked before the backend opens: a second run must not touch the sandbox meanwhile.
    let _lock = workspace.lock().map_err(CliError::diagnostic)?;
    let mut backend = org::open_backend(&args.target, &args.dir, &spec, org::Open::Create)?;
    let options = ApplyOptions {
        allow_destroy: args.allow_destroy,
        poll_interval: org::poll_interval(&args.target),
        ..ApplyOptions::default()
    };
    let mut progress = org::Progress::new(printer);
    org::settle_interrupted(
        backend.as_mut(),
        &workspace,
        &options,
        &mut progress,
        printer,
    )?;

    let state = org::read_state(backend.as_ref(), &spec)?;
    let plan: Plan = match &args.plan {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read the plan `{}`", path.display()))?;
            serde_json::from_str(&text)
                .with_context(|| format!("`{}` is not a plan orgctl wrote", path.display()))?
        }
        None => org::make_plan(&spec, &state, backend.as_ref(), &args.dir)?,
    };
    let mut out = printer.stdout();
    if plan.is_empty() {
        writeln!(out, "{}", plan::summary(&plan))?;
        if let Some(line) = org::calls_line(backend.as_ref()) {
            printer.note(&line);
        }
        return Ok(ExitCode::SUCCESS);
    }
    out.write_all(plan::render(&plan).as_bytes())?;
    writeln!(out)?;
    crate::commands::lockout::guard(&spec, &plan, &args.lockout, printer)?;
    apply::check_destroy(&plan, &options).map_err(CliError::diagnostic)?;
    if !confirm(args, printer)? {
        writeln!(printer.stderr(), "Apply cancelled; nothing was changed.")?;
        return Ok(ExitCode::from(1));
    }
    // The plan must still describe the organization as it is now.
    if plan.base != state.fingerprint() {
        return Err(CliError::diagnostic(apply::ApplyError::StalePlan {
            backend: backend.kind().to_owned(),
        }));
    }
    let report = apply::apply(backend.as_mut(), &workspace, plan, &options, &mut progress)
        .map_err(CliError::diagnostic)?;
    let state = org::read_state(backend.as_ref(), &spec)?;
    writeln!(
        out,
        "Apply complete: {} changes made{}.\n",
        report.applied,
        if report.created_accounts.is_empty() {
            String::new()
        } else {
            format!(", {} accounts created", report.created_accounts.len())
        }
    )?;
    let tree = show::build(&spec, Some(&state));
    out.write_all(show::render_tree(&tree, printer.unicode_stdout()).as_bytes())?;
    writeln!(out, "\n{}", orgctl_org::cost::estimate(&spec).line())?;
    if let Some(line) = org::calls_line(backend.as_ref()) {
        printer.note(&line);
    }
    Ok(ExitCode::SUCCESS)
}

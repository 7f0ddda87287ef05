//! `orgctl account create`: vending, the strategy's five steps in one resumable command.

use std::io::Write as _;
use std::process::ExitCode;

use orgctl_org::apply::{self, ApplyOptions};
use orgctl_org::plan::{self, VendRequest};
use orgctl_org::{Spec, Workspace};

use crate::cli::AccountCreateArgs;
use crate::commands::org;
use crate::error::CliError;
use crate::printer::Printer;

/// The spec file a new account block goes to: the one holding the last account block, or
/// the one defining its unit.
fn spec_file(spec: &Spec, unit: &str) -> String {
    let file = spec
        .accounts
        .last()
        .map(|a| a.loc.file)
        .or_else(|| {
            spec.units
                .iter()
                .find(|u| u.key == unit || u.name == unit)
                .map(|u| u.loc.file)
        })
        .unwrap_or_default();
    let path = spec.sources.path(file);
    path.strip_prefix(&spec.dir)
        .unwrap_or(path)
        .to_string_lossy()
        .into_owned()
}

/// Runs `orgctl account create`: exit 0 when the account is vended (or was), 1 on error.
pub fn create(args: &AccountCreateArgs, printer: &Printer) -> Result<ExitCode, CliError> {
    let spec = org::load_spec(&args.dir, printer)?;
    let workspace = Workspace::new(&args.dir);
    // Locked before the backend opens: a second run must not touch the sandbox meanwhile.
    let _lock = workspace.lock().map_err(CliError::diagnostic)?;
    let mut backend = org::open_backend(&args.target, &args.dir, &spec, org::Open::Create)?;
    let options = ApplyOptions {
        // The quarantine policy lives only while the vending runs: deleting it is the job.
        allow_destroy: true,
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
    let request = VendRequest {
        name: args.name.clone(),
        email: args.email.clone(),
        unit: args.ou.clone(),
        spec_file: spec_file(&spec, &args.ou),
    };
    let read = |p: &std::path::Path| workspace.read_file(p);
    let plan =
        plan::vend(&spec, &state, &request, backend.kind(), &read).map_err(CliError::diagnostic)?;
    let mut out = printer.stdout();
    if plan.is_empty() {
        writeln!(
            out,
            "Account {} is vended already; nothing to do.",
            args.name
        )?;
        return Ok(ExitCode::SUCCESS);
    }
    out.write_all(plan::render(&plan).as_bytes())?;
    writeln!(out)?;
    let report = apply::apply(backend.as_mut(), &workspace, plan, &options, &mut progress)
        .map_err(CliError::diagnostic)?;
    let id = report
        .created_accounts
        .first()
        .map(|(_, id)| id.clone())
        .or_else(|| {
            backend
                .read_state(&[])
                .ok()?
                .accounts
                .into_iter()
                .find(|a| a.email.eq_ignore_ascii_case(&args.email))
                .map(|a| a.id)
        })
        .unwrap_or_default();
    writeln!(
        out,
        "Account {} ({id}) is vended: in {}, bootstrapped, and added to {} as `account \"{}\"`.",
        args.name,
        args.ou,
        request.spec_file,
        request.key()
    )?;
    Ok(ExitCode::SUCCESS)
}

//! `orgctl bootstrap`: the per-account Terraform state (bucket and lock table, in the account
//! itself, after checking the credentials reach it) and the account's infrastructure-live
//! files, for some accounts or all. The rest of the plan is left for `orgctl apply`.

use std::io::{IsTerminal as _, Write as _};
use std::process::ExitCode;

use orgctl_org::apply::{self, ApplyOptions};
use orgctl_org::{AccountSpec, Change, Plan, Ref, Spec, State, Workspace, plan};

use crate::cli::{BackendArg, BootstrapArgs};
use crate::commands::org;
use crate::error::CliError;
use crate::printer::Printer;

/// The spec accounts the arguments name, or every account.
fn selected<'a>(
    spec: &'a Spec,
    state: &State,
    names: &[String],
) -> Result<Vec<&'a AccountSpec>, CliError> {
    if names.is_empty() {
        return Ok(spec.accounts.iter().collect());
    }
    let mut out = Vec::new();
    for name in names {
        let found = spec.accounts.iter().find(|a| {
            a.key == *name
                || a.name.eq_ignore_ascii_case(name)
                || a.id.as_deref() == Some(name.as_str())
                || state
                    .accounts
                    .iter()
                    .any(|s| s.id == *name && s.email.eq_ignore_ascii_case(&a.email))
        });
        match found {
            Some(a) => out.push(a),
            None => {
                let keys: Vec<&str> = spec.accounts.iter().map(|a| a.key.as_str()).collect();
                return Err(anyhow::anyhow!(
                    "no account `{name}` in the spec (accounts: {})",
                    keys.join(", ")
                )
                .into());
            }
        }
    }
    Ok(out)
}

/// Runs the command: exit 0 when the named accounts are bootstrapped, 1 on error.
pub fn run(args: &BootstrapArgs, printer: &Printer) -> Result<ExitCode, CliError> {
    let spec = org::load_spec(&args.dir, printer)?;
    let workspace = Workspace::new(&args.dir);
    // Locked before the backend opens: a second run must not touch the sandbox meanwhile.
    let _lock = workspace.lock().map_err(CliError::diagnostic)?;
    let mut backend = org::open_backend(&args.target, &args.dir, &spec, org::Open::Create)?;
    let options = ApplyOptions {
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
    let accounts = selected(&spec, &state, &args.accounts)?;
    let full = org::make_plan(&spec, &state, backend.as_ref(), &args.dir)?;
    let names: Vec<&str> = accounts.iter().map(|a| a.name.as_str()).collect();
    let dirs: Vec<String> = accounts.iter().map(|a| plan::slug(&a.name)).collect();
    let live = spec.bootstrap.live_dir.to_string_lossy().into_owned();
    let mut changes = Vec::new();
    let mut missing = Vec::new();
    let mut declined = Vec::new();
    let asks = !args.yes && args.target.backend != BackendArg::Sandbox;
    for change in full.changes {
        match &change {
            Change::Bootstrap {
                account,
                account_name,
                drift,
                bucket_exists,
                ..
            } if names.contains(&account_name.as_str()) => {
                let member = match account {
                    Ref::Id(id) => state.account(id).is_some(),
                    Ref::New(_) => false,
                };
                if !member {
                    missing.push(account_name.clone());
                    continue;
                }
                if *bucket_exists
                    && !drift.is_empty()
                    && !agree(printer, account_name, drift, asks)?
                {
                    declined.push(account_name.clone());
                    continue;
                }
                changes.push(change);
            }
            Change::WriteFile { path, .. } => {
                let ours = path == &format!("{live}/root.hcl")
                    || dirs
                        .iter()
                        .any(|d| path.starts_with(&format!("{live}/{d}/")));
                if ours
                    && !matches!(
                        change,
                        Change::WriteFile {
                            content: orgctl_org::plan::FileContent::AccountHcl { .. },
                            ..
                        }
                    )
                {
                    changes.push(change);
                }
            }
            _ => {}
        }
    }
    let mut out = printer.stdout();
    for name in &missing {
        writeln!(
            printer.stderr(),
            "warning: account {name} does not exist yet; `orgctl apply` creates and bootstraps it"
        )?;
    }
    for name in &declined {
        writeln!(
            printer.stderr(),
            "note: the drift of {name}'s state bucket was left as it is"
        )?;
    }
    let plan = Plan {
        changes,
        notes: Vec::new(),
        ..full
    };
    if plan.is_empty() {
        writeln!(
            out,
            "Nothing to bootstrap: the state buckets, tables and files match the spec."
        )?;
        return Ok(if missing.is_empty() {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(1)
        });
    }
    out.write_all(plan::render(&plan).as_bytes())?;
    writeln!(out)?;
    let report = apply::apply(backend.as_mut(), &workspace, plan, &options, &mut progress)
        .map_err(CliError::diagnostic)?;
    writeln!(out, "Bootstrap complete: {} changes made.", report.applied)?;
    writeln!(out, "{}", orgctl_org::cost::estimate(&spec).line())?;
    Ok(if missing.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// Whether the user agrees to repair a drifted bucket: asked on a terminal; `--yes` or the
/// sandbox agree without asking; otherwise no.
fn agree(printer: &Printer, account: &str, drift: &[String], asks: bool) -> Result<bool, CliError> {
    if !asks {
        return Ok(true);
    }
    if !std::io::stdin().is_terminal() {
        return Ok(false);
    }
    let mut err = printer.stderr();
    writeln!(err, "{account}'s state bucket has drifted:")?;
    for d in drift {
        writeln!(err, "  {d}")?;
    }
    write!(err, "Repair it? Type `yes`: ")?;
    err.flush()?;
    let mut answer = String::new();
    std::io::stdin().read_line(&mut answer)?;
    Ok(answer.trim() == "yes")
}

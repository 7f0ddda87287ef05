//! `orgctl import`: the spec and policy files of an existing organization.

use std::io::Write as _;
use std::process::ExitCode;

use anyhow::Context as _;
use orgctl_org::Backend;
use orgctl_sandbox::{Sandbox, SandboxOptions};

use crate::cli::{BackendArg, ImportArgs};
use crate::commands::org;
use crate::error::CliError;
use crate::printer::Printer;

fn source(args: &ImportArgs) -> Result<Box<dyn Backend>, CliError> {
    match args.target.backend {
        BackendArg::Aws => {
            let options = orgctl_aws::AwsOptions {
                profile: args.target.profile.clone(),
                region: args.target.region.clone(),
                endpoint_url: args.target.endpoint_url.clone(),
                ..orgctl_aws::AwsOptions::default()
            };
            let backend =
                orgctl_aws::AwsBackend::connect_with_fallback_region(options, &args.home_region)
                    .map_err(CliError::diagnostic)?;
            Ok(Box::new(backend))
        }
        BackendArg::Sandbox => {
            let path = org::sandbox_path(&args.from);
            if !path.exists() {
                return Err(anyhow::anyhow!(
                    "`{}` has no sandbox to import (no {})",
                    args.from.display(),
                    path.display()
                )
                .into());
            }
            // The management account is whatever the sandbox says: read it as it is.
            let options = SandboxOptions::default();
            Ok(Box::new(
                Sandbox::open(&path, options).map_err(CliError::diagnostic)?,
            ))
        }
    }
}

/// Runs the command: exit 0 with the files written, 1 on error.
pub fn run(args: &ImportArgs, printer: &Printer) -> Result<ExitCode, CliError> {
    if args.out.join("org.hcl").exists() {
        return Err(anyhow::anyhow!(
            "`{}` already holds a spec (org.hcl); import into a new directory",
            args.out.display()
        )
        .into());
    }
    let backend = source(args)?;
    let state = backend.read_state(&[]).map_err(CliError::diagnostic)?;
    let files = orgctl_org::import::import(&state, &args.name, &args.home_region, backend.kind())
        .map_err(CliError::diagnostic)?;
    for f in &files {
        let path = args.out.join(&f.path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("cannot create `{}`", parent.display()))?;
        }
        std::fs::write(&path, &f.text)
            .with_context(|| format!("cannot write `{}`", path.display()))?;
    }
    // The imported organization comes along as the new directory's sandbox, to try changes
    // on before they reach the real one.
    let to = org::sandbox_path(&args.out);
    if let Some(parent) = to.parent() {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("cannot create `{}`", parent.display()))?;
    }
    match args.target.backend {
        BackendArg::Sandbox => {
            std::fs::copy(org::sandbox_path(&args.from), &to)
                .with_context(|| format!("cannot copy the sandbox to `{}`", to.display()))?;
        }
        BackendArg::Aws => {
            let management = state
                .organization
                .as_ref()
                .map(|o| o.management_account_id.clone())
                .unwrap_or_default();
            let mut sandbox = Sandbox::open(
                &to,
                SandboxOptions {
                    management_account_id: management,
                    ..SandboxOptions::default()
                },
            )
            .map_err(CliError::diagnostic)?;
            sandbox.load_state(&state).map_err(CliError::diagnostic)?;
        }
    }
    writeln!(
        printer.stdout(),
        "Imported {} OUs, {} accounts and {} policies into {} ({} files).",
        state.units.len(),
        state.accounts.len(),
        state.policies.len(),
        args.out.display(),
        files.len()
    )?;
    Ok(ExitCode::SUCCESS)
}

//! What the organization commands share: loading and validating the spec, opening the
//! backend, reading the state a plan needs.

use std::io::Write as _;
use std::path::Path;

use anyhow::Context as _;
use orgctl_catalog::Catalog;
use orgctl_org::apply::{self, ApplyOptions, Observer};
use orgctl_org::plan::{self, PlanInput};
use orgctl_org::{Backend, Change, Plan, Spec, State, Workspace};
use orgctl_sandbox::{Sandbox, SandboxOptions, SandboxQuotas};

use crate::cli::{BackendArg, BackendArgs};
use crate::error::CliError;
use crate::printer::Printer;
use crate::render;

/// Loads and validates the spec in `dir`; prints warnings, and on errors prints them all and
/// fails.
pub fn load_spec(dir: &Path, printer: &Printer) -> Result<Spec, CliError> {
    let (spec, mut diags) = orgctl_org::load_dir(dir).map_err(CliError::diagnostic)?;
    let catalog = Catalog::embedded().context("the embedded AWS catalog is damaged")?;
    orgctl_org::validate(&spec, catalog, &mut diags);
    if !diags.items.is_empty() {
        let text = render::spec::human(printer, &spec.sources, &diags);
        printer.stderr().write_all(text.as_bytes())?;
    }
    if diags.has_errors() {
        return Err(CliError::Reported);
    }
    Ok(spec)
}

/// The sandbox database of a spec directory.
pub fn sandbox_path(dir: &Path) -> std::path::PathBuf {
    Workspace::new(dir).state_dir().join("sandbox.db")
}

/// Whether opening a backend may create it (apply) or must leave no trace (plan, show).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Open {
    /// Create the sandbox file when it does not exist.
    Create,
    /// Read only what exists: a missing sandbox is an empty organization, in memory.
    ReadOnly,
}

/// Opens the backend the arguments name.
pub fn open_backend(
    target: &BackendArgs,
    dir: &Path,
    spec: &Spec,
    open: Open,
) -> Result<Box<dyn Backend>, CliError> {
    match target.backend {
        BackendArg::Aws => {
            let options = orgctl_aws::AwsOptions {
                profile: target.profile.clone(),
                region: target.region.clone(),
                endpoint_url: target.endpoint_url.clone(),
                access_role_name: spec.organization.access_role_name.clone(),
                static_credentials: None,
            };
            let backend = orgctl_aws::AwsBackend::connect_with_fallback_region(
                options,
                &spec.organization.home_region,
            )
            .map_err(CliError::diagnostic)?;
            Ok(hooked(Box::new(backend), open))
        }
        BackendArg::Sandbox => {
            if target.profile.is_some() || target.region.is_some() || target.endpoint_url.is_some()
            {
                return Err(anyhow::anyhow!(
                    "--profile, --region and --endpoint-url are for --backend aws; the sandbox needs none"
                )
                .into());
            }
            let path = sandbox_path(dir);
            let options = SandboxOptions {
                management_account_id: spec.organization.management_account_id.clone(),
                access_role_name: spec.organization.access_role_name.clone(),
                quotas: SandboxQuotas {
                    max_policies_per_target: spec.quotas.policies_per_target,
                    max_ou_depth: spec.quotas.ou_depth,
                    max_policy_size: spec.quotas.policy_size,
                    max_accounts: spec.quotas.accounts,
                },
            };
            if open == Open::ReadOnly && !path.exists() {
                let sandbox = Sandbox::in_memory(options).map_err(CliError::diagnostic)?;
                return Ok(Box::new(sandbox));
            }
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent)
                    .with_context(|| format!("cannot create `{}`", parent.display()))?;
            }
            let sandbox = Sandbox::open(&path, options).map_err(CliError::diagnostic)?;
            Ok(hooked(Box::new(sandbox), open))
        }
    }
}

/// A backend that may change the organization, behind the crash tests' kill hook.
fn hooked(backend: Box<dyn Backend>, open: Open) -> Box<dyn Backend> {
    match open {
        Open::Create => crate::commands::kill_hook::wrap(backend),
        Open::ReadOnly => backend,
    }
}

/// Reads the state, with the bootstrap resources of the accounts it knows.
pub fn read_state(backend: &dyn Backend, spec: &Spec) -> Result<State, CliError> {
    let mut state = backend.read_state(&[]).map_err(CliError::diagnostic)?;
    let probes = plan::probes(spec, &state);
    if !probes.is_empty() {
        backend
            .read_bootstrap(&mut state, &probes)
            .map_err(CliError::diagnostic)?;
    }
    Ok(state)
}

/// Plans the spec against the state.
pub fn make_plan(
    spec: &Spec,
    state: &State,
    backend: &dyn Backend,
    dir: &Path,
) -> Result<Plan, CliError> {
    let workspace = Workspace::new(dir);
    let read = |p: &Path| workspace.read_file(p);
    plan::build(&PlanInput {
        spec,
        state,
        backend: backend.kind(),
        read_file: &read,
    })
    .map_err(CliError::diagnostic)
}

/// Shows apply's steps on stderr: each step's line as it starts (above a bar on a terminal),
/// the waits for asynchronous work, nothing with `--quiet`.
pub struct Progress<'a> {
    /// Where progress goes (stderr).
    pub printer: &'a Printer,
    bar: Option<crate::progress::Progress>,
}

impl<'a> Progress<'a> {
    /// Progress of an apply, a vending or a bootstrap.
    pub const fn new(printer: &'a Printer) -> Self {
        Self { printer, bar: None }
    }
}

impl Observer for Progress<'_> {
    fn step(&mut self, index: usize, total: usize, change: &Change) {
        let (symbol, text) = plan::render::line(change);
        let width = total.to_string().len();
        let bar = self.bar.get_or_insert_with(|| {
            crate::progress::Progress::new(self.printer, total as u64, "apply", false)
        });
        bar.set_len(total as u64);
        bar.line(&format!("[{:>width$}/{total}] {symbol} {text}", index + 1));
        bar.set(index as u64, &text);
    }

    fn waiting(&mut self, what: &str) {
        match &self.bar {
            Some(bar) if !bar.plain() => bar.set_message_only(what),
            Some(bar) => bar.line(&format!("          ... {what}")),
            None => self.printer.note(&format!("          ... {what}")),
        }
    }
}

impl Drop for Progress<'_> {
    fn drop(&mut self) {
        if let Some(bar) = &self.bar {
            bar.finish();
        }
    }
}

/// Settles what an interrupted apply left in flight (account creations it requested), saying
/// so, before anything is planned.
pub fn settle_interrupted(
    backend: &mut dyn Backend,
    workspace: &Workspace,
    options: &ApplyOptions,
    progress: &mut Progress<'_>,
    printer: &Printer,
) -> Result<(), CliError> {
    if let Some((done, total)) = apply::pending(workspace).map_err(CliError::diagnostic)? {
        printer.note(&format!(
            "An earlier apply was interrupted after {done} of {total} steps; settling what it \
             left in flight, then planning afresh."
        ));
        apply::resume(backend, workspace, options, progress).map_err(CliError::diagnostic)?;
    }
    Ok(())
}

/// How often apply polls asynchronous operations on a backend.
pub fn poll_interval(target: &BackendArgs) -> std::time::Duration {
    match (target.backend, &target.endpoint_url) {
        // The sandbox and emulators answer at once.
        (BackendArg::Sandbox, _) | (BackendArg::Aws, Some(_)) => std::time::Duration::ZERO,
        (BackendArg::Aws, None) => std::time::Duration::from_secs(5),
    }
}

/// A line with the API calls a backend made, when it counts them.
pub fn calls_line(backend: &dyn Backend) -> Option<String> {
    backend.calls().map(|(all, mutating)| {
        format!(
            "{} backend: {all} API calls, {mutating} of them mutating",
            backend.kind()
        )
    })
}

//! The lockout guard as `plan` and `apply` run it: a plan that changes guardrails is refused
//! when the organization it leads to closes a path orgctl or the owners need, unless
//! `--force-lockout --reason TEXT` says it is meant.

use std::fmt::Write as _;
use std::io::Write as _;

use orgctl_org::lockout::{self, Lockout};
use orgctl_org::{Plan, Spec};

use crate::cli::LockoutArgs;
use crate::error::CliError;
use crate::printer::Printer;

/// Checks `plan`'s organization; prints and refuses (exit 1) on a lockout unless forced.
pub fn guard(
    spec: &Spec,
    plan: &Plan,
    args: &LockoutArgs,
    printer: &Printer,
) -> Result<(), CliError> {
    if !lockout::changes_guardrails(plan) {
        return Ok(());
    }
    let catalog = orgctl_catalog::Catalog::embedded().map_err(|e| anyhow::anyhow!("{e}"))?;
    let found = lockout::check(spec, catalog);
    if found.is_empty() {
        return Ok(());
    }
    let mut err = printer.stderr();
    if let (true, Some(reason)) = (args.force_lockout, &args.reason) {
        let text = format!(
            "warning: the plan closes {} path(s); going on because of --force-lockout: {reason}\n{}",
            found.len(),
            list(&found)
        );
        err.write_all(text.as_bytes())?;
        return Ok(());
    }
    let text = format!(
        "error: this plan would lock orgctl or the organization's owners out ({} path(s)); nothing was changed\n{}\
         help: exempt the path in the policy (for an SCP, an `ArnNotLike` on `aws:PrincipalArn` for the access role), \
         or pass --force-lockout --reason TEXT if it is meant\n",
        found.len(),
        list(&found)
    );
    err.write_all(text.as_bytes())?;
    Err(CliError::Reported)
}

/// Each lockout with its counterexample request and the proof.
pub fn list(found: &[Lockout]) -> String {
    let mut out = String::new();
    for l in found {
        let _ = writeln!(out, "  - {} ({})", l.what, l.region);
        let _ = writeln!(
            out,
            "      request: {} calls {} on {}",
            l.request.principal.arn, l.request.action, l.request.resource
        );
        let _ = writeln!(out, "      denied:  {}", l.reason);
    }
    out
}

//! The audit of an organization: drift between the spec and a backend, the security of every
//! Terraform state bucket and lock table, and the blast radius of one account's credentials
//! over the other accounts' state, for per-account state (what orgctl builds) and for a
//! centralized variant of the same organization.
//!
//! Pure: the caller reads the backend, builds the plan and looks up bucket owners; the audit
//! decides every access question with the evaluator and returns one [`AuditReport`]. No I/O,
//! no printing.
//!
//! - [`drift`]: the plan's changes, as differences between spec and backend.
//! - [`storage`]: owner, encryption, versioning, public access block, TLS only and
//!   same-account access of each state bucket; encryption and recovery of each lock table.
//! - [`blast`]: for each account's administrator credentials, which other accounts' state
//!   can be read or written, per-account against centralized.

pub mod blast;
pub mod drift;
pub mod scope;
pub mod storage;
pub mod verdict;

use std::collections::BTreeMap;

use serde::Serialize;

use orgctl_org::{Plan, Spec, State};

pub use blast::{BlastRadius, Variant};
pub use drift::{Drift, DriftArea, DriftItem, DriftKind};
pub use scope::{Account, OwnerProbe, Ownership, owner_probes};
pub use storage::Storage;

/// The version of the JSON report's schema (docs/audit.md).
pub const SCHEMA_VERSION: u32 = 1;

/// Something the audit could not do.
#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    /// A policy document the audit writes itself does not parse.
    #[error("the audit's own {what} policy does not parse")]
    Policy {
        /// Which document.
        what: String,
        /// The problems.
        #[source]
        source: orgctl_policy::ParseErrors,
    },
    /// The account named to hold centralized state is not in the spec.
    #[error("account `{name}` is not in the spec (give its key, name or id)")]
    UnknownAccount {
        /// As given.
        name: String,
    },
}

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Worth knowing; no action needed.
    Info,
    /// Weaker than orgctl's baseline: fix it.
    Warning,
    /// Another party can read or change Terraform state, or could take it over.
    Critical,
}

impl Severity {
    /// As shown: `info`, `warning`, `critical`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Info => "info",
            Self::Warning => "warning",
            Self::Critical => "critical",
        }
    }
}

/// One finding about a state bucket, a lock table, or access across accounts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// The check that found it (`state-bucket-tls`); docs/audit.md lists them.
    pub check: &'static str,
    /// How serious it is.
    pub severity: Severity,
    /// The resource: `s3://bucket`, `dynamodb table NAME`, or the state of an account.
    pub resource: String,
    /// The account it concerns (spec key).
    pub account: String,
    /// The account, as shown: `Dev (216482851263)`.
    pub account_label: String,
    /// What is wrong.
    pub what: String,
    /// Why it matters.
    pub why: String,
    /// How to fix it.
    pub fix: String,
}

/// Counts for the closing line and the exit status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Drift items.
    pub drift: usize,
    /// Critical findings.
    pub critical: usize,
    /// Warnings.
    pub warning: usize,
    /// Informational findings.
    pub info: usize,
    /// No drift, and no finding of warning or critical severity.
    pub clean: bool,
}

/// Everything the audit found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditReport {
    /// [`SCHEMA_VERSION`].
    pub schema_version: u32,
    /// The organization's name in the spec.
    pub organization: String,
    /// The backend read (`sandbox`, `aws`).
    pub backend: String,
    /// The spec's accounts, with the ids used throughout.
    pub accounts: Vec<Account>,
    /// Drift between spec and backend.
    pub drift: Drift,
    /// State buckets and lock tables.
    pub storage: Storage,
    /// Who can reach whose state.
    pub blast_radius: BlastRadius,
    /// Every finding, most serious first.
    pub findings: Vec<Finding>,
    /// Counts.
    pub summary: Summary,
}

impl AuditReport {
    /// Whether anything needs attention: drift, or a finding of warning severity or worse.
    pub fn needs_attention(&self) -> bool {
        !self.summary.clean
    }
}

/// What the audit works from.
#[derive(Debug, Clone, Copy)]
pub struct AuditInput<'a> {
    /// The validated spec.
    pub spec: &'a Spec,
    /// The backend's state, with the bootstrap resources probed.
    pub state: &'a State,
    /// The plan from `spec` to `state` (its changes are the drift).
    pub plan: &'a Plan,
    /// The owners of the buckets [`owner_probes`] named, by bucket name.
    pub owners: &'a BTreeMap<String, Ownership>,
    /// The account holding the centralized variant's state (key, name or id); the
    /// management account when `None`, as in the strategy's centralized scenario.
    pub central_account: Option<&'a str>,
}

/// Runs the whole audit.
///
/// # Errors
/// When the centralized account is not in the spec, or a document the audit writes does not
/// parse.
pub fn audit(input: &AuditInput<'_>) -> Result<AuditReport, AuditError> {
    let accounts = scope::accounts(input.spec, input.state);
    let drift = Drift::new(input.spec, input.state, input.plan);
    let mut findings = Vec::new();
    let storage = storage::check(input.spec, input.state, input.owners, &mut findings)?;
    let blast_radius = blast::compute(input.spec, input.state, input.central_account)?;
    findings.extend(blast_radius.findings());
    // Most serious first; otherwise in the order found (spec order).
    findings.sort_by_key(|f| std::cmp::Reverse(f.severity));
    let count = |s: Severity| findings.iter().filter(|f| f.severity == s).count();
    let summary = Summary {
        drift: drift.items.len(),
        critical: count(Severity::Critical),
        warning: count(Severity::Warning),
        info: count(Severity::Info),
        clean: drift.in_sync && findings.iter().all(|f| f.severity == Severity::Info),
    };
    Ok(AuditReport {
        schema_version: SCHEMA_VERSION,
        organization: input.spec.organization.name.clone(),
        backend: input.plan.backend.clone(),
        accounts,
        drift,
        storage,
        blast_radius,
        findings,
        summary,
    })
}

#[cfg(test)]
mod testing;

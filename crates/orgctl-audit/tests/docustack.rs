//! The audit of the DocuStack example against the sandbox: before apply (drift, nothing
//! stored), after apply (clean, no account reaches another's state, every account reaches
//! every other's in the centralized variant), and after the sandbox is tampered with.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "test code")]

use std::collections::BTreeMap;
use std::path::Path;

use orgctl_audit::{AuditInput, AuditReport, Ownership, Severity};
use orgctl_org::apply::{self, ApplyOptions, Quiet};
use orgctl_org::plan::{self, PlanInput};
use orgctl_org::{Backend, Plan, Spec, State, Workspace};
use orgctl_sandbox::{Sandbox, SandboxOptions};

fn docustack() -> Spec {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/docustack");
    let (spec, mut diags) = orgctl_org::load_dir(&dir).unwrap();
    orgctl_org::validate(
        &spec,
        orgctl_catalog::Catalog::embedded().unwrap(),
        &mut diags,
    );
    assert!(!diags.has_errors());
    spec
}

fn read(backend: &dyn Backend, spec: &Spec) -> State {
    let state = backend.read_state(&[]).unwrap();
    backend.read_state(&plan::probes(spec, &state)).unwrap()
}

fn make_plan(spec: &Spec, state: &State, ws: &Workspace) -> Plan {
    let read_file = |p: &Path| ws.read_file(p);
    plan::build(&PlanInput {
        spec,
        state,
        backend: "sandbox",
        read_file: &read_file,
    })
    .unwrap()
}

/// Reads the sandbox, plans, looks up owners and audits, as the CLI does.
fn audit(spec: &Spec, sandbox: &Sandbox, ws: &Workspace) -> AuditReport {
    let state = read(sandbox, spec);
    let plan = make_plan(spec, &state, ws);
    let owners: BTreeMap<String, Ownership> = orgctl_audit::owner_probes(spec, &state)
        .into_iter()
        .map(|p| {
            let owner = sandbox.bucket_owner(&p.account_id, &p.bucket).unwrap();
            (p.bucket, Ownership::from(&owner))
        })
        .collect();
    orgctl_audit::audit(&AuditInput {
        spec,
        state: &state,
        plan: &plan,
        owners: &owners,
        central_account: None,
    })
    .unwrap()
}

fn applied() -> (Spec, Sandbox, tempfile::TempDir, Workspace) {
    let spec = docustack();
    let mut sandbox = Sandbox::in_memory(SandboxOptions {
        management_account_id: spec.organization.management_account_id.clone(),
        ..SandboxOptions::default()
    })
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let ws = Workspace::new(dir.path());
    let state = read(&sandbox, &spec);
    let plan = make_plan(&spec, &state, &ws);
    let options = ApplyOptions {
        poll_interval: std::time::Duration::ZERO,
        ..ApplyOptions::default()
    };
    apply::apply(&mut sandbox, &ws, plan, &options, &mut Quiet).unwrap();
    (spec, sandbox, dir, ws)
}

#[test]
fn before_apply_everything_is_drift_and_no_state_is_stored() {
    let spec = docustack();
    let sandbox = Sandbox::in_memory(SandboxOptions {
        management_account_id: spec.organization.management_account_id.clone(),
        ..SandboxOptions::default()
    })
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let report = audit(&spec, &sandbox, &Workspace::new(dir.path()));
    assert!(report.needs_attention());
    assert!(!report.drift.in_sync);
    assert!(
        report
            .drift
            .items
            .iter()
            .any(|i| i.resource == "organization managed from 348665872333")
    );
    // Management and Dev have ids: their buckets are missing; the others do not exist yet.
    let checks: Vec<(&str, &str)> = report
        .findings
        .iter()
        .map(|f| (f.check, f.account.as_str()))
        .collect();
    assert!(
        checks.contains(&("state-bucket-missing", "dev")),
        "{checks:?}"
    );
    assert!(
        checks.contains(&("lock-table-missing", "management")),
        "{checks:?}"
    );
    assert!(
        checks.contains(&("state-storage-missing", "production")),
        "{checks:?}"
    );
    // The blast radius is the spec's, whatever exists yet.
    assert_eq!(report.blast_radius.per_account.reachable, 0);
    assert_eq!(report.blast_radius.centralized.reachable, 42);
}

#[test]
fn after_apply_the_audit_is_clean_and_no_account_reaches_another() {
    let (spec, sandbox, _dir, ws) = applied();
    let report = audit(&spec, &sandbox, &ws);
    assert!(report.drift.in_sync, "{:#?}", report.drift.items);
    assert!(
        report.findings.iter().all(|f| f.severity == Severity::Info),
        "{:#?}",
        report.findings
    );
    assert!(!report.needs_attention());
    assert_eq!(report.storage.resources.len(), 14);
    assert!(
        report
            .storage
            .resources
            .iter()
            .all(|r| r.passed.iter().any(|p| p == "owner")),
        "{:#?}",
        report.storage.resources
    );

    let blast = &report.blast_radius;
    assert_eq!(
        (blast.per_account.reachable, blast.per_account.pairs),
        (0, 42)
    );
    for row in &blast.per_account.rows {
        assert_eq!((row.reachable, row.lock, row.of), (0, 0, 6), "{row:?}");
    }
    assert_eq!(
        (blast.centralized.reachable, blast.centralized.pairs),
        (42, 42)
    );
    for row in &blast.centralized.rows {
        assert_eq!((row.read, row.write, row.of), (6, 6, 6), "{row:?}");
    }
    // The Security OU's ProtectLogArchive SCP still keeps its accounts from deleting.
    let audit_row = blast
        .centralized
        .rows
        .iter()
        .find(|r| r.account == "audit")
        .unwrap();
    assert_eq!(audit_row.delete, 0);
    // Only the management account reaches member accounts' state, through the access role.
    for row in &blast.access_role.rows {
        let expected = if row.account == "management" { 6 } else { 0 };
        assert_eq!(row.reachable, expected, "{row:?}");
    }
}

#[test]
fn tampering_shows_as_drift_and_findings() {
    let (spec, mut sandbox, _dir, ws) = applied();
    let state = read(&sandbox, &spec);
    let dev = spec.account("dev").unwrap().id.clone().unwrap();
    let mut bucket = state
        .buckets
        .iter()
        .find(|b| b.account_id == dev && b.name.contains("terraform-state"))
        .unwrap()
        .clone();
    let production = state
        .accounts
        .iter()
        .find(|a| a.name == "Production")
        .unwrap()
        .id
        .clone();
    bucket.versioning = false;
    bucket.policy = Some(format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Sid":"ShareWithProduction","Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::{production}:root"}},"Action":["s3:GetObject","s3:PutObject"],"Resource":"arn:aws:s3:::{}/*"}}]}}"#,
        bucket.name
    ));
    sandbox.put_bucket(&bucket).unwrap();

    let report = audit(&spec, &sandbox, &ws);
    assert!(report.needs_attention());
    let item = report
        .drift
        .items
        .iter()
        .find(|i| i.resource.contains(&bucket.name))
        .unwrap();
    assert!(
        item.details
            .iter()
            .any(|d| d == "versioning: false -> true"),
        "{item:?}"
    );
    let checks: Vec<(&str, Severity)> = report
        .findings
        .iter()
        .filter(|f| f.account == "dev")
        .map(|f| (f.check, f.severity))
        .collect();
    for want in [
        ("state-bucket-versioning", Severity::Warning),
        ("state-bucket-tls", Severity::Warning),
        ("state-bucket-other-accounts", Severity::Critical),
        ("blast-radius", Severity::Critical),
    ] {
        assert!(checks.contains(&want), "{want:?} in {checks:?}");
    }
    assert_eq!(report.blast_radius.per_account.reachable, 1);
    let row = report
        .blast_radius
        .per_account
        .rows
        .iter()
        .find(|r| r.account == "production")
        .unwrap();
    assert_eq!((row.read, row.write), (1, 1));
}

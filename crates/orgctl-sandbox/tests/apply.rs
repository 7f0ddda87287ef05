//! Plan and apply of the DocuStack spec against the sandbox: the whole organization from
//! nothing, nothing to do the second time, and an apply that crashes at any step finishing
//! on the rerun without a second account or a repeated side effect.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "test code")]

use std::path::{Path, PathBuf};

use orgctl_org::apply::{self, ApplyError, ApplyOptions, Quiet};
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

fn sandbox(spec: &Spec) -> Sandbox {
    Sandbox::in_memory(SandboxOptions {
        management_account_id: spec.organization.management_account_id.clone(),
        ..SandboxOptions::default()
    })
    .unwrap()
}

fn read(backend: &dyn Backend, spec: &Spec) -> State {
    let state = backend.read_state(&[]).unwrap();
    backend.read_state(&plan::probes(spec, &state)).unwrap()
}

fn make_plan(spec: &Spec, backend: &dyn Backend, ws: &Workspace) -> Plan {
    let state = read(backend, spec);
    let read_file = |p: &Path| ws.read_file(p);
    plan::build(&PlanInput {
        spec,
        state: &state,
        backend: backend.kind(),
        read_file: &read_file,
    })
    .unwrap()
}

/// An error and its causes, as one line.
fn chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

fn options() -> ApplyOptions {
    ApplyOptions {
        poll_interval: std::time::Duration::ZERO,
        ..ApplyOptions::default()
    }
}

fn workspace() -> (tempfile::TempDir, Workspace) {
    let dir = tempfile::tempdir().unwrap();
    let ws = Workspace::new(PathBuf::from(dir.path()));
    (dir, ws)
}

/// The state with generated ids replaced by names, to compare runs.
fn summary(state: &State) -> Vec<String> {
    let mut out: Vec<String> = state
        .accounts
        .iter()
        .map(|a| {
            format!(
                "account {} {} in {}",
                a.name,
                a.email,
                parent_name(state, &a.parent_id)
            )
        })
        .collect();
    out.extend(
        state
            .units
            .iter()
            .map(|u| format!("unit {} in {}", u.name, parent_name(state, &u.parent_id))),
    );
    out.extend(state.attachments.iter().map(|a| {
        let policy = state.policy(&a.policy_id).map_or("?", |p| p.name.as_str());
        format!("attach {policy} to {}", parent_name(state, &a.target_id))
    }));
    out.extend(
        state
            .buckets
            .iter()
            .map(|b| format!("bucket in {}", parent_name(state, &b.account_id))),
    );
    out.extend(
        state
            .tables
            .iter()
            .map(|t| format!("table {} in {}", t.name, parent_name(state, &t.account_id))),
    );
    out.extend(state.trails.iter().map(|t| format!("trail {}", t.name)));
    out.extend(
        state
            .delegated_admins
            .iter()
            .map(|d| format!("admin {}", d.service_principal)),
    );
    out.sort();
    out
}

fn parent_name(state: &State, id: &str) -> String {
    if let Some(u) = state.unit(id) {
        return u.name.clone();
    }
    if let Some(a) = state.account(id) {
        return a.name.clone();
    }
    "Root".to_owned()
}

#[test]
fn docustack_applies_from_nothing_and_then_has_nothing_to_do() {
    let spec = docustack();
    let mut sandbox = sandbox(&spec);
    let (_dir, ws) = workspace();
    let plan = make_plan(&spec, &sandbox, &ws);
    let report = apply::apply(&mut sandbox, &ws, plan.clone(), &options(), &mut Quiet).unwrap();
    assert_eq!(report.applied, plan.changes.len());
    assert_eq!(report.created_accounts.len(), 5);
    let state = read(&sandbox, &spec);
    assert_eq!(state.accounts.len(), 7);
    assert_eq!(
        state.buckets.len(),
        8,
        "seven state buckets and the log archive bucket"
    );
    assert_eq!(state.tables.len(), 7);
    for a in &state.accounts {
        let bucket = format!("docustack-terraform-state-{}", a.id);
        assert!(
            state
                .buckets
                .iter()
                .any(|b| b.name == bucket && b.account_id == a.id),
            "{bucket}"
        );
        let slug = plan::slug(&a.name);
        let hcl = ws
            .read_file(Path::new(&format!(
                "infrastructure-live/{slug}/account.hcl"
            )))
            .unwrap();
        assert!(
            hcl.contains(&format!("account_id   = \"{}\"", a.id)),
            "{hcl}"
        );
    }
    // The second run: no change planned, no mutating call made.
    let before = sandbox.mutation_count().unwrap();
    let again = make_plan(&spec, &sandbox, &ws);
    assert!(again.is_empty(), "{}", plan::render(&again));
    assert_eq!(sandbox.mutation_count().unwrap(), before);
    assert!(!ws.journal_path().exists());
}

#[test]
fn a_crash_at_any_step_resumes_without_repeating_anything() {
    let spec = docustack();
    // The reference: one uninterrupted apply.
    let reference = {
        let mut sandbox = sandbox(&spec);
        let (_dir, ws) = workspace();
        let plan = make_plan(&spec, &sandbox, &ws);
        apply::apply(&mut sandbox, &ws, plan, &options(), &mut Quiet).unwrap();
        (
            summary(&read(&sandbox, &spec)),
            sandbox.mutation_count().unwrap(),
        )
    };
    let mut crash_points = 0;
    for fail_after in 0..reference.1 {
        let mut sandbox = sandbox(&spec);
        let (_dir, ws) = workspace();
        let plan = make_plan(&spec, &sandbox, &ws);
        sandbox.fail_after(fail_after);
        let first = apply::apply(&mut sandbox, &ws, plan, &options(), &mut Quiet);
        let Err(ApplyError::Step { .. }) = first else {
            panic!("the fault after {fail_after} calls did not stop the apply: {first:?}");
        };
        crash_points += 1;
        assert!(ws.journal_path().exists());
        let resumed = apply::resume(&mut sandbox, &ws, &options(), &mut Quiet).unwrap();
        assert!(resumed.is_some());
        assert!(!ws.journal_path().exists());
        // The rerun plans afresh: what finished is in the state and is not planned again.
        let rest = make_plan(&spec, &sandbox, &ws);
        apply::apply(&mut sandbox, &ws, rest, &options(), &mut Quiet).unwrap();
        // Nothing left to do, the same organization, and no call made twice.
        assert!(
            make_plan(&spec, &sandbox, &ws).is_empty(),
            "after a fault at call {fail_after}"
        );
        assert_eq!(
            summary(&read(&sandbox, &spec)),
            reference.0,
            "after a fault at call {fail_after}"
        );
        assert_eq!(
            sandbox.mutation_count().unwrap(),
            reference.1,
            "after a fault at call {fail_after}"
        );
    }
    assert!(crash_points > 40);
}

#[test]
fn a_bootstrap_into_a_denied_region_fails_naming_the_scp() {
    let mut spec = docustack();
    spec.bootstrap.region = "eu-west-1".to_owned();
    let mut sandbox = sandbox(&spec);
    let (_dir, ws) = workspace();
    let plan = make_plan(&spec, &sandbox, &ws);
    let err = apply::apply(&mut sandbox, &ws, plan, &options(), &mut Quiet).unwrap_err();
    let text = chain(&err);
    assert!(
        text.contains("AccessDenied") || text.contains("access denied"),
        "{text}"
    );
    assert!(text.contains("RegionDeny"), "{text}");
}

#[test]
fn a_squatted_state_bucket_is_refused_and_never_written() {
    let spec = docustack();
    let mut sandbox = sandbox(&spec);
    sandbox
        .create_foreign_bucket(
            "999988887777",
            "docustack-terraform-state-216482851263",
            "us-east-1",
        )
        .unwrap();
    let (_dir, ws) = workspace();
    let plan = make_plan(&spec, &sandbox, &ws);
    let err = apply::apply(&mut sandbox, &ws, plan, &options(), &mut Quiet).unwrap_err();
    let text = chain(&err);
    assert!(
        text.contains("docustack-terraform-state-216482851263"),
        "{text}"
    );
    assert!(text.contains("owned by another account"), "{text}");
}

/// A copy of the DocuStack spec directory, with its policies.
fn docustack_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/docustack");
    std::fs::copy(src.join("org.hcl"), dir.path().join("org.hcl")).unwrap();
    std::fs::create_dir_all(dir.path().join("policies")).unwrap();
    for entry in std::fs::read_dir(src.join("policies")).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(
            entry.path(),
            dir.path().join("policies").join(entry.file_name()),
        )
        .unwrap();
    }
    dir
}

fn load(dir: &Path) -> Spec {
    let (spec, mut diags) = orgctl_org::load_dir(dir).unwrap();
    orgctl_org::validate(
        &spec,
        orgctl_catalog::Catalog::embedded().unwrap(),
        &mut diags,
    );
    assert!(!diags.has_errors(), "{:?}", diags.items);
    spec
}

fn vend_options() -> ApplyOptions {
    ApplyOptions {
        allow_destroy: false,
        ..options()
    }
}

fn vend_plan(dir: &Path, sandbox: &Sandbox, ws: &Workspace) -> Plan {
    let spec = load(dir);
    let state = read(sandbox, &spec);
    let request = plan::VendRequest {
        name: "QA".to_owned(),
        email: "aws-qa@docustack.example".to_owned(),
        unit: "workloads".to_owned(),
        spec_file: "org.hcl".to_owned(),
    };
    let read_file = |p: &Path| ws.read_file(p);
    plan::vend(&spec, &state, &request, sandbox.kind(), &read_file).unwrap()
}

#[test]
fn vending_survives_a_crash_at_every_step() {
    // Reference: the organization applied, then one vending without faults.
    let setup = || {
        let dir = docustack_dir();
        let spec = load(dir.path());
        let mut sandbox = sandbox(&spec);
        let ws = Workspace::new(dir.path());
        let plan = make_plan(&spec, &sandbox, &ws);
        apply::apply(&mut sandbox, &ws, plan, &options(), &mut Quiet).unwrap();
        (dir, sandbox, ws)
    };
    let (dir, mut sandbox, ws) = setup();
    let before = sandbox.mutation_count().unwrap();
    let plan = vend_plan(dir.path(), &sandbox, &ws);
    apply::apply(&mut sandbox, &ws, plan, &vend_options(), &mut Quiet).unwrap();
    let calls = sandbox.mutation_count().unwrap() - before;
    let reference = summary(&read(&sandbox, &load(dir.path())));
    let spec_text = std::fs::read_to_string(dir.path().join("org.hcl")).unwrap();
    assert_eq!(spec_text.matches("account \"qa\"").count(), 1);
    assert!(vend_plan(dir.path(), &sandbox, &ws).is_empty());

    for fail_after in 0..calls {
        let (dir, mut sandbox, ws) = setup();
        let plan = vend_plan(dir.path(), &sandbox, &ws);
        sandbox.fail_after(fail_after);
        assert!(apply::apply(&mut sandbox, &ws, plan, &vend_options(), &mut Quiet).is_err());
        // The rerun: settle, then vend again from the state.
        apply::resume(&mut sandbox, &ws, &options(), &mut Quiet).unwrap();
        let rest = vend_plan(dir.path(), &sandbox, &ws);
        apply::apply(&mut sandbox, &ws, rest, &vend_options(), &mut Quiet).unwrap();
        let spec = load(dir.path());
        let state = read(&sandbox, &spec);
        assert_eq!(
            state
                .accounts
                .iter()
                .filter(|a| a.email == "aws-qa@docustack.example")
                .count(),
            1,
            "one QA account after a fault at call {fail_after}"
        );
        assert_eq!(
            summary(&state),
            reference,
            "after a fault at call {fail_after}"
        );
        let text = std::fs::read_to_string(dir.path().join("org.hcl")).unwrap();
        assert_eq!(text.matches("account \"qa\"").count(), 1);
        assert!(
            make_plan(&spec, &sandbox, &ws).is_empty(),
            "the spec and the organization agree"
        );
        assert!(
            !state
                .policies
                .iter()
                .any(|p| p.name == plan::QUARANTINE_POLICY),
            "quarantine lifted"
        );
    }
}

#[test]
fn an_imported_organization_plans_no_changes() {
    let spec = docustack();
    let mut sandbox = sandbox(&spec);
    let (_dir, ws) = workspace();
    let plan = make_plan(&spec, &sandbox, &ws);
    apply::apply(&mut sandbox, &ws, plan, &options(), &mut Quiet).unwrap();

    let state = sandbox.read_state(&[]).unwrap();
    let files = orgctl_org::import::import(&state, "docustack", "us-east-1", "sandbox").unwrap();
    let out = tempfile::tempdir().unwrap();
    for f in &files {
        let path = out.path().join(&f.path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, &f.text).unwrap();
    }
    let imported = load(out.path());
    assert_eq!(imported.accounts.len(), 7);
    assert_eq!(imported.units.len(), 3);
    assert_eq!(
        imported.policies.iter().filter(|p| !p.aws_managed).count(),
        5
    );
    let ws2 = Workspace::new(out.path());
    let again = make_plan(&imported, &sandbox, &ws2);
    assert!(again.is_empty(), "{}", plan::render(&again));
    let text = &files[0].text;
    assert!(text.contains("attach      = [everywhere]"), "{text}");
    assert!(
        text.contains("#   delegated administrator account.audit for guardduty.amazonaws.com"),
        "{text}"
    );
}

#[test]
fn a_state_loaded_into_an_empty_sandbox_reads_back_the_same() {
    let spec = docustack();
    let mut sandbox = sandbox(&spec);
    let (_dir, ws) = workspace();
    let plan = make_plan(&spec, &sandbox, &ws);
    apply::apply(&mut sandbox, &ws, plan, &options(), &mut Quiet).unwrap();
    let state = sandbox.read_state(&[]).unwrap();

    let mut copy = Sandbox::in_memory(SandboxOptions {
        management_account_id: spec.organization.management_account_id.clone(),
        ..SandboxOptions::default()
    })
    .unwrap();
    copy.load_state(&state).unwrap();
    let copied = copy.read_state(&[]).unwrap();
    // Account creation requests keep their outcome, not their tags.
    assert_eq!(copied.units, state.units);
    assert_eq!(copied.accounts, state.accounts);
    assert_eq!(copied.policies, state.policies);
    assert_eq!(copied.attachments, state.attachments);
    assert_eq!(copied.buckets, state.buckets);
    assert_eq!(copied.tables, state.tables);
    assert_eq!(copied.trails, state.trails);
    assert_eq!(copied.fingerprint(), state.fingerprint());
    // The copy plans like the original: nothing to do.
    assert!(make_plan(&spec, &copy, &ws).is_empty());
    // And it refuses a second organization.
    assert!(copy.load_state(&state).is_err());
}

//! The DocuStack example: loads, validates clean, and plans from nothing.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "test code")]

use std::path::Path;

use orgctl_org::plan::{self, PlanInput};
use orgctl_org::{Change, State, load_dir, validate};

fn docustack() -> orgctl_org::Spec {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/docustack");
    let (spec, mut diags) = load_dir(&dir).unwrap();
    validate(
        &spec,
        orgctl_catalog::Catalog::embedded().unwrap(),
        &mut diags,
    );
    let errors: Vec<String> = diags
        .items
        .iter()
        .filter(|d| d.severity == orgctl_org::Severity::Error)
        .map(|d| format!("{}: {}", spec.sources.describe(&d.loc), d.message))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    spec
}

#[test]
fn docustack_spec_matches_the_strategy() {
    let spec = docustack();
    assert_eq!(spec.organization.management_account_id, "348665872333");
    let names: Vec<&str> = spec.units.iter().map(|u| u.name.as_str()).collect();
    assert_eq!(names, ["Security", "Sandbox", "Workloads"]);
    assert_eq!(
        spec.account("dev").unwrap().id.as_deref(),
        Some("216482851263")
    );
    let at = |target: orgctl_org::Target| -> Vec<String> {
        spec.effective_policies(&target, orgctl_org::PolicyKind::Scp)
            .iter()
            .map(|p| p.name.clone())
            .collect()
    };
    use orgctl_org::Target;
    assert_eq!(
        at(Target::Root),
        ["FullAWSAccess", "RegionDeny", "ProtectCloudTrail"]
    );
    assert_eq!(
        at(Target::Unit("security".into())),
        ["FullAWSAccess", "ProtectLogArchive"]
    );
    assert_eq!(
        at(Target::Unit("workloads".into())),
        ["FullAWSAccess", "RequireS3Encryption", "DenyPublicS3"]
    );
    assert_eq!(at(Target::Account("production".into())), ["FullAWSAccess"]);
}

#[test]
fn plan_from_nothing_builds_everything_in_order() {
    let spec = docustack();
    let state = State::default();
    let read = |_: &Path| None;
    let plan = plan::build(&PlanInput {
        spec: &spec,
        state: &state,
        backend: "sandbox",
        read_file: &read,
    })
    .unwrap();
    let position = |pred: &dyn Fn(&Change) -> bool| plan.changes.iter().position(pred).unwrap();
    let org = position(&|c| matches!(c, Change::CreateOrganization { .. }));
    let enable = position(&|c| matches!(c, Change::EnablePolicyType { .. }));
    let policy = position(&|c| matches!(c, Change::CreatePolicy { .. }));
    let unit = position(&|c| matches!(c, Change::CreateUnit { .. }));
    let account = position(&|c| matches!(c, Change::CreateAccount { .. }));
    let moved = position(&|c| matches!(c, Change::MoveAccount { .. }));
    let attach = position(&|c| matches!(c, Change::AttachPolicy { .. }));
    let trail = position(&|c| matches!(c, Change::PutTrail { .. }));
    let boot = position(&|c| matches!(c, Change::Bootstrap { .. }));
    assert!(org < enable && enable < policy && policy < unit && unit < account);
    assert!(account < moved && moved < attach && attach < trail && trail < boot);
    // FullAWSAccess is attached by Organizations itself: never planned.
    assert!(!plan.changes.iter().any(
        |c| matches!(c, Change::AttachPolicy { policy_name, .. } if policy_name == "FullAWSAccess")
    ));
    // Five accounts created, Dev invited, the management account comes with the organization.
    let creates = plan
        .changes
        .iter()
        .filter(|c| matches!(c, Change::CreateAccount { .. }))
        .count();
    assert_eq!(creates, 5);
    assert!(
        plan.changes
            .iter()
            .any(|c| matches!(c, Change::InviteAccount { id, .. } if id == "216482851263"))
    );
    assert!(plan.destroys().next().is_none());
}

#[test]
fn a_state_bucket_in_another_region_cannot_be_planned() {
    let spec = docustack();
    let state = State {
        organization: Some(orgctl_org::OrgState {
            id: "o-example".into(),
            management_account_id: "348665872333".into(),
            root_id: "r-root".into(),
            enabled_policy_types: vec![],
        }),
        buckets: vec![orgctl_org::BucketState {
            account_id: "348665872333".into(),
            name: "docustack-terraform-state-348665872333".into(),
            region: "eu-west-1".into(),
            versioning: true,
            encryption: None,
            public_access_block: true,
            policy: None,
            noncurrent_expiration_days: None,
            object_lock: false,
        }],
        ..State::default()
    };
    let read = |_: &Path| None;
    let err = plan::build(&PlanInput {
        spec: &spec,
        state: &state,
        backend: "sandbox",
        read_file: &read,
    })
    .unwrap_err();
    assert!(
        matches!(err, orgctl_org::PlanError::BucketRegion { ref actual, .. } if actual == "eu-west-1"),
        "{err:?}"
    );
}

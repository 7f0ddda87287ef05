//! The AWS backend against moto: reading an organization, each kind of change and its
//! effect on the next read, the mapping of AWS's errors, buckets and lock tables in member
//! accounts, name squatting, and DocuStack planned and applied from nothing.
//!
//! moto's gaps (each test names the ones it meets): `InviteAccountToOrganization` is not
//! implemented (HTTP 500); duplicate OU names, detaching a target's last SCP and other
//! Organizations rules are not enforced; `RegisterDelegatedAdministrator` knows only a few
//! services (not `securityhub` or `config`); `ExpectedBucketOwner` is ignored; and with
//! `MOTO_ACCOUNT_ID` set (the testkit's moto) every request runs in that one account, so
//! member-account resources all live in the management account there.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "test code")]

mod support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use orgctl_aws::CallCounts;
use orgctl_org::apply::{self, ApplyOptions, Quiet};
use orgctl_org::plan::{self, PlanInput};
use orgctl_org::{
    AggregatorState, Attachment, Backend, BackendError, BucketOwner, CreateAccountState,
    DelegatedAdmin, Encryption, Plan, PolicyKind, Spec, State, TrailState, Workspace,
};

use support::{MGMT, connect, moto, probe, state_bucket, template};

const DENY_S3: &str =
    r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:*","Resource":"*"}]}"#;

fn tags(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

fn root(backend: &dyn Backend) -> String {
    backend
        .read_state(&[])
        .unwrap()
        .organization
        .unwrap()
        .root_id
}

/// Creates the organization with SCPs enabled and one member account; its id.
fn organization_with_member(backend: &mut dyn Backend, name: &str) -> String {
    backend.create_organization(MGMT).unwrap();
    let root = root(backend);
    backend.enable_policy_type(&root, PolicyKind::Scp).unwrap();
    let email = format!("{}@example.com", name.to_lowercase());
    let status = backend
        .create_account(name, &email, &BTreeMap::new())
        .unwrap();
    backend
        .describe_create_account(&status.request_id)
        .unwrap()
        .account_id
        .unwrap()
}

#[test]
fn read_state_before_an_organization_exists_is_empty() {
    let Some(moto) = moto() else { return };
    let backend = connect(&moto.endpoint());
    assert_eq!(backend.read_state(&[]).unwrap(), State::default());
    let me = backend.caller_identity(None).unwrap();
    assert_eq!(me.account_id, MGMT);
    let counts = backend.call_counts();
    assert_eq!(counts.mutating_total(), 0, "{counts:?}");
    assert_eq!(
        counts.calls.get("organizations:DescribeOrganization"),
        Some(&1)
    );
}

#[test]
fn each_change_shows_in_the_next_read() {
    let Some(moto) = moto() else { return };
    let mut backend = connect(&moto.endpoint());

    backend.create_organization(MGMT).unwrap();
    let state = backend.read_state(&[]).unwrap();
    let org = state.organization.clone().unwrap();
    assert_eq!(org.management_account_id, MGMT);
    assert!(org.id.starts_with("o-") && org.root_id.starts_with("r-"));
    assert!(org.enabled_policy_types.is_empty());
    assert_eq!(state.accounts.len(), 1);
    assert_eq!(state.accounts[0].parent_id, org.root_id);
    let root = org.root_id;

    // Enabling SCPs attaches FullAWSAccess everywhere.
    backend.enable_policy_type(&root, PolicyKind::Scp).unwrap();
    let state = backend.read_state(&[]).unwrap();
    assert_eq!(
        state.organization.as_ref().unwrap().enabled_policy_types,
        [PolicyKind::Scp]
    );
    let full = state.policy("p-FullAWSAccess").unwrap();
    assert!(full.aws_managed && full.name == "FullAWSAccess");
    for target in [root.as_str(), MGMT] {
        assert!(state.attachments.contains(&Attachment {
            policy_id: "p-FullAWSAccess".into(),
            target_id: target.into(),
        }));
    }

    let ou = backend.create_unit(&root, "Workloads").unwrap();
    assert!(ou.starts_with("ou-"));
    let state = backend.read_state(&[]).unwrap();
    let unit = state.unit(&ou).unwrap();
    assert_eq!(
        (unit.name.as_str(), unit.parent_id.as_str()),
        ("Workloads", root.as_str())
    );
    assert!(state.attachments.contains(&Attachment {
        policy_id: "p-FullAWSAccess".into(),
        target_id: ou.clone(),
    }));
    let child = backend.create_unit(&ou, "Dev").unwrap();
    backend.rename_unit(&child, "Development").unwrap();
    let state = backend.read_state(&[]).unwrap();
    assert_eq!(state.unit(&child).unwrap().name, "Development");
    assert_eq!(state.unit(&child).unwrap().parent_id, ou);

    // Accounts: created at the root with their tags (moto finishes at once).
    let status = backend
        .create_account("Dev", "dev@example.com", &tags(&[("env", "dev")]))
        .unwrap();
    assert!(status.request_id.starts_with("car-"));
    assert_eq!(status.email, "dev@example.com");
    let done = backend.describe_create_account(&status.request_id).unwrap();
    assert_eq!(done.state, CreateAccountState::Succeeded);
    let dev = done.account_id.unwrap();
    let state = backend.read_state(&[]).unwrap();
    let account = state.account(&dev).unwrap();
    assert_eq!(
        (
            account.name.as_str(),
            account.email.as_str(),
            account.parent_id.as_str()
        ),
        ("Dev", "dev@example.com", root.as_str())
    );
    assert_eq!(account.tags, tags(&[("env", "dev")]));
    let request = state
        .account_requests
        .iter()
        .find(|r| r.request_id == status.request_id)
        .unwrap();
    assert_eq!(request.email, "dev@example.com");
    assert_eq!(request.account_id.as_deref(), Some(dev.as_str()));

    backend.move_account(&dev, &root, &ou).unwrap();
    backend
        .tag_account(&dev, &tags(&[("team", "platform")]), &["env".to_owned()])
        .unwrap();
    let state = backend.read_state(&[]).unwrap();
    let account = state.account(&dev).unwrap();
    assert_eq!(account.parent_id, ou);
    assert_eq!(account.tags, tags(&[("team", "platform")]));

    // Policies and attachments.
    let policy = backend
        .create_policy(PolicyKind::Scp, "DenyS3", "no S3", DENY_S3)
        .unwrap();
    backend.attach_policy(&policy, &ou).unwrap();
    let state = backend.read_state(&[]).unwrap();
    let read = state.policy(&policy).unwrap();
    assert_eq!(
        (
            read.name.as_str(),
            read.description.as_str(),
            read.content.as_str()
        ),
        ("DenyS3", "no S3", DENY_S3)
    );
    assert!(!read.aws_managed);
    let attachment = Attachment {
        policy_id: policy.clone(),
        target_id: ou.clone(),
    };
    assert!(state.attachments.contains(&attachment));
    backend
        .update_policy(&policy, "DenyS3", "no S3 at all", DENY_S3)
        .unwrap();
    backend.detach_policy(&policy, &ou).unwrap();
    let state = backend.read_state(&[]).unwrap();
    assert!(!state.attachments.contains(&attachment));
    assert_eq!(state.policy(&policy).unwrap().description, "no S3 at all");
    backend.delete_policy(&policy).unwrap();
    backend.delete_unit(&child).unwrap();
    let state = backend.read_state(&[]).unwrap();
    assert!(state.policy(&policy).is_none());
    assert!(state.unit(&child).is_none());

    // Trusted access and delegated administrators.
    backend
        .enable_service_access("guardduty.amazonaws.com")
        .unwrap();
    backend
        .register_delegated_admin(&dev, "guardduty.amazonaws.com")
        .unwrap();
    let state = backend.read_state(&[]).unwrap();
    assert!(
        state
            .trusted_services
            .contains(&"guardduty.amazonaws.com".to_owned())
    );
    assert_eq!(
        state.delegated_admins,
        [DelegatedAdmin {
            account_id: dev.clone(),
            service_principal: "guardduty.amazonaws.com".into(),
        }]
    );

    // The access role's identity in the member account.
    let there = backend.caller_identity(Some(&dev)).unwrap();
    assert_eq!(there.account_id, dev);
    assert_eq!(
        there.arn,
        format!("arn:aws:sts::{dev}:assumed-role/OrganizationAccountAccessRole/orgctl")
    );
    assert_eq!(
        backend.caller_identity(Some(MGMT)).unwrap().account_id,
        MGMT
    );
}

#[test]
fn aws_errors_become_backend_errors() {
    let Some(moto) = moto() else { return };
    let mut backend = connect(&moto.endpoint());

    // Before the organization: AWSOrganizationsNotInUseException.
    let err = backend
        .create_account("Dev", "dev@example.com", &BTreeMap::new())
        .unwrap_err();
    assert!(
        matches!(&err, BackendError::ConstraintViolation { help, .. } if help.contains("create the organization")),
        "{err:?}"
    );
    // Another account's credentials may not create this organization.
    let err = backend.create_organization("111111111111").unwrap_err();
    assert!(
        matches!(&err, BackendError::AccessDenied { action, principal, .. } if action == "organizations:CreateOrganization" && principal.contains(MGMT)),
        "{err:?}"
    );

    let dev = organization_with_member(&mut backend, "Dev");
    let root = root(&backend);
    assert!(matches!(
        backend.create_organization(MGMT).unwrap_err(),
        BackendError::AlreadyExists { .. }
    ));
    assert!(matches!(
        backend
            .enable_policy_type(&root, PolicyKind::Scp)
            .unwrap_err(),
        BackendError::AlreadyExists { .. }
    ));

    // Duplicate OU names: AWS refuses them; moto accepts them.
    backend.create_unit(&root, "Security").unwrap();
    match backend.create_unit(&root, "Security") {
        Err(BackendError::AlreadyExists { what }) => assert!(what.contains("Security")),
        Ok(_) => eprintln!("moto gap: a second OU named `Security` under the root was created"),
        Err(e) => panic!("{e:?}"),
    }
    let policy = backend
        .create_policy(PolicyKind::Scp, "DenyS3", "", DENY_S3)
        .unwrap();
    let err = backend
        .create_policy(PolicyKind::Scp, "DenyS3", "", DENY_S3)
        .unwrap_err();
    assert!(
        matches!(&err, BackendError::AlreadyExists { what } if what.contains("DenyS3")),
        "{err:?}"
    );

    // Unknown ids.
    for err in [
        backend.attach_policy("p-12345678", &dev).unwrap_err(),
        backend.delete_policy("p-12345678").unwrap_err(),
        backend.delete_unit("ou-abcd-12345678").unwrap_err(),
        backend.describe_create_account("car-12345678").unwrap_err(),
    ] {
        assert!(matches!(err, BackendError::NotFound { .. }), "{err:?}");
    }

    // The last SCP of a target: AWS refuses to detach it; moto detaches it.
    match backend.detach_policy("p-FullAWSAccess", &dev) {
        Err(BackendError::ConstraintViolation { reason, .. }) => {
            assert_eq!(reason, "MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED");
        }
        Ok(()) => eprintln!("moto gap: the last SCP of an account was detached"),
        Err(e) => panic!("{e:?}"),
    }
    backend.attach_policy(&policy, &dev).unwrap();
    let err = backend.delete_policy(&policy).unwrap_err();
    assert!(
        matches!(&err, BackendError::ConstraintViolation { reason, .. } if reason == "POLICY_IN_USE"),
        "{err:?}"
    );

    // Delegated administrators.
    backend
        .enable_service_access("guardduty.amazonaws.com")
        .unwrap();
    let err = backend
        .register_delegated_admin(MGMT, "guardduty.amazonaws.com")
        .unwrap_err();
    assert!(
        matches!(&err, BackendError::ConstraintViolation { .. }),
        "{err:?}"
    );
    backend
        .register_delegated_admin(&dev, "guardduty.amazonaws.com")
        .unwrap();
    assert!(matches!(
        backend
            .register_delegated_admin(&dev, "guardduty.amazonaws.com")
            .unwrap_err(),
        BackendError::AlreadyExists { .. }
    ));
    // moto registers delegated administrators for a handful of services only.
    let err = backend
        .register_delegated_admin(&dev, "securityhub.amazonaws.com")
        .unwrap_err();
    assert!(
        matches!(&err, BackendError::InvalidInput { message } if message.contains("unrecognized service principal")),
        "moto gap: {err:?}"
    );

    // Invitations: moto answers HTTP 500.
    let err = backend
        .invite_account("216482851263", "Dev", "aws-dev@docustack.example")
        .unwrap_err();
    let BackendError::Backend { message, .. } = &err else {
        panic!("{err:?}");
    };
    assert!(
        message.contains(&moto.endpoint())
            && message.contains("does not support organizations:InviteAccountToOrganization"),
        "{message}"
    );
}

#[test]
fn put_bucket_creates_the_bucket_in_its_account_and_an_unchanged_put_writes_nothing() {
    let Some(moto) = moto() else { return };
    let mut backend = connect(&moto.endpoint());
    let dev = organization_with_member(&mut backend, "Dev");
    let bucket = state_bucket(&dev, "orgtest");
    assert_eq!(
        backend.bucket_owner(&dev, &bucket.name).unwrap(),
        BucketOwner::Absent
    );

    let before = backend.call_counts();
    backend.put_bucket(&bucket).unwrap();
    let created = backend.call_counts().since(&before);
    assert_eq!(
        created.mutating.keys().cloned().collect::<Vec<_>>(),
        [
            "s3:CreateBucket",
            "s3:PutBucketEncryption",
            "s3:PutBucketLifecycleConfiguration",
            "s3:PutBucketPolicy",
            "s3:PutBucketVersioning",
            "s3:PutPublicAccessBlock",
        ]
    );

    assert_eq!(
        backend.bucket_owner(&dev, &bucket.name).unwrap(),
        BucketOwner::Caller
    );
    let state = backend
        .read_state(&[probe(&dev, &bucket.name, None)])
        .unwrap();
    assert_eq!(state.buckets, std::slice::from_ref(&bucket));

    // The same put again: reads only.
    let before = backend.call_counts();
    backend.put_bucket(&bucket).unwrap();
    let again = backend.call_counts().since(&before);
    assert_eq!(again.mutating_total(), 0, "{again:?}");
    assert!(again.total() > 0);

    // Drift: only the setting that differs is written.
    let mut shorter = bucket.clone();
    shorter.noncurrent_expiration_days = Some(30);
    let before = backend.call_counts();
    backend.put_bucket(&shorter).unwrap();
    let repair = backend.call_counts().since(&before);
    assert_eq!(
        repair.mutating.keys().cloned().collect::<Vec<_>>(),
        ["s3:PutBucketLifecycleConfiguration"]
    );
    let state = backend
        .read_state(&[probe(&dev, &bucket.name, None)])
        .unwrap();
    assert_eq!(state.buckets, [shorter]);

    // The access role was assumed once for all of it.
    assert_eq!(backend.call_counts().calls.get("sts:AssumeRole"), Some(&1));

    // A log archive bucket: Object Lock from creation, SSE-S3, no expiry.
    let log = orgctl_org::BucketState {
        name: "orgtest-trail-logs".into(),
        encryption: Some(Encryption::Aes256),
        noncurrent_expiration_days: None,
        policy: None,
        object_lock: true,
        ..bucket.clone()
    };
    backend.put_bucket(&log).unwrap();
    let state = backend.read_state(&[probe(&dev, &log.name, None)]).unwrap();
    assert_eq!(state.buckets, std::slice::from_ref(&log));
    let mut unlocked = log.clone();
    unlocked.object_lock = false;
    assert!(matches!(
        backend.put_bucket(&unlocked).unwrap_err(),
        BackendError::InvalidInput { .. }
    ));
}

#[test]
fn put_table_creates_an_encrypted_on_demand_table_with_point_in_time_recovery() {
    let Some(moto) = moto() else { return };
    let mut backend = connect(&moto.endpoint());
    let dev = organization_with_member(&mut backend, "Dev");
    let table = template("orgtest").table(&dev).unwrap();
    let before = backend.call_counts();
    backend.put_table(&table).unwrap();
    let created = backend.call_counts().since(&before);
    assert_eq!(
        created.mutating.keys().cloned().collect::<Vec<_>>(),
        ["dynamodb:CreateTable", "dynamodb:UpdateContinuousBackups"]
    );
    let bucket = state_bucket(&dev, "orgtest");
    let state = backend
        .read_state(&[probe(&dev, &bucket.name, Some(&table.name))])
        .unwrap();
    assert_eq!(state.tables, std::slice::from_ref(&table));
    assert!(state.buckets.is_empty());

    let before = backend.call_counts();
    backend.put_table(&table).unwrap();
    assert_eq!(backend.call_counts().since(&before).mutating_total(), 0);

    let mut other_key = table.clone();
    other_key.hash_key = "Id".into();
    assert!(matches!(
        backend.put_table(&other_key).unwrap_err(),
        BackendError::InvalidInput { .. }
    ));
}

#[test]
fn trail_and_aggregator_are_created_started_and_then_left_alone() {
    let Some(moto) = moto() else { return };
    let mut backend = connect(&moto.endpoint());
    let log_archive = organization_with_member(&mut backend, "Logs");
    let bucket = state_bucket(&log_archive, "orgtest");
    backend.put_bucket(&bucket).unwrap();

    let trail = TrailState {
        account_id: MGMT.into(),
        name: "org-trail".into(),
        region: "us-east-1".into(),
        bucket: bucket.name.clone(),
        organization_trail: true,
        multi_region: true,
        logging: true,
    };
    let aggregator = AggregatorState {
        account_id: MGMT.into(),
        name: "org-config".into(),
        region: "us-east-1".into(),
        organization_wide: true,
    };
    backend
        .enable_service_access("cloudtrail.amazonaws.com")
        .unwrap();
    let before = backend.call_counts();
    backend.put_trail(&trail).unwrap();
    backend.put_aggregator(&aggregator).unwrap();
    let made = backend.call_counts().since(&before);
    assert_eq!(
        made.mutating.keys().cloned().collect::<Vec<_>>(),
        [
            "cloudtrail:CreateTrail",
            "cloudtrail:StartLogging",
            "config:PutConfigurationAggregator",
        ]
    );
    let state = backend.read_state(&[]).unwrap();
    assert_eq!(state.trails, std::slice::from_ref(&trail));
    assert_eq!(state.aggregators, std::slice::from_ref(&aggregator));

    let before = backend.call_counts();
    backend.put_trail(&trail).unwrap();
    backend.put_aggregator(&aggregator).unwrap();
    assert_eq!(backend.call_counts().since(&before).mutating_total(), 0);

    // A trail whose bucket changed is updated, not recreated.
    let other = state_bucket(&log_archive, "orgtest2");
    backend.put_bucket(&other).unwrap();
    let moved = TrailState {
        bucket: other.name.clone(),
        ..trail.clone()
    };
    let before = backend.call_counts();
    backend.put_trail(&moved).unwrap();
    assert_eq!(
        backend
            .call_counts()
            .since(&before)
            .mutating
            .keys()
            .cloned()
            .collect::<Vec<_>>(),
        ["cloudtrail:UpdateTrail"]
    );
    assert_eq!(backend.read_state(&[]).unwrap().trails, [moved]);

    // Trails live in the management account.
    let elsewhere = TrailState {
        account_id: log_archive,
        ..trail
    };
    assert!(matches!(
        backend.put_trail(&elsewhere).unwrap_err(),
        BackendError::InvalidInput { .. }
    ));
}

/// DocuStack as moto can build it: the `dev` account created rather than invited (moto has
/// no invitations), and its delegated administrator registered for GuardDuty only (moto
/// knows neither `securityhub` nor `config` as delegated services; see
/// `aws_errors_become_backend_errors`).
fn docustack() -> Spec {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/docustack");
    let (mut spec, mut diags) = orgctl_org::load_dir(&dir).unwrap();
    orgctl_org::validate(
        &spec,
        orgctl_catalog::Catalog::embedded().unwrap(),
        &mut diags,
    );
    assert!(!diags.has_errors());
    for account in spec.accounts.iter_mut().filter(|a| a.key == "dev") {
        account.id = None;
    }
    for admin in &mut spec.baseline.delegated_admins {
        admin.services.retain(|s| s == "guardduty.amazonaws.com");
    }
    assert_eq!(spec.organization.management_account_id, MGMT);
    spec
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

#[allow(clippy::print_stderr, reason = "test code: the counts for benchmarks")]
fn show(what: &str, counts: &CallCounts) {
    eprintln!(
        "{what}: {} calls, {} mutating",
        counts.total(),
        counts.mutating_total()
    );
    for (op, n) in &counts.calls {
        let mutating = counts.mutating.get(op).copied().unwrap_or_default();
        eprintln!(
            "  {op:<52} {n:>4}{}",
            if mutating > 0 { "  (mutating)" } else { "" }
        );
    }
}

#[test]
fn docustack_applies_from_nothing_and_then_has_nothing_to_do() {
    let Some(moto) = moto() else { return };
    let spec = docustack();
    let mut backend = connect(&moto.endpoint());
    let dir = tempfile::tempdir().unwrap();
    let ws = Workspace::new(PathBuf::from(dir.path()));

    let plan = make_plan(&spec, &backend, &ws);
    let options = ApplyOptions {
        poll_interval: std::time::Duration::ZERO,
        ..ApplyOptions::default()
    };
    let before = backend.call_counts();
    let report = apply::apply(&mut backend, &ws, plan.clone(), &options, &mut Quiet)
        .unwrap_or_else(|e| panic!("{e}: {e:?}"));
    let applied = backend.call_counts().since(&before);
    show("DocuStack apply", &applied);
    assert_eq!(report.applied, plan.changes.len());
    assert_eq!(report.created_accounts.len(), 6);

    let state = read(&backend, &spec);
    assert_eq!(state.accounts.len(), 7);
    assert_eq!(state.units.len(), 3);
    assert_eq!(
        state.buckets.len(),
        8,
        "seven state buckets and the log archive bucket"
    );
    assert_eq!(state.tables.len(), 7);
    for a in &state.accounts {
        let bucket = format!("docustack-terraform-state-{}", a.id);
        let found = state.buckets.iter().find(|b| b.name == bucket).unwrap();
        assert_eq!(found.account_id, a.id);
        assert!(found.versioning && found.public_access_block);
        assert_eq!(found.encryption, Some(Encryption::Kms));
        assert!(
            state
                .tables
                .iter()
                .any(|t| t.account_id == a.id && t.point_in_time_recovery && t.encrypted)
        );
    }
    for a in &spec.accounts {
        let id = a.id.clone().unwrap_or_else(|| {
            state
                .accounts
                .iter()
                .find(|s| s.email == a.email)
                .map(|s| s.id.clone())
                .unwrap()
        });
        let slug = plan::slug(&a.name);
        let hcl = ws
            .read_file(Path::new(&format!(
                "infrastructure-live/{slug}/account.hcl"
            )))
            .unwrap();
        assert!(hcl.contains(&format!("account_id   = \"{id}\"")), "{hcl}");
    }
    let log = state
        .buckets
        .iter()
        .find(|b| b.name == "docustack-organization-trail-logs")
        .unwrap();
    assert!(log.object_lock);
    assert_eq!(state.trails.len(), 1);
    assert!(state.trails[0].logging && state.trails[0].organization_trail);
    assert_eq!(state.aggregators.len(), 1);
    assert_eq!(state.delegated_admins.len(), 1);
    let policies: Vec<&str> = state.policies.iter().map(|p| p.name.as_str()).collect();
    for name in [
        "FullAWSAccess",
        "RegionDeny",
        "ProtectCloudTrail",
        "ProtectLogArchive",
    ] {
        assert!(policies.contains(&name), "{policies:?}");
    }

    // The second run: nothing to do, and reading to find that out writes nothing.
    let before = backend.call_counts();
    let again = make_plan(&spec, &backend, &ws);
    let replan = backend.call_counts().since(&before);
    show("DocuStack re-read and replan", &replan);
    assert!(again.is_empty(), "{}", plan::render(&again));
    assert_eq!(replan.mutating_total(), 0, "{replan:?}");
    assert!(!ws.journal_path().exists());
}

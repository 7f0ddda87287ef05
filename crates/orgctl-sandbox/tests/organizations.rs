//! The sandbox behaves as AWS Organizations does: each rule of the backend, one test or more.

#![expect(
    clippy::unwrap_used,
    clippy::panic,
    reason = "test helpers outside #[test] functions"
)]

use std::collections::BTreeMap;

use orgctl_org::{
    AggregatorState, Attachment, Backend, BackendError, BucketOwner, BucketState,
    CreateAccountState, Encryption, PolicyKind, TableState, TrailState,
};
use orgctl_sandbox::{Sandbox, SandboxOptions, SandboxQuotas};

const MGMT: &str = "111111111111";
const OUTSIDER: &str = "999999999999";

const REGION_DENY: &str = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "DenyAllOutsideUsEast1",
      "Effect": "Deny",
      "NotAction": ["iam:*", "organizations:*", "sts:*", "support:*", "s3:ListAllMyBuckets"],
      "Resource": "*",
      "Condition": {"StringNotEquals": {"aws:RequestedRegion": "us-east-1"}}
    }
  ]
}"#;

const DENY_DYNAMODB: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"dynamodb:*","Resource":"*"}]}"#;

const ALLOW_S3: &str = r#"{"Version":"2012-10-17","Statement":[{"Sid":"S3Only","Effect":"Allow","Action":"s3:*","Resource":"*"}]}"#;

fn options(quotas: SandboxQuotas) -> SandboxOptions {
    SandboxOptions {
        management_account_id: MGMT.into(),
        quotas,
        ..SandboxOptions::default()
    }
}

fn sandbox() -> Sandbox {
    Sandbox::in_memory(options(SandboxQuotas::default())).unwrap()
}

/// A sandbox with an organization and SCPs enabled; returns the root id too.
fn organization_with(quotas: SandboxQuotas) -> (Sandbox, String) {
    let mut sb = Sandbox::in_memory(options(quotas)).unwrap();
    sb.create_organization(MGMT).unwrap();
    let root = root_of(&sb);
    sb.enable_policy_type(&root, PolicyKind::Scp).unwrap();
    (sb, root)
}

fn organization() -> (Sandbox, String) {
    organization_with(SandboxQuotas::default())
}

fn root_of(sb: &Sandbox) -> String {
    sb.read_state(&[]).unwrap().organization.unwrap().root_id
}

/// Creates an account and polls until it exists.
fn new_account(sb: &mut Sandbox, name: &str, email: &str) -> String {
    let started = sb.create_account(name, email, &BTreeMap::new()).unwrap();
    sb.describe_create_account(&started.request_id).unwrap();
    let done = sb.describe_create_account(&started.request_id).unwrap();
    assert_eq!(done.state, CreateAccountState::Succeeded, "{done:?}");
    done.account_id.unwrap()
}

fn attached(sb: &Sandbox, policy_id: &str, target_id: &str) -> bool {
    sb.read_state(&[])
        .unwrap()
        .attachments
        .contains(&Attachment {
            policy_id: policy_id.into(),
            target_id: target_id.into(),
        })
}

fn constraint(err: &BackendError) -> &str {
    match err {
        BackendError::ConstraintViolation { reason, .. } => reason,
        other => panic!("expected a constraint violation, got {other:?}"),
    }
}

fn bucket(account: &str, name: &str, region: &str) -> BucketState {
    BucketState {
        account_id: account.into(),
        name: name.into(),
        region: region.into(),
        versioning: true,
        encryption: Some(Encryption::Kms),
        public_access_block: true,
        policy: None,
        noncurrent_expiration_days: Some(90),
        object_lock: false,
    }
}

fn table(account: &str, name: &str, region: &str) -> TableState {
    TableState {
        account_id: account.into(),
        name: name.into(),
        region: region.into(),
        hash_key: "LockID".into(),
        on_demand: true,
        point_in_time_recovery: true,
        encrypted: true,
    }
}

// ---------------------------------------------------------------- organization

#[test]
fn the_organization_is_created_once_and_only_by_its_management_account() {
    let mut sb = sandbox();
    assert_eq!(sb.kind(), "sandbox");
    assert_eq!(sb.read_state(&[]).unwrap(), orgctl_org::State::default());
    let err = sb.create_organization("222222222222").unwrap_err();
    assert!(
        matches!(&err, BackendError::AccessDenied { action, reason, .. }
            if action == "organizations:CreateOrganization" && reason.contains(MGMT)),
        "{err:?}"
    );
    sb.create_organization(MGMT).unwrap();
    let err = sb.create_organization(MGMT).unwrap_err();
    assert!(matches!(err, BackendError::AlreadyExists { .. }), "{err:?}");

    let state = sb.read_state(&[]).unwrap();
    let org = state.organization.as_ref().unwrap();
    assert_eq!(org.management_account_id, MGMT);
    assert!(org.enabled_policy_types.is_empty());
    assert!(org.id.starts_with("o-") && org.id.len() == 12, "{}", org.id);
    assert!(org.root_id.starts_with("r-") && org.root_id.len() == 6);
    let mgmt = state.account(MGMT).unwrap();
    assert_eq!(mgmt.parent_id, org.root_id);
    assert_eq!(mgmt.name, "Management");
    assert!(state.policies.is_empty() && state.attachments.is_empty());
}

#[test]
fn options_are_checked_and_identities_follow_them() {
    let err = Sandbox::in_memory(SandboxOptions {
        management_account_id: "12345".into(),
        ..SandboxOptions::default()
    })
    .unwrap_err();
    assert!(matches!(err, BackendError::InvalidInput { .. }), "{err:?}");

    let (mut sb, _) = organization();
    let me = sb.caller_identity(None).unwrap();
    assert_eq!(me.account_id, MGMT);
    assert_eq!(sb.caller_identity(Some(MGMT)).unwrap(), me);
    let dev = new_account(&mut sb, "dev", "dev@example.com");
    let role = sb.caller_identity(Some(&dev)).unwrap();
    assert_eq!(
        role.arn,
        format!("arn:aws:sts::{dev}:assumed-role/OrganizationAccountAccessRole/orgctl")
    );
    let err = sb.caller_identity(Some(OUTSIDER)).unwrap_err();
    assert!(matches!(err, BackendError::AccessDenied { .. }), "{err:?}");
}

#[test]
fn ids_are_deterministic() {
    let run = || {
        let (mut sb, root) = organization();
        let ou = sb.create_unit(&root, "Workloads").unwrap();
        let p = sb
            .create_policy(PolicyKind::Scp, "RegionDeny", "", REGION_DENY)
            .unwrap();
        let started = sb
            .create_account("dev", "dev@example.com", &BTreeMap::new())
            .unwrap();
        let account = new_account(&mut sb, "prod", "prod@example.com");
        (
            root,
            ou,
            p,
            started.request_id,
            account,
            sb.read_state(&[]).unwrap().fingerprint(),
        )
    };
    let (root, ou, policy, request, account, fingerprint) = run();
    assert_eq!(
        run(),
        (
            root.clone(),
            ou.clone(),
            policy.clone(),
            request.clone(),
            account.clone(),
            fingerprint
        )
    );
    let root4 = root.strip_prefix("r-").unwrap();
    assert!(
        ou.starts_with(&format!("ou-{root4}-")) && ou.len() == 3 + 4 + 1 + 8,
        "{ou}"
    );
    assert!(policy.starts_with("p-") && policy.len() == 10, "{policy}");
    assert!(
        request.starts_with("car-") && request.len() == 36,
        "{request}"
    );
    assert!(account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit()));
}

#[test]
fn enabling_a_policy_type_attaches_its_full_access_policy_everywhere() {
    let mut sb = sandbox();
    sb.create_organization(MGMT).unwrap();
    let root = root_of(&sb);
    let ou = sb.create_unit(&root, "Before").unwrap();
    sb.invite_account("222222222222", "old", "old@example.com")
        .unwrap();
    let err = sb
        .create_policy(PolicyKind::Scp, "X", "", ALLOW_S3)
        .unwrap_err();
    assert_eq!(constraint(&err), "POLICY_TYPE_NOT_ENABLED");

    let err = sb
        .enable_policy_type("r-none", PolicyKind::Scp)
        .unwrap_err();
    assert!(matches!(err, BackendError::NotFound { .. }), "{err:?}");
    sb.enable_policy_type(&root, PolicyKind::Scp).unwrap();
    let err = sb.enable_policy_type(&root, PolicyKind::Scp).unwrap_err();
    assert!(matches!(err, BackendError::AlreadyExists { .. }), "{err:?}");

    let state = sb.read_state(&[]).unwrap();
    let full = state.policy("p-FullAWSAccess").unwrap();
    assert!(full.aws_managed);
    assert_eq!(full.name, "FullAWSAccess");
    assert_eq!(full.description, "Allows access to every operation");
    assert_eq!(
        full.content,
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#
    );
    for target in [root.as_str(), ou.as_str(), MGMT, "222222222222"] {
        assert!(attached(&sb, "p-FullAWSAccess", target), "{target}");
    }

    // New OUs and accounts get it too, and the RCP's as well once enabled.
    sb.enable_policy_type(&root, PolicyKind::Rcp).unwrap();
    let later = sb.create_unit(&root, "After").unwrap();
    let dev = new_account(&mut sb, "dev", "dev@example.com");
    for target in [
        root.as_str(),
        ou.as_str(),
        later.as_str(),
        dev.as_str(),
        MGMT,
    ] {
        assert!(attached(&sb, "p-FullAWSAccess", target), "{target}");
        assert!(attached(&sb, "p-RCPFullAWSAccess", target), "{target}");
    }
    let state = sb.read_state(&[]).unwrap();
    assert_eq!(
        state.organization.as_ref().unwrap().enabled_policy_types,
        [PolicyKind::Scp, PolicyKind::Rcp]
    );
    assert!(
        state
            .policy("p-RCPFullAWSAccess")
            .unwrap()
            .content
            .contains(r#""Principal":"*""#)
    );
}

// ---------------------------------------------------------------- units

#[test]
fn unit_names_are_unique_among_siblings() {
    let (mut sb, root) = organization();
    let a = sb.create_unit(&root, "Workloads").unwrap();
    let err = sb.create_unit(&root, "Workloads").unwrap_err();
    assert!(matches!(err, BackendError::AlreadyExists { .. }), "{err:?}");
    // The same name under another parent is fine.
    let nested = sb.create_unit(&a, "Workloads").unwrap();
    assert_ne!(nested, a);
    let b = sb.create_unit(&root, "Sandbox").unwrap();
    let err = sb.rename_unit(&b, "Workloads").unwrap_err();
    assert!(matches!(err, BackendError::AlreadyExists { .. }), "{err:?}");
    let count = sb.mutation_count().unwrap();
    sb.rename_unit(&b, "Sandbox").unwrap();
    assert_eq!(
        sb.mutation_count().unwrap(),
        count,
        "renaming to the same name changes nothing"
    );
    sb.rename_unit(&b, "Experiments").unwrap();
    assert_eq!(
        sb.read_state(&[]).unwrap().unit(&b).unwrap().name,
        "Experiments"
    );
    let err = sb.create_unit("ou-none-12345678", "X").unwrap_err();
    assert!(matches!(err, BackendError::NotFound { .. }), "{err:?}");
    let err = sb.create_unit(&root, "").unwrap_err();
    assert!(matches!(err, BackendError::InvalidInput { .. }), "{err:?}");
}

#[test]
fn units_nest_at_most_the_depth_quota() {
    let (mut sb, root) = organization_with(SandboxQuotas {
        max_ou_depth: 3,
        ..SandboxQuotas::default()
    });
    let mut parent = root;
    for depth in 1..=3 {
        parent = sb.create_unit(&parent, &format!("Level{depth}")).unwrap();
    }
    let err = sb.create_unit(&parent, "Level4").unwrap_err();
    assert_eq!(constraint(&err), "OU_DEPTH_LIMIT_EXCEEDED");

    // AWS's default: five levels.
    let (mut sb, root) = organization();
    let mut parent = root;
    for depth in 1..=5 {
        parent = sb.create_unit(&parent, &format!("L{depth}")).unwrap();
    }
    assert_eq!(
        constraint(&sb.create_unit(&parent, "L6").unwrap_err()),
        "OU_DEPTH_LIMIT_EXCEEDED"
    );
}

#[test]
fn only_empty_units_are_deleted_and_their_policies_go_with_them() {
    let (mut sb, root) = organization();
    let ou = sb.create_unit(&root, "Workloads").unwrap();
    let child = sb.create_unit(&ou, "Prod").unwrap();
    assert_eq!(
        constraint(&sb.delete_unit(&ou).unwrap_err()),
        "OU_NOT_EMPTY"
    );
    sb.delete_unit(&child).unwrap();
    let dev = new_account(&mut sb, "dev", "dev@example.com");
    sb.move_account(&dev, &root, &ou).unwrap();
    assert_eq!(
        constraint(&sb.delete_unit(&ou).unwrap_err()),
        "OU_NOT_EMPTY"
    );
    sb.move_account(&dev, &ou, &root).unwrap();
    let p = sb
        .create_policy(PolicyKind::Scp, "S3", "", ALLOW_S3)
        .unwrap();
    sb.attach_policy(&p, &ou).unwrap();
    sb.delete_unit(&ou).unwrap();
    let state = sb.read_state(&[]).unwrap();
    assert!(state.unit(&ou).is_none());
    assert!(state.attachments.iter().all(|a| a.target_id != ou));
    // Now attached nowhere, the policy can go.
    sb.delete_policy(&p).unwrap();
    let err = sb.delete_unit(&ou).unwrap_err();
    assert!(matches!(err, BackendError::NotFound { .. }), "{err:?}");
}

// ---------------------------------------------------------------- accounts

#[test]
fn accounts_are_created_asynchronously() {
    let (mut sb, root) = organization();
    let tags = BTreeMap::from([("team".to_owned(), "platform".to_owned())]);
    let started = sb.create_account("dev", "dev@example.com", &tags).unwrap();
    assert_eq!(started.state, CreateAccountState::InProgress);
    assert_eq!(started.account_id, None);
    let state = sb.read_state(&[]).unwrap();
    assert_eq!(state.accounts.len(), 1, "not yet created");
    assert_eq!(state.account_requests, std::slice::from_ref(&started));

    let first = sb.describe_create_account(&started.request_id).unwrap();
    assert_eq!(first.state, CreateAccountState::InProgress);
    let second = sb.describe_create_account(&started.request_id).unwrap();
    assert_eq!(second.state, CreateAccountState::Succeeded);
    let id = second.account_id.clone().unwrap();
    // Further polls repeat the outcome.
    assert_eq!(
        sb.describe_create_account(&started.request_id).unwrap(),
        second
    );

    let state = sb.read_state(&[]).unwrap();
    let account = state.account(&id).unwrap();
    assert_eq!(account.parent_id, root);
    assert_eq!(account.status, orgctl_org::AccountStatus::Active);
    assert_eq!(account.tags, tags);
    assert_eq!(account.email, "dev@example.com");
    assert_eq!(state.account_requests, [second]);

    let err = sb.describe_create_account("car-unknown").unwrap_err();
    assert!(matches!(err, BackendError::NotFound { .. }), "{err:?}");
    let err = sb
        .create_account("bad", "not-an-email", &BTreeMap::new())
        .unwrap_err();
    assert!(matches!(err, BackendError::InvalidInput { .. }), "{err:?}");
}

#[test]
fn a_duplicate_email_fails_the_request() {
    let (mut sb, _) = organization();
    new_account(&mut sb, "dev", "dev@example.com");
    let started = sb
        .create_account("dev2", "DEV@example.com", &BTreeMap::new())
        .unwrap();
    assert_eq!(started.state, CreateAccountState::InProgress);
    sb.describe_create_account(&started.request_id).unwrap();
    let done = sb.describe_create_account(&started.request_id).unwrap();
    assert_eq!(done.state, CreateAccountState::Failed);
    assert_eq!(done.failure_reason.as_deref(), Some("EMAIL_ALREADY_EXISTS"));
    assert_eq!(done.account_id, None);
    let state = sb.read_state(&[]).unwrap();
    assert_eq!(state.accounts.len(), 2);
    assert!(state.account_requests.contains(&done));
}

#[test]
fn the_account_quota_fails_the_request() {
    let (mut sb, _) = organization_with(SandboxQuotas {
        max_accounts: 2,
        ..SandboxQuotas::default()
    });
    new_account(&mut sb, "dev", "dev@example.com");
    let started = sb
        .create_account("prod", "prod@example.com", &BTreeMap::new())
        .unwrap();
    sb.describe_create_account(&started.request_id).unwrap();
    let done = sb.describe_create_account(&started.request_id).unwrap();
    assert_eq!(
        done.failure_reason.as_deref(),
        Some("ACCOUNT_LIMIT_EXCEEDED")
    );
    let err = sb
        .invite_account("333333333333", "x", "x@example.com")
        .unwrap_err();
    assert_eq!(constraint(&err), "ACCOUNT_NUMBER_LIMIT_EXCEEDED");
}

#[test]
fn invited_accounts_join_at_the_root() {
    let (mut sb, root) = organization();
    let err = sb.invite_account("1234", "x", "x@example.com").unwrap_err();
    assert!(matches!(err, BackendError::InvalidInput { .. }), "{err:?}");
    sb.invite_account("222222222222", "legacy", "legacy@example.com")
        .unwrap();
    let state = sb.read_state(&[]).unwrap();
    assert_eq!(state.account("222222222222").unwrap().parent_id, root);
    assert!(attached(&sb, "p-FullAWSAccess", "222222222222"));
    for (id, email) in [
        ("222222222222", "other@example.com"),
        (MGMT, "m@example.com"),
    ] {
        let err = sb.invite_account(id, "again", email).unwrap_err();
        assert!(matches!(err, BackendError::AlreadyExists { .. }), "{err:?}");
    }
    let err = sb
        .invite_account("333333333333", "same email", "legacy@example.com")
        .unwrap_err();
    assert!(matches!(err, BackendError::AlreadyExists { .. }), "{err:?}");
}

#[test]
fn accounts_move_only_from_their_current_parent() {
    let (mut sb, root) = organization();
    let a = sb.create_unit(&root, "A").unwrap();
    let b = sb.create_unit(&root, "B").unwrap();
    let dev = new_account(&mut sb, "dev", "dev@example.com");
    let err = sb.move_account(&dev, &a, &b).unwrap_err();
    assert!(matches!(err, BackendError::NotFound { .. }), "{err:?}");
    let err = sb
        .move_account(&dev, &root, "ou-none-12345678")
        .unwrap_err();
    assert!(matches!(err, BackendError::NotFound { .. }), "{err:?}");
    let err = sb.move_account(&dev, &root, &root).unwrap_err();
    assert!(matches!(err, BackendError::AlreadyExists { .. }), "{err:?}");
    let err = sb.move_account(OUTSIDER, &root, &a).unwrap_err();
    assert!(matches!(err, BackendError::NotFound { .. }), "{err:?}");
    sb.move_account(&dev, &root, &a).unwrap();
    sb.move_account(&dev, &a, &b).unwrap();
    assert_eq!(
        sb.read_state(&[]).unwrap().account(&dev).unwrap().parent_id,
        b
    );
}

#[test]
fn account_tags_are_set_and_removed() {
    let (mut sb, _) = organization();
    let dev = new_account(&mut sb, "dev", "dev@example.com");
    let set = BTreeMap::from([
        ("team".to_owned(), "platform".to_owned()),
        ("env".to_owned(), "dev".to_owned()),
    ]);
    sb.tag_account(&dev, &set, &[]).unwrap();
    let count = sb.mutation_count().unwrap();
    sb.tag_account(&dev, &set, &[]).unwrap();
    assert_eq!(
        sb.mutation_count().unwrap(),
        count,
        "same tags change nothing"
    );
    sb.tag_account(&dev, &BTreeMap::new(), &["env".to_owned()])
        .unwrap();
    let tags = sb
        .read_state(&[])
        .unwrap()
        .account(&dev)
        .unwrap()
        .tags
        .clone();
    assert_eq!(
        tags,
        BTreeMap::from([("team".to_owned(), "platform".to_owned())])
    );
    let err = sb.tag_account(OUTSIDER, &set, &[]).unwrap_err();
    assert!(matches!(err, BackendError::NotFound { .. }), "{err:?}");
    let bad = BTreeMap::from([("aws:reserved".to_owned(), "x".to_owned())]);
    let err = sb.tag_account(&dev, &bad, &[]).unwrap_err();
    assert!(matches!(err, BackendError::InvalidInput { .. }), "{err:?}");
}

// ---------------------------------------------------------------- policies

#[test]
fn policies_are_parsed_measured_and_unique_per_type() {
    let (mut sb, root) = organization_with(SandboxQuotas {
        max_policy_size: 200,
        ..SandboxQuotas::default()
    });
    let err = sb
        .create_policy(PolicyKind::Scp, "Broken", "", r#"{"Statement": ["#)
        .unwrap_err();
    assert!(
        matches!(&err, BackendError::InvalidInput { message } if message.starts_with("MALFORMED_POLICY_DOCUMENT: ")),
        "{err:?}"
    );
    let err = sb
        .create_policy(PolicyKind::Scp, "Big", "", REGION_DENY)
        .unwrap_err();
    assert_eq!(constraint(&err), "POLICY_CONTENT_LIMIT_EXCEEDED");
    let id = sb
        .create_policy(PolicyKind::Scp, "S3", "S3 only", ALLOW_S3)
        .unwrap();
    let err = sb
        .create_policy(PolicyKind::Scp, "S3", "again", ALLOW_S3)
        .unwrap_err();
    assert!(matches!(err, BackendError::AlreadyExists { .. }), "{err:?}");
    let err = sb
        .create_policy(PolicyKind::Scp, "FullAWSAccess", "", ALLOW_S3)
        .unwrap_err();
    assert!(matches!(err, BackendError::AlreadyExists { .. }), "{err:?}");
    // RCPs are another type: the name is free there, once the type is enabled.
    let err = sb
        .create_policy(PolicyKind::Rcp, "S3", "", DENY_DYNAMODB)
        .unwrap_err();
    assert_eq!(constraint(&err), "POLICY_TYPE_NOT_ENABLED");
    sb.enable_policy_type(&root, PolicyKind::Rcp).unwrap();
    let rcp = sb
        .create_policy(PolicyKind::Rcp, "S3", "", DENY_DYNAMODB)
        .unwrap();
    assert_ne!(rcp, id);

    let state = sb.read_state(&[]).unwrap();
    let stored = state.policy(&id).unwrap();
    assert_eq!(
        (stored.kind, stored.content.as_str()),
        (PolicyKind::Scp, ALLOW_S3)
    );
    assert!(!stored.aws_managed);
}

#[test]
fn policies_are_updated_and_deleted_unless_aws_managed_or_in_use() {
    let (mut sb, root) = organization();
    let id = sb
        .create_policy(PolicyKind::Scp, "S3", "", ALLOW_S3)
        .unwrap();
    let other = sb
        .create_policy(PolicyKind::Scp, "Other", "", ALLOW_S3)
        .unwrap();
    let err = sb.update_policy(&id, "Other", "", ALLOW_S3).unwrap_err();
    assert!(matches!(err, BackendError::AlreadyExists { .. }), "{err:?}");
    let err = sb.update_policy(&id, "S3", "", "[").unwrap_err();
    assert!(matches!(err, BackendError::InvalidInput { .. }), "{err:?}");
    let count = sb.mutation_count().unwrap();
    sb.update_policy(&id, "S3", "", ALLOW_S3).unwrap();
    assert_eq!(sb.mutation_count().unwrap(), count, "no change, no call");
    sb.update_policy(&id, "S3Only", "now described", DENY_DYNAMODB)
        .unwrap();
    let state = sb.read_state(&[]).unwrap();
    let p = state.policy(&id).unwrap();
    assert_eq!(
        (p.name.as_str(), p.description.as_str(), p.content.as_str()),
        ("S3Only", "now described", DENY_DYNAMODB)
    );

    for err in [
        sb.update_policy("p-FullAWSAccess", "FullAWSAccess", "", ALLOW_S3)
            .unwrap_err(),
        sb.delete_policy("p-FullAWSAccess").unwrap_err(),
    ] {
        assert_eq!(constraint(&err), "POLICY_CHANGES_NOT_ALLOWED");
    }
    sb.attach_policy(&id, &root).unwrap();
    assert_eq!(
        constraint(&sb.delete_policy(&id).unwrap_err()),
        "POLICY_IN_USE"
    );
    sb.delete_policy(&other).unwrap();
    let err = sb.delete_policy(&other).unwrap_err();
    assert!(matches!(err, BackendError::NotFound { .. }), "{err:?}");
}

#[test]
fn attachments_respect_the_quota_and_are_unique() {
    let (mut sb, root) = organization_with(SandboxQuotas {
        max_policies_per_target: 3,
        ..SandboxQuotas::default()
    });
    let ou = sb.create_unit(&root, "Workloads").unwrap();
    let ids: Vec<String> = (0..3)
        .map(|i| {
            sb.create_policy(PolicyKind::Scp, &format!("P{i}"), "", ALLOW_S3)
                .unwrap()
        })
        .collect();
    // FullAWSAccess counts: two more fit.
    sb.attach_policy(&ids[0], &ou).unwrap();
    let err = sb.attach_policy(&ids[0], &ou).unwrap_err();
    assert!(matches!(err, BackendError::AlreadyExists { .. }), "{err:?}");
    sb.attach_policy(&ids[1], &ou).unwrap();
    assert_eq!(
        constraint(&sb.attach_policy(&ids[2], &ou).unwrap_err()),
        "POLICY_NUMBER_LIMIT_EXCEEDED"
    );
    // The quota is per target.
    sb.attach_policy(&ids[2], &root).unwrap();
    let err = sb.attach_policy(&ids[2], "ou-none-12345678").unwrap_err();
    assert!(matches!(err, BackendError::NotFound { .. }), "{err:?}");
    let err = sb.attach_policy("p-none", &ou).unwrap_err();
    assert!(matches!(err, BackendError::NotFound { .. }), "{err:?}");
}

#[test]
fn the_last_scp_of_a_target_cannot_be_detached() {
    let (mut sb, root) = organization();
    let dev = new_account(&mut sb, "dev", "dev@example.com");
    let err = sb.detach_policy("p-FullAWSAccess", &dev).unwrap_err();
    assert_eq!(
        constraint(&err),
        "MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED"
    );
    let s3 = sb
        .create_policy(PolicyKind::Scp, "S3", "", ALLOW_S3)
        .unwrap();
    let err = sb.detach_policy(&s3, &dev).unwrap_err();
    assert!(matches!(err, BackendError::NotFound { .. }), "{err:?}");
    sb.attach_policy(&s3, &dev).unwrap();
    sb.detach_policy("p-FullAWSAccess", &dev).unwrap();
    assert_eq!(
        constraint(&sb.detach_policy(&s3, &dev).unwrap_err()),
        "MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED"
    );

    // RCPFullAWSAccess never leaves, even beside another RCP.
    sb.enable_policy_type(&root, PolicyKind::Rcp).unwrap();
    let rcp = sb
        .create_policy(PolicyKind::Rcp, "NoDynamo", "", DENY_DYNAMODB)
        .unwrap();
    sb.attach_policy(&rcp, &root).unwrap();
    assert_eq!(
        constraint(&sb.detach_policy("p-RCPFullAWSAccess", &root).unwrap_err()),
        "MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED"
    );
    sb.detach_policy(&rcp, &root).unwrap();
}

// ---------------------------------------------------------------- services

#[test]
fn delegated_administrators_need_trusted_access_and_a_member() {
    let (mut sb, _) = organization();
    let security = new_account(&mut sb, "security", "security@example.com");
    let gd = "guardduty.amazonaws.com";
    let err = sb.register_delegated_admin(&security, gd).unwrap_err();
    assert!(
        matches!(&err, BackendError::ConstraintViolation { reason, help }
            if reason == "TRUSTED_ACCESS_NOT_ENABLED" && help.contains(gd)),
        "{err:?}"
    );
    sb.enable_service_access(gd).unwrap();
    let count = sb.mutation_count().unwrap();
    sb.enable_service_access(gd).unwrap();
    assert_eq!(
        sb.mutation_count().unwrap(),
        count,
        "enabling twice is a no-op"
    );
    let err = sb.enable_service_access("GuardDuty").unwrap_err();
    assert!(matches!(err, BackendError::InvalidInput { .. }), "{err:?}");

    assert_eq!(
        constraint(&sb.register_delegated_admin(MGMT, gd).unwrap_err()),
        "CANNOT_REGISTER_MASTER_AS_DELEGATED_ADMINISTRATOR"
    );
    let err = sb.register_delegated_admin(OUTSIDER, gd).unwrap_err();
    assert!(matches!(err, BackendError::NotFound { .. }), "{err:?}");
    sb.register_delegated_admin(&security, gd).unwrap();
    let err = sb.register_delegated_admin(&security, gd).unwrap_err();
    assert!(matches!(err, BackendError::AlreadyExists { .. }), "{err:?}");
    let state = sb.read_state(&[]).unwrap();
    assert_eq!(state.trusted_services, [gd]);
    assert_eq!(state.delegated_admins.len(), 1);
}

#[test]
fn trails_need_a_bucket_of_the_organization_and_aggregators_are_replaced() {
    let (mut sb, _) = organization();
    let log = new_account(&mut sb, "log-archive", "log@example.com");
    let mut trail = TrailState {
        account_id: MGMT.into(),
        name: "org-trail".into(),
        region: "us-east-1".into(),
        bucket: "org-trail-logs".into(),
        organization_trail: true,
        multi_region: true,
        logging: true,
    };
    let err = sb.put_trail(&trail).unwrap_err();
    assert!(matches!(err, BackendError::NotFound { .. }), "{err:?}");
    sb.create_foreign_bucket(OUTSIDER, "org-trail-logs", "us-east-1")
        .unwrap();
    let err = sb.put_trail(&trail).unwrap_err();
    assert!(
        matches!(err, BackendError::NotFound { .. }),
        "a foreign bucket is not the organization's: {err:?}"
    );
    trail.bucket = "log-archive-trail".into();
    sb.put_bucket(&bucket(&log, "log-archive-trail", "us-east-1"))
        .unwrap();
    sb.put_trail(&trail).unwrap();
    let count = sb.mutation_count().unwrap();
    sb.put_trail(&trail).unwrap();
    assert_eq!(sb.mutation_count().unwrap(), count);
    trail.logging = false;
    sb.put_trail(&trail).unwrap();
    assert_eq!(sb.read_state(&[]).unwrap().trails, [trail.clone()]);
    trail.account_id = log.clone();
    let err = sb.put_trail(&trail).unwrap_err();
    assert!(matches!(err, BackendError::InvalidInput { .. }), "{err:?}");

    let mut aggregator = AggregatorState {
        account_id: MGMT.into(),
        name: "org".into(),
        region: "us-east-1".into(),
        organization_wide: false,
    };
    sb.put_aggregator(&aggregator).unwrap();
    aggregator.organization_wide = true;
    sb.put_aggregator(&aggregator).unwrap();
    assert_eq!(sb.read_state(&[]).unwrap().aggregators, [aggregator]);
}

// ---------------------------------------------------------------- buckets and tables

#[test]
fn squatted_bucket_names_are_refused() {
    let (mut sb, _) = organization();
    let dev = new_account(&mut sb, "dev", "dev@example.com");
    let prod = new_account(&mut sb, "prod", "prod@example.com");
    sb.create_foreign_bucket(OUTSIDER, "tf-state-dev", "us-east-1")
        .unwrap();
    assert_eq!(
        sb.bucket_owner(&dev, "tf-state-dev").unwrap(),
        BucketOwner::Other {
            account_id: Some(OUTSIDER.into())
        }
    );
    assert_eq!(
        sb.bucket_owner(&dev, "tf-state-free").unwrap(),
        BucketOwner::Absent
    );
    let before = sb.read_state(&[]).unwrap();
    let count = sb.mutation_count().unwrap();
    let err = sb
        .put_bucket(&bucket(&dev, "tf-state-dev", "us-east-1"))
        .unwrap_err();
    assert_eq!(
        err,
        BackendError::BucketSquatted {
            bucket: "tf-state-dev".into(),
            owner: Some(OUTSIDER.into())
        }
    );
    assert_eq!(sb.read_state(&[]).unwrap(), before, "nothing written");
    assert_eq!(sb.mutation_count().unwrap(), count);
    assert!(
        before.buckets.is_empty(),
        "foreign buckets are not in the state"
    );

    // Another member's bucket is just as off limits.
    sb.put_bucket(&bucket(&prod, "tf-state-prod", "us-east-1"))
        .unwrap();
    assert_eq!(
        sb.bucket_owner(&prod, "tf-state-prod").unwrap(),
        BucketOwner::Caller
    );
    let err = sb
        .put_bucket(&bucket(&dev, "tf-state-prod", "us-east-1"))
        .unwrap_err();
    assert!(
        matches!(err, BackendError::BucketSquatted { .. }),
        "{err:?}"
    );
    let err = sb
        .create_foreign_bucket(OUTSIDER, "tf-state-prod", "us-east-1")
        .unwrap_err();
    assert!(matches!(err, BackendError::AlreadyExists { .. }), "{err:?}");
}

#[test]
fn buckets_and_tables_are_created_then_updated_in_place() {
    let (mut sb, _) = organization();
    let dev = new_account(&mut sb, "dev", "dev@example.com");
    let mut b = bucket(&dev, "tf-state-dev", "us-east-1");
    sb.put_bucket(&b).unwrap();
    let count = sb.mutation_count().unwrap();
    sb.put_bucket(&b).unwrap();
    assert_eq!(
        sb.mutation_count().unwrap(),
        count,
        "same settings, no call"
    );
    b.policy = Some(r#"{"Version":"2012-10-17","Statement":[]}"#.into());
    sb.put_bucket(&b).unwrap();
    assert_eq!(sb.mutation_count().unwrap(), count + 1);
    let mut t = table(&dev, "tf-locks", "us-east-1");
    sb.put_table(&t).unwrap();
    t.point_in_time_recovery = false;
    sb.put_table(&t).unwrap();
    let state = sb.read_state(&[]).unwrap();
    assert_eq!(state.buckets, [b.clone()]);
    assert_eq!(state.tables, [t.clone()]);
    let mut moved = b.clone();
    moved.region = "eu-west-1".into();
    let err = sb.put_bucket(&moved).unwrap_err();
    assert!(matches!(err, BackendError::InvalidInput { .. }), "{err:?}");
    let err = sb
        .put_bucket(&bucket(OUTSIDER, "tf-state-x", "us-east-1"))
        .unwrap_err();
    assert!(matches!(err, BackendError::NotFound { .. }), "{err:?}");
    let err = sb
        .put_bucket(&bucket(&dev, "Not_A_Bucket", "us-east-1"))
        .unwrap_err();
    assert!(matches!(err, BackendError::InvalidInput { .. }), "{err:?}");
}

// ---------------------------------------------------------------- SCP enforcement

#[test]
fn scps_deny_member_account_calls_and_name_the_policy() {
    let (mut sb, root) = organization();
    let deny = sb
        .create_policy(PolicyKind::Scp, "RegionDeny", "us-east-1 only", REGION_DENY)
        .unwrap();
    sb.attach_policy(&deny, &root).unwrap();
    let dev = new_account(&mut sb, "dev", "dev@example.com");

    let before = sb.read_state(&[]).unwrap();
    let count = sb.mutation_count().unwrap();
    let err = sb
        .put_bucket(&bucket(&dev, "tf-state-dev-eu", "eu-west-1"))
        .unwrap_err();
    let BackendError::AccessDenied {
        principal,
        action,
        resource,
        reason,
    } = &err
    else {
        panic!("expected AccessDenied, got {err:?}");
    };
    assert_eq!(
        principal,
        &format!("arn:aws:sts::{dev}:assumed-role/OrganizationAccountAccessRole/orgctl")
    );
    assert_eq!(action, "s3:CreateBucket");
    assert_eq!(resource, "arn:aws:s3:::tf-state-dev-eu");
    assert!(
        reason.starts_with(
            "explicit deny in service control policy `RegionDeny` statement `DenyAllOutsideUsEast1`"
        ),
        "{reason}"
    );
    assert!(reason.contains(&root), "{reason}");
    assert_eq!(sb.read_state(&[]).unwrap(), before);
    assert_eq!(sb.mutation_count().unwrap(), count);

    let err = sb
        .put_table(&table(&dev, "tf-locks", "eu-west-1"))
        .unwrap_err();
    assert!(
        matches!(&err, BackendError::AccessDenied { action, resource, .. }
            if action == "dynamodb:CreateTable"
                && resource == &format!("arn:aws:dynamodb:eu-west-1:{dev}:table/tf-locks")),
        "{err:?}"
    );

    // In the allowed region everything goes through.
    sb.put_bucket(&bucket(&dev, "tf-state-dev", "us-east-1"))
        .unwrap();
    sb.put_table(&table(&dev, "tf-locks", "us-east-1")).unwrap();
    // The management account is never restricted by SCPs.
    sb.put_bucket(&bucket(MGMT, "tf-state-mgmt-eu", "eu-west-1"))
        .unwrap();
    sb.put_table(&table(MGMT, "tf-locks", "eu-west-1")).unwrap();
    assert_eq!(sb.read_state(&[]).unwrap().buckets.len(), 2);
}

#[test]
fn scp_levels_run_from_the_root_through_each_ou_to_the_account() {
    let (mut sb, root) = organization();
    let workloads = sb.create_unit(&root, "Workloads").unwrap();
    let prod = sb.create_unit(&workloads, "Prod").unwrap();
    let app = new_account(&mut sb, "app", "app@example.com");
    sb.move_account(&app, &root, &prod).unwrap();

    // An OU that allows S3 only: DynamoDB is implicitly denied at that level.
    let s3 = sb
        .create_policy(PolicyKind::Scp, "S3Only", "", ALLOW_S3)
        .unwrap();
    sb.attach_policy(&s3, &workloads).unwrap();
    sb.detach_policy("p-FullAWSAccess", &workloads).unwrap();
    sb.put_bucket(&bucket(&app, "app-state", "us-east-1"))
        .unwrap();
    let err = sb
        .put_table(&table(&app, "app-locks", "us-east-1"))
        .unwrap_err();
    assert!(
        matches!(&err, BackendError::AccessDenied { reason, .. }
            if reason == &format!("no service control policy at OU `Workloads` ({workloads}) allows it")),
        "{err:?}"
    );
    sb.attach_policy("p-FullAWSAccess", &workloads).unwrap();
    sb.put_table(&table(&app, "app-locks", "us-east-1"))
        .unwrap();

    // A deny on the account itself, without a Sid.
    let no_dynamo = sb
        .create_policy(PolicyKind::Scp, "NoDynamo", "", DENY_DYNAMODB)
        .unwrap();
    sb.attach_policy(&no_dynamo, &app).unwrap();
    let err = sb
        .put_table(&table(&app, "app-locks-2", "us-east-1"))
        .unwrap_err();
    assert!(
        matches!(&err, BackendError::AccessDenied { reason, .. }
            if reason == &format!("explicit deny in service control policy `NoDynamo` statement at index 0 attached to account {app}")),
        "{err:?}"
    );
    // Only the calls a change needs are checked: an unchanged table needs none.
    sb.put_table(&table(&app, "app-locks", "us-east-1"))
        .unwrap();
}

#[test]
fn rcps_are_enforced_on_member_resources() {
    let (mut sb, root) = organization();
    sb.enable_policy_type(&root, PolicyKind::Rcp).unwrap();
    let dev = new_account(&mut sb, "dev", "dev@example.com");
    let rcp = sb
        .create_policy(PolicyKind::Rcp, "NoDynamo", "", DENY_DYNAMODB)
        .unwrap();
    sb.attach_policy(&rcp, &root).unwrap();
    let err = sb
        .put_table(&table(&dev, "tf-locks", "us-east-1"))
        .unwrap_err();
    assert!(
        matches!(&err, BackendError::AccessDenied { reason, .. }
            if reason.starts_with("explicit deny in resource control policy `NoDynamo`")),
        "{err:?}"
    );
    sb.put_bucket(&bucket(&dev, "tf-state-dev", "us-east-1"))
        .unwrap();
}

// ---------------------------------------------------------------- calls, faults, files

#[test]
fn reads_and_repeats_make_no_mutating_call() {
    let (mut sb, root) = organization();
    let count = sb.mutation_count().unwrap();
    assert_eq!(count, 2, "create_organization and enable_policy_type");
    sb.read_state(&[]).unwrap();
    sb.caller_identity(None).unwrap();
    sb.bucket_owner(MGMT, "anything").unwrap();
    assert_eq!(sb.mutation_count().unwrap(), count);
    // Failed calls are not counted.
    sb.create_unit(&root, "A").unwrap();
    sb.create_unit(&root, "A").unwrap_err();
    assert_eq!(sb.mutation_count().unwrap(), count + 1);
}

#[test]
fn an_injected_fault_changes_nothing_and_later_calls_succeed() {
    let (mut sb, root) = organization();
    sb.fail_after(1);
    sb.create_unit(&root, "First").unwrap();
    let before = sb.read_state(&[]).unwrap();
    let count = sb.mutation_count().unwrap();
    let err = sb.create_unit(&root, "Second").unwrap_err();
    assert!(
        matches!(&err, BackendError::Backend { backend, message, .. }
            if backend == "sandbox" && message.starts_with("injected fault")),
        "{err:?}"
    );
    assert_eq!(sb.read_state(&[]).unwrap(), before);
    assert_eq!(sb.mutation_count().unwrap(), count);
    // The fault fires once: the retry goes through.
    sb.create_unit(&root, "Second").unwrap();
    assert_eq!(sb.mutation_count().unwrap(), count + 1);

    sb.fail_after(0);
    let err = sb
        .create_account("dev", "dev@example.com", &BTreeMap::new())
        .unwrap_err();
    assert!(matches!(err, BackendError::Backend { .. }), "{err:?}");
    assert!(sb.read_state(&[]).unwrap().account_requests.is_empty());
}

#[test]
fn a_reopened_file_reads_the_same_state() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("org.sqlite");
    let opts = options(SandboxQuotas::default());
    let before = {
        let mut sb = Sandbox::open(&path, opts.clone()).unwrap();
        sb.create_organization(MGMT).unwrap();
        let root = root_of(&sb);
        sb.enable_policy_type(&root, PolicyKind::Scp).unwrap();
        let ou = sb.create_unit(&root, "Workloads").unwrap();
        let dev = new_account(&mut sb, "dev", "dev@example.com");
        sb.move_account(&dev, &root, &ou).unwrap();
        let p = sb
            .create_policy(PolicyKind::Scp, "RegionDeny", "", REGION_DENY)
            .unwrap();
        sb.attach_policy(&p, &ou).unwrap();
        sb.put_bucket(&bucket(&dev, "tf-state-dev", "us-east-1"))
            .unwrap();
        sb.create_account("pending", "pending@example.com", &BTreeMap::new())
            .unwrap();
        (sb.read_state(&[]).unwrap(), sb.mutation_count().unwrap())
    };
    let sb = Sandbox::open(&path, opts).unwrap();
    assert_eq!(
        (sb.read_state(&[]).unwrap(), sb.mutation_count().unwrap()),
        before
    );

    std::fs::write(dir.path().join("junk"), "not a database at all, just text").unwrap();
    let err =
        Sandbox::open(&dir.path().join("junk"), options(SandboxQuotas::default())).unwrap_err();
    assert!(
        matches!(&err, BackendError::Backend { backend, .. } if backend == "sandbox"),
        "{err:?}"
    );
}

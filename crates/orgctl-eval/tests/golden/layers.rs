//! Identity, resource, boundary and session policies: same-account union, cross-account
//! intersection, principals named in resource policies, KMS key policies, and the root user.
//!
//! Encodes:
//! - <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html>
//!   (IAM-UG `reference_policies_evaluation-logic.md`) — within one account "If either the
//!   identity-based policy or the resource-based policy within the same account allows the
//!   request and the other doesn't, the request is still allowed"; an explicit deny in either
//!   overrides; IAM role trust policies and KMS key policies must allow the principal
//!   themselves; a resource policy naming an IAM user ARN is not limited by implicit denies
//!   in identity policies or the boundary; naming a role ARN is limited by the boundary and
//!   session policy; naming a role session ARN is limited by neither.
//! - <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html>
//!   — "By default, all requests are implicitly denied with the exception of the AWS account
//!   root user, which has full access"; step 6: a boundary present and not allowing is an
//!   implicit deny; step 7: a session policy present and not allowing is an implicit deny,
//!   and (IAM-UG-2023 wording, §1.3 of the notes) a federated user session without a session
//!   policy is denied.
//! - <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html>
//!   (IAM-UG `reference_policies_evaluation-logic-cross-account.md`) — "The request is allowed
//!   only if both evaluations return a decision of Allow": the caller's identity policy and
//!   the resource's policy.
//! - <https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html> —
//!   effective permissions are the intersection of identity policies and the boundary.
//! - <https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_temp_control-access_getfederationtoken.html>
//!   (not in `iam-semantics.md`; backs the federated-user row) — "if you do not pass a policy
//!   with the GetFederationToken API call, the resulting temporary security credentials have
//!   no permissions".

use orgctl_eval::{Layer, Outcome, PolicySet};

use crate::support::{
    ACCOUNT, ALICE, OTHER_ACCOUNT, ROLE_SESSION, assert_decision, compile, ctx, lacking, request,
    stmt,
};

const ALLOW_S3: &str =
    r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}"#;
const ALLOW_ALL: &str =
    r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}"#;
const ALLOW_GET: &str = r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}}"#;
const BOB: &str = "arn:aws:iam::444455556666:user/bob";
const OBJECT: &str = "arn:aws:s3:::bucket/key";

/// A bucket policy allowing `s3:GetObject` to `principal` (a JSON value of `"AWS"`).
fn bucket_policy(principal: &str) -> String {
    format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Sid":"Grant","Effect":"Allow",
            "Principal":{{"AWS":{principal}}},"Action":"s3:GetObject","Resource":"arn:aws:s3:::bucket/*"}}]}}"#
    )
}

fn decide(
    set: &PolicySet,
    principal: &str,
    action: &str,
    resource: &str,
    account: &str,
) -> orgctl_eval::Decision {
    set.decide(&request(
        principal,
        action,
        resource,
        Some(account),
        ctx(&[]),
    ))
}

#[test]
fn same_account_union_of_identity_and_resource_policies() {
    // Resource policy naming the user, no identity policy: allowed by the resource policy.
    let only_resource = PolicySet {
        resource: Some(compile("bucket", &bucket_policy(&format!("\"{ALICE}\"")))),
        ..PolicySet::default()
    };
    let d = decide(&only_resource, ALICE, "s3:GetObject", OBJECT, ACCOUNT);
    assert_decision(&d, Outcome::Allow, &[stmt(Layer::Resource, 0, 0, 0)]);
    // ... but only for what it grants.
    let d = decide(&only_resource, ALICE, "s3:PutObject", OBJECT, ACCOUNT);
    assert_decision(&d, Outcome::ImplicitDeny, &[lacking(Layer::Identity, 0)]);

    // Identity policy only: allowed by the identity policy.
    let only_identity = PolicySet {
        identity: vec![compile("s3", ALLOW_S3)],
        ..PolicySet::default()
    };
    let d = decide(&only_identity, ALICE, "s3:PutObject", OBJECT, ACCOUNT);
    assert_decision(&d, Outcome::Allow, &[stmt(Layer::Identity, 0, 0, 0)]);

    // An explicit deny in the resource policy overrides the identity allow.
    let denied = PolicySet {
        identity: vec![compile("s3", ALLOW_S3)],
        resource: Some(compile(
            "bucket",
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*",
                "Action":"s3:DeleteObject","Resource":"arn:aws:s3:::bucket/*"}]}"#,
        )),
        ..PolicySet::default()
    };
    let d = decide(&denied, ALICE, "s3:DeleteObject", OBJECT, ACCOUNT);
    assert_decision(&d, Outcome::ExplicitDeny, &[stmt(Layer::Resource, 0, 0, 0)]);
    assert_eq!(
        decide(&denied, ALICE, "s3:GetObject", OBJECT, ACCOUNT).outcome,
        Outcome::Allow
    );
}

/// A same-account resource policy naming only the account delegates to the account's identity
/// policies: it does not allow by itself.
#[test]
fn same_account_resource_policy_naming_only_the_account() {
    for named in ["\"111122223333\"", "\"arn:aws:iam::111122223333:root\""] {
        let bucket = compile("bucket", &bucket_policy(named));
        let without_identity = PolicySet {
            resource: Some(bucket.clone()),
            ..PolicySet::default()
        };
        let d = decide(&without_identity, ALICE, "s3:GetObject", OBJECT, ACCOUNT);
        assert_decision(&d, Outcome::ImplicitDeny, &[lacking(Layer::Identity, 0)]);
        let with_identity = PolicySet {
            identity: vec![compile("get", ALLOW_GET)],
            resource: Some(bucket),
            ..PolicySet::default()
        };
        let d = decide(&with_identity, ALICE, "s3:GetObject", OBJECT, ACCOUNT);
        assert_eq!(d.outcome, Outcome::Allow, "{named}");
    }
}

/// Cross-account: both the caller's identity policy and the resource policy must allow.
#[test]
fn cross_account_needs_identity_and_resource_allow() {
    let identity = compile("get", ALLOW_GET);
    let bucket = compile("bucket", &bucket_policy(&format!("\"{BOB}\"")));
    // (identity policy, resource policy, expected outcome, reasons)
    #[rustfmt::skip]
    let rows = [
        (None, None, Outcome::ImplicitDeny, vec![lacking(Layer::Identity, 0)]),
        (Some(&identity), None, Outcome::ImplicitDeny, vec![lacking(Layer::Resource, 0)]),
        (None, Some(&bucket), Outcome::ImplicitDeny, vec![lacking(Layer::Identity, 0)]),
        (Some(&identity), Some(&bucket), Outcome::Allow, vec![stmt(Layer::Identity, 0, 0, 0), stmt(Layer::Resource, 0, 0, 0)]),
    ];
    for (i, (id, res, outcome, reasons)) in rows.into_iter().enumerate() {
        let set = PolicySet {
            identity: id.cloned().into_iter().collect(),
            resource: res.cloned(),
            ..PolicySet::default()
        };
        let d = decide(&set, BOB, "s3:GetObject", OBJECT, ACCOUNT);
        assert_eq!(d.outcome, outcome, "row {i}");
        assert_eq!(d.reasons.as_slice(), reasons.as_slice(), "row {i}");
    }
    // A resource policy naming the caller's account (delegation) plus the identity policy.
    let set = PolicySet {
        identity: vec![identity],
        resource: Some(compile(
            "bucket",
            &bucket_policy(&format!("\"{OTHER_ACCOUNT}\"")),
        )),
        ..PolicySet::default()
    };
    assert_eq!(
        decide(&set, BOB, "s3:GetObject", OBJECT, ACCOUNT).outcome,
        Outcome::Allow
    );
}

/// A boundary that does not allow is an implicit deny; it never grants by itself.
#[test]
fn permissions_boundary() {
    let set = PolicySet {
        identity: vec![compile("admin", ALLOW_ALL)],
        boundary: Some(compile("boundary", ALLOW_S3)),
        ..PolicySet::default()
    };
    let d = decide(&set, ALICE, "iam:ListUsers", "*", ACCOUNT);
    assert_decision(&d, Outcome::ImplicitDeny, &[lacking(Layer::Boundary, 0)]);
    let d = decide(&set, ALICE, "s3:GetObject", OBJECT, ACCOUNT);
    assert_decision(
        &d,
        Outcome::Allow,
        &[
            stmt(Layer::Identity, 0, 0, 0),
            stmt(Layer::Boundary, 0, 0, 0),
        ],
    );
    // Boundary allows, identity does not: the intersection is empty.
    let set = PolicySet {
        identity: vec![compile("get", ALLOW_GET)],
        boundary: Some(compile("boundary", ALLOW_ALL)),
        ..PolicySet::default()
    };
    let d = decide(&set, ALICE, "s3:PutObject", OBJECT, ACCOUNT);
    assert_decision(&d, Outcome::ImplicitDeny, &[lacking(Layer::Identity, 0)]);
}

/// A session policy that does not allow is an implicit deny.
#[test]
fn session_policy() {
    let set = PolicySet {
        identity: vec![compile("s3", ALLOW_S3)],
        session: Some(compile("session", ALLOW_GET)),
        ..PolicySet::default()
    };
    let d = decide(&set, ROLE_SESSION, "s3:PutObject", OBJECT, ACCOUNT);
    assert_decision(&d, Outcome::ImplicitDeny, &[lacking(Layer::Session, 0)]);
    let d = decide(&set, ROLE_SESSION, "s3:GetObject", OBJECT, ACCOUNT);
    assert_decision(
        &d,
        Outcome::Allow,
        &[
            stmt(Layer::Identity, 0, 0, 0),
            stmt(Layer::Session, 0, 0, 0),
        ],
    );
}

/// What a same-account resource policy's named principal lets implicit denies block.
#[test]
fn principal_named_in_a_same_account_resource_policy() {
    // Allows ec2 only: as a boundary or session policy it does not allow the s3 request.
    let ec2_only = r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"ec2:*","Resource":"*"}}"#;
    // An IAM user ARN: not limited by identity policies or the boundary.
    let set = PolicySet {
        resource: Some(compile("bucket", &bucket_policy(&format!("\"{ALICE}\"")))),
        boundary: Some(compile("boundary", ec2_only)),
        ..PolicySet::default()
    };
    assert_eq!(
        decide(&set, ALICE, "s3:GetObject", OBJECT, ACCOUNT).outcome,
        Outcome::Allow
    );

    // A role ARN: the session policy (and boundary) still apply.
    let by_role = compile(
        "bucket",
        &bucket_policy("\"arn:aws:iam::111122223333:role/Dev\""),
    );
    let set = PolicySet {
        resource: Some(by_role.clone()),
        ..PolicySet::default()
    };
    assert_eq!(
        decide(&set, ROLE_SESSION, "s3:GetObject", OBJECT, ACCOUNT).outcome,
        Outcome::Allow,
        "role named, nothing else limits"
    );
    let set = PolicySet {
        resource: Some(by_role.clone()),
        session: Some(compile("session", ec2_only)),
        ..PolicySet::default()
    };
    let d = decide(&set, ROLE_SESSION, "s3:GetObject", OBJECT, ACCOUNT);
    assert_decision(&d, Outcome::ImplicitDeny, &[lacking(Layer::Session, 0)]);
    let set = PolicySet {
        resource: Some(by_role),
        boundary: Some(compile("boundary", ec2_only)),
        ..PolicySet::default()
    };
    let d = decide(&set, ROLE_SESSION, "s3:GetObject", OBJECT, ACCOUNT);
    assert_decision(&d, Outcome::ImplicitDeny, &[lacking(Layer::Boundary, 0)]);

    // A role session ARN: neither identity policies, boundary nor session policy limit it.
    let set = PolicySet {
        resource: Some(compile(
            "bucket",
            &bucket_policy(&format!("\"{ROLE_SESSION}\"")),
        )),
        boundary: Some(compile("boundary", ec2_only)),
        session: Some(compile("session", ec2_only)),
        ..PolicySet::default()
    };
    let d = decide(&set, ROLE_SESSION, "s3:GetObject", OBJECT, ACCOUNT);
    assert_decision(&d, Outcome::Allow, &[stmt(Layer::Resource, 0, 0, 0)]);
}

const KEY: &str = "arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab";

fn key_policy(principal: &str) -> String {
    format!(
        r#"{{"Version":"2012-10-17","Statement":{{"Sid":"Key","Effect":"Allow",
            "Principal":{{"AWS":"{principal}"}},"Action":"kms:*","Resource":"*"}}}}"#
    )
}

/// A KMS key policy must allow the request even within the key's account.
#[test]
fn kms_key_policy_must_allow_even_in_the_same_account() {
    let identity = compile(
        "kms",
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"kms:Decrypt","Resource":"*"}}"#,
    );
    // Identity allows, no key policy allows: denied.
    let set = PolicySet {
        identity: vec![identity.clone()],
        ..PolicySet::default()
    };
    let d = decide(&set, ALICE, "kms:Decrypt", KEY, ACCOUNT);
    assert_decision(&d, Outcome::ImplicitDeny, &[lacking(Layer::Resource, 0)]);
    // A key policy that enables IAM policies (names the account) plus the identity policy.
    let set = PolicySet {
        identity: vec![identity],
        resource: Some(compile(
            "key",
            &key_policy("arn:aws:iam::111122223333:root"),
        )),
        ..PolicySet::default()
    };
    assert_eq!(
        decide(&set, ALICE, "kms:Decrypt", KEY, ACCOUNT).outcome,
        Outcome::Allow
    );
    // That key policy without an identity policy: denied.
    let set = PolicySet {
        resource: Some(compile(
            "key",
            &key_policy("arn:aws:iam::111122223333:root"),
        )),
        ..PolicySet::default()
    };
    let d = decide(&set, ALICE, "kms:Decrypt", KEY, ACCOUNT);
    assert_decision(&d, Outcome::ImplicitDeny, &[lacking(Layer::Identity, 0)]);
    // A key policy naming the user allows by itself.
    let set = PolicySet {
        resource: Some(compile("key", &key_policy(ALICE))),
        ..PolicySet::default()
    };
    let d = decide(&set, ALICE, "kms:Decrypt", KEY, ACCOUNT);
    assert_decision(&d, Outcome::Allow, &[stmt(Layer::Resource, 0, 0, 0)]);
}

/// "By default, all requests are implicitly denied with the exception of the AWS account root
/// user, which has full access": the root user needs no identity policy.
#[test]

fn root_user_has_full_access_by_default() {
    let root = "arn:aws:iam::111122223333:root";
    let set = PolicySet::default();
    assert_eq!(
        decide(&set, root, "s3:ListAllMyBuckets", "*", ACCOUNT).outcome,
        Outcome::Allow
    );
    // An explicit deny still applies to it (see the SCP tests for member-account root users).
    let set = PolicySet {
        resource: Some(compile(
            "bucket",
            r#"{"Version":"2012-10-17","Statement":{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*"}}"#,
        )),
        ..PolicySet::default()
    };
    assert_eq!(
        decide(&set, root, "s3:GetObject", OBJECT, ACCOUNT).outcome,
        Outcome::ExplicitDeny
    );
}

/// A federated user session (`GetFederationToken`) without a session policy has no
/// permissions from the federating user's identity policies.
#[test]

fn federated_user_session_without_session_policy_is_denied() {
    let fed = "arn:aws:sts::111122223333:federated-user/bob";
    let set = PolicySet {
        identity: vec![compile("user-policies", ALLOW_S3)],
        ..PolicySet::default()
    };
    assert_eq!(
        decide(&set, fed, "s3:GetObject", OBJECT, ACCOUNT).outcome,
        Outcome::ImplicitDeny
    );
    // With a session policy: the intersection.
    let set = PolicySet {
        identity: vec![compile("user-policies", ALLOW_S3)],
        session: Some(compile("session", ALLOW_GET)),
        ..PolicySet::default()
    };
    assert_eq!(
        decide(&set, fed, "s3:GetObject", OBJECT, ACCOUNT).outcome,
        Outcome::Allow
    );
    assert_eq!(
        decide(&set, fed, "s3:PutObject", OBJECT, ACCOUNT).outcome,
        Outcome::ImplicitDeny
    );
}

const DENY_ALL_BUT_ALICE: &str = r#"{"Version":"2012-10-17","Statement":{"Effect":"Deny",
    "NotPrincipal":{"AWS":"arn:aws:iam::111122223333:user/alice"},"Action":"s3:*","Resource":"*"}}"#;

/// A resource-policy `Deny` with `NotPrincipal` denies every principal it does not name.
#[test]
fn deny_with_not_principal() {
    let set = PolicySet {
        identity: vec![compile("s3", ALLOW_S3)],
        resource: Some(compile("bucket", DENY_ALL_BUT_ALICE)),
        ..PolicySet::default()
    };
    let d = decide(&set, ALICE, "s3:GetObject", OBJECT, ACCOUNT);
    assert_decision(&d, Outcome::Allow, &[stmt(Layer::Identity, 0, 0, 0)]);
    let carol = "arn:aws:iam::111122223333:user/carol";
    let d = decide(&set, carol, "s3:GetObject", OBJECT, ACCOUNT);
    assert_decision(&d, Outcome::ExplicitDeny, &[stmt(Layer::Resource, 0, 0, 0)]);
}

/// Boundaries page: a resource-policy `Deny` with `NotPrincipal` "will always deny any IAM
/// principal that has a permissions boundary policy attached, regardless of the values
/// specified in the NotPrincipal element".
#[test]

fn deny_with_not_principal_always_denies_principals_with_a_boundary() {
    let set = PolicySet {
        identity: vec![compile("s3", ALLOW_S3)],
        resource: Some(compile("bucket", DENY_ALL_BUT_ALICE)),
        boundary: Some(compile("boundary", ALLOW_S3)),
        ..PolicySet::default()
    };
    let d = decide(&set, ALICE, "s3:GetObject", OBJECT, ACCOUNT);
    assert_decision(&d, Outcome::ExplicitDeny, &[stmt(Layer::Resource, 0, 0, 0)]);
}

/// IAM User Guide, policy evaluation logic: "Resource-based policies that grant permissions to
/// an IAM role ARN are limited by an implicit deny in a permissions boundary or session
/// policy." This holds when the requester is written as the role ARN itself, not only for
/// its sessions (found by the differential test).
#[test]
fn role_arn_named_by_resource_policy_is_still_bounded() {
    use orgctl_eval::{CompiledPolicy, Layer, Outcome, PolicySet, Request};
    let parse = |s: &str| orgctl_policy::Policy::parse(s).unwrap();
    let resource = parse(
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/Admin"},"Action":"sqs:SendMessage","Resource":"arn:aws:sqs:us-east-1:111122223333:orders"}]}"#,
    );
    let boundary = parse(
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}"#,
    );
    let request = Request::new(
        "arn:aws:iam::111122223333:role/Admin",
        "sqs:SendMessage",
        "arn:aws:sqs:us-east-1:111122223333:orders",
        None,
        orgctl_eval::Context::new(),
    );
    let mut set = PolicySet {
        resource: Some(CompiledPolicy::new("queue", &resource)),
        boundary: Some(CompiledPolicy::new("boundary", &boundary)),
        ..PolicySet::default()
    };
    let d = set.decide(&request);
    assert_eq!(d.outcome, Outcome::ImplicitDeny);
    assert_eq!(d.reasons[0].layer, Layer::Boundary);
    set.boundary = None;
    assert_eq!(set.decide(&request).outcome, Outcome::Allow);
}

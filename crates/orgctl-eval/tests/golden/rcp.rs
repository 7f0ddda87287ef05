//! Resource control policies: they govern the resources of the services they support,
//! whoever the caller, and only their denies decide.
//!
//! Encodes:
//! - <https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps.html>
//!   — RCPs apply to resources of member accounts "regardless of whether the principals belong
//!   to the same organizations or not" (RCP-EX README, notes §1.5), and only for a subset of
//!   services (S3, STS, KMS, SQS, Secrets Manager, ... — not EC2); `RCPFullAWSAccess` is
//!   attached at every level and cannot be detached, so only denies decide.
//! - <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html>
//!   — step 1: a `Deny` in any applicable policy, RCPs included, is final.

use orgctl_eval::{CompiledPolicy, Layer, Outcome, PolicySet};

use crate::support::{ACCOUNT, Val, assert_decision, compile, ctx, one, request, stmt};

const BOB: &str = "arn:aws:iam::444455556666:user/bob";
const OBJECT: &str = "arn:aws:s3:::bucket/key";

const ORG_PERIMETER: &str = r#"{"Version":"2012-10-17","Statement":{"Sid":"EnforceOrgIdentities",
    "Effect":"Deny","Principal":"*","Action":["s3:*","ec2:*"],"Resource":"*",
    "Condition":{"StringNotEqualsIfExists":{"aws:PrincipalOrgID":"o-a1b2c3d4e5"}}}}"#;

fn cross_account_set(rcps: Vec<Vec<CompiledPolicy>>) -> PolicySet {
    PolicySet {
        identity: vec![compile(
            "caller",
            r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":["s3:GetObject","ec2:DescribeInstances"],"Resource":"*"}}"#,
        )],
        rcps,
        resource: Some(compile(
            "bucket",
            r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::444455556666:user/bob"},
                "Action":"s3:GetObject","Resource":"arn:aws:s3:::bucket/*"}}"#,
        )),
        ..PolicySet::default()
    }
}

fn get_object(org: Val) -> orgctl_eval::Request {
    request(
        BOB,
        "s3:GetObject",
        OBJECT,
        Some(ACCOUNT),
        ctx(&[("aws:PrincipalOrgID", org)]),
    )
}

/// An RCP deny on S3 denies even a cross-account caller that identity and bucket policy allow.
#[test]
fn rcp_deny_applies_to_cross_account_callers() {
    // Without RCPs: allowed by identity policy and bucket policy.
    let d = cross_account_set(Vec::new()).decide(&get_object(crate::support::ABSENT));
    assert_eq!(d.outcome, Outcome::Allow);
    // The perimeter RCP at the account level (level 1).
    let set = cross_account_set(vec![Vec::new(), vec![compile("perimeter", ORG_PERIMETER)]]);
    let d = set.decide(&get_object(crate::support::ABSENT));
    assert_decision(&d, Outcome::ExplicitDeny, &[stmt(Layer::Rcp, 1, 0, 0)]);
    assert_eq!(set.policy(&d.reasons[0]).unwrap().name(), "perimeter");
    let d = set.decide(&get_object(one("o-other")));
    assert_decision(&d, Outcome::ExplicitDeny, &[stmt(Layer::Rcp, 1, 0, 0)]);
    // A caller from the organization passes the RCP.
    assert_eq!(
        set.decide(&get_object(one("o-a1b2c3d4e5"))).outcome,
        Outcome::Allow
    );
}

/// RCPs do not apply to services they do not support (EC2), even when they name its actions.
#[test]
fn rcps_do_not_apply_to_unsupported_services() {
    let set = cross_account_set(vec![vec![compile("perimeter", ORG_PERIMETER)]]);
    let r = request(
        BOB,
        "ec2:DescribeInstances",
        "*",
        Some("444455556666"),
        ctx(&[]),
    );
    assert_eq!(set.decide(&r).outcome, Outcome::Allow);
    let deny_all = compile(
        "deny-all",
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Deny","Principal":"*","Action":"*","Resource":"*"}}"#,
    );
    let set = PolicySet {
        identity: vec![compile(
            "admin",
            r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}"#,
        )],
        rcps: vec![vec![deny_all]],
        ..PolicySet::default()
    };
    let ec2 = request(
        "arn:aws:iam::111122223333:user/alice",
        "ec2:TerminateInstances",
        "arn:aws:ec2:us-east-1:111122223333:instance/i-1",
        None,
        ctx(&[]),
    );
    assert_eq!(set.decide(&ec2).outcome, Outcome::Allow);
    // The same RCP on a supported service (SQS) denies.
    let sqs = request(
        "arn:aws:iam::111122223333:user/alice",
        "sqs:SendMessage",
        "arn:aws:sqs:us-east-1:111122223333:queue",
        None,
        ctx(&[]),
    );
    assert_decision(
        &set.decide(&sqs),
        Outcome::ExplicitDeny,
        &[stmt(Layer::Rcp, 0, 0, 0)],
    );
}

/// `RCPFullAWSAccess` cannot be detached: a level holding only a non-matching custom deny
/// still allows (unlike SCPs).
#[test]
fn rcp_levels_never_lack_an_allow() {
    let set = PolicySet {
        identity: vec![compile(
            "s3",
            r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}"#,
        )],
        rcps: vec![vec![compile(
            "no-kms",
            r#"{"Version":"2012-10-17","Statement":{"Effect":"Deny","Principal":"*","Action":"kms:*","Resource":"*"}}"#,
        )]],
        ..PolicySet::default()
    };
    let d = set.decide(&request(
        "arn:aws:iam::111122223333:user/alice",
        "s3:GetObject",
        OBJECT,
        Some(ACCOUNT),
        ctx(&[]),
    ));
    assert_decision(&d, Outcome::Allow, &[stmt(Layer::Identity, 0, 0, 0)]);
}

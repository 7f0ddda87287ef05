//! Service control policies: every level from the root to the account must allow, policies
//! at one level are OR-ed, a deny anywhere decides, an SCP never grants, and who is exempt.
//!
//! Encodes:
//! - <https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_evaluation.html>
//!   (the notes cite the ja_jp copy) — to allow a permission "an explicit `Allow` statement is
//!   required at every level from the root through each OU in the direct path to the account
//!   (including the target account itself)".
//! - <https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_inheritance_auth.html>
//!   (ORG-UG-2022 `orgs_manage_policies_inheritance_auth.md`) — "An SCP at a lower level can't
//!   add a permission after it is blocked by an SCP at a higher level. SCPs can only filter;
//!   they never add permissions"; an explicit `Deny` in any SCP overrides. Several SCPs at one
//!   level are OR-ed for `Allow` (notes §1.4, "[inference consistent with docs]").
//! - <https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html>
//!   (ORG-UG-2022 `orgs_manage_policies_scps.md`) — "SCPs don't affect users or roles in the
//!   management account"; "SCPs *do not* affect any service-linked role"; "SCPs affect all
//!   users and roles in attached accounts, *including the root user*"; with a boundary and an
//!   SCP, "the boundary, the SCP and the identity-based policy must all allow".
//! - <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html>
//!   — step 3: "If the enforcement code does not find any applicable Allow statements in the
//!   SCPs, the request is explicitly denied, even if the denial is implicit" (reported here as
//!   an implicit deny naming layer `Scp` and the level).

use orgctl_eval::{CompiledPolicy, Layer, Outcome, PolicySet, Reason};

use crate::support::{
    ACCOUNT, ALICE, assert_decision, compile, ctx, lacking, one, req, request, stmt,
};

const FULL: &str =
    r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}"#;
const DENY_EC2: &str = r#"{"Version":"2012-10-17","Statement":{"Sid":"NoEc2","Effect":"Deny","Action":"ec2:*","Resource":"*"}}"#;
const DENY_ALL: &str =
    r#"{"Version":"2012-10-17","Statement":{"Effect":"Deny","Action":"*","Resource":"*"}}"#;
const ALLOW_S3: &str =
    r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}"#;
const ALLOW_EC2: &str =
    r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"ec2:*","Resource":"*"}}"#;
const GUARDRAILS: &str = r#"{"Version":"2012-10-17","Statement":[
    {"Sid":"NoUnencryptedPuts","Effect":"Deny","Action":"s3:PutObject","Resource":"*",
     "Condition":{"Null":{"s3:x-amz-server-side-encryption":"true"}}},
    {"Sid":"NoBucketDeletes","Effect":"Deny","Action":"s3:DeleteBucket","Resource":"*"}]}"#;

/// SCP levels, root first, each a list of (name, policy).
fn levels(spec: &[&[(&str, &str)]]) -> Option<Vec<Vec<CompiledPolicy>>> {
    Some(
        spec.iter()
            .map(|level| level.iter().map(|(n, j)| compile(n, j)).collect())
            .collect(),
    )
}

/// An admin principal under the given SCP levels.
fn admin_under(scps: Option<Vec<Vec<CompiledPolicy>>>) -> PolicySet {
    PolicySet {
        identity: vec![compile("admin", FULL)],
        scps,
        ..PolicySet::default()
    }
}

fn name<'a>(set: &'a PolicySet, r: &Reason) -> &'a str {
    set.policy(r).map_or("<none>", CompiledPolicy::name)
}

#[test]
fn every_level_from_root_to_account_must_allow() {
    // The account's only SCP is a Deny (FullAWSAccess detached): nothing it does not deny is
    // allowed either.
    let set = admin_under(levels(&[
        &[("FullAWSAccess", FULL)],
        &[("FullAWSAccess", FULL)],
        &[("NoEc2", DENY_EC2)],
    ]));
    let d = set.decide(&req(ALICE, "s3:GetObject", "arn:aws:s3:::b/k"));
    assert_decision(&d, Outcome::ImplicitDeny, &[lacking(Layer::Scp, 2)]);
    assert!(set.policy(&d.reasons[0]).is_none());
    // The same at the OU level.
    let set = admin_under(levels(&[
        &[("FullAWSAccess", FULL)],
        &[("NoEc2", DENY_EC2)],
        &[("FullAWSAccess", FULL)],
    ]));
    let d = set.decide(&req(ALICE, "s3:GetObject", "arn:aws:s3:::b/k"));
    assert_decision(&d, Outcome::ImplicitDeny, &[lacking(Layer::Scp, 1)]);
    // The explicit deny still decides first for what it names.
    let d = set.decide(&req(ALICE, "ec2:RunInstances", "*"));
    assert_decision(&d, Outcome::ExplicitDeny, &[stmt(Layer::Scp, 1, 0, 0)]);
}

#[test]
fn allow_reasons_name_each_level_then_the_identity_policy() {
    let set = admin_under(levels(&[
        &[("FullAWSAccess", FULL)],
        &[("NoEc2", DENY_EC2), ("AllowS3", ALLOW_S3)],
        &[("FullAWSAccess", FULL)],
    ]));
    let d = set.decide(&req(ALICE, "s3:GetObject", "arn:aws:s3:::b/k"));
    assert_decision(
        &d,
        Outcome::Allow,
        &[
            stmt(Layer::Scp, 0, 0, 0),
            stmt(Layer::Scp, 1, 1, 0),
            stmt(Layer::Scp, 2, 0, 0),
            stmt(Layer::Identity, 0, 0, 0),
        ],
    );
    let names: Vec<&str> = d.reasons.iter().map(|r| name(&set, r)).collect();
    assert_eq!(
        names,
        ["FullAWSAccess", "AllowS3", "FullAWSAccess", "admin"]
    );
}

/// Within one level any attached SCP may allow (OR); across levels every level must (AND): a
/// lower level cannot add back what a higher one does not allow.
#[test]
fn policies_at_one_level_are_or_ed_levels_are_and_ed() {
    let set = admin_under(levels(&[
        &[("FullAWSAccess", FULL)],
        &[("AllowS3", ALLOW_S3), ("AllowEc2", ALLOW_EC2)],
    ]));
    // (action, outcome, reason at level 1 or the implicit deny)
    #[rustfmt::skip]
    let rows = [
        ("s3:GetObject", Outcome::Allow, stmt(Layer::Scp, 1, 0, 0)),
        ("ec2:RunInstances", Outcome::Allow, stmt(Layer::Scp, 1, 1, 0)),
        ("sqs:SendMessage", Outcome::ImplicitDeny, lacking(Layer::Scp, 1)),
    ];
    for (action, outcome, reason) in rows {
        let d = set.decide(&req(ALICE, action, "*"));
        assert_eq!(d.outcome, outcome, "{action}");
        let found = if outcome == Outcome::Allow {
            d.reasons.get(1)
        } else {
            d.reasons.first()
        };
        assert_eq!(found, Some(&reason), "{action}: {d:?}");
    }
    // Root allows only s3; the account allows everything: ec2 is still not allowed.
    let set = admin_under(levels(&[
        &[("AllowS3", ALLOW_S3)],
        &[("FullAWSAccess", FULL)],
    ]));
    let d = set.decide(&req(ALICE, "ec2:RunInstances", "*"));
    assert_decision(&d, Outcome::ImplicitDeny, &[lacking(Layer::Scp, 0)]);
}

/// A Deny at any level decides, naming the policy, its level and the statement.
#[test]
fn deny_at_any_level_names_policy_level_and_statement() {
    let set = admin_under(levels(&[
        &[("FullAWSAccess", FULL)],
        &[("FullAWSAccess", FULL), ("Guardrails", GUARDRAILS)],
        &[("FullAWSAccess", FULL)],
    ]));
    let d = set.decide(&req(ALICE, "s3:DeleteBucket", "arn:aws:s3:::b"));
    assert_decision(&d, Outcome::ExplicitDeny, &[stmt(Layer::Scp, 1, 1, 1)]);
    assert_eq!(name(&set, &d.reasons[0]), "Guardrails");
    // The conditional statement: denies a put without the header, not one with it.
    let d = set.decide(&req(ALICE, "s3:PutObject", "arn:aws:s3:::b/k"));
    assert_decision(&d, Outcome::ExplicitDeny, &[stmt(Layer::Scp, 1, 1, 0)]);
    let encrypted = request(
        ALICE,
        "s3:PutObject",
        "arn:aws:s3:::b/k",
        None,
        ctx(&[("s3:x-amz-server-side-encryption", one("AES256"))]),
    );
    assert_eq!(set.decide(&encrypted).outcome, Outcome::Allow);
    // Every matching Deny is reported, across levels and layers.
    let set = PolicySet {
        identity: vec![compile("admin", FULL), compile("no-ec2", DENY_EC2)],
        scps: levels(&[
            &[("FullAWSAccess", FULL), ("NoEc2", DENY_EC2)],
            &[("DenyAll", DENY_ALL)],
        ]),
        ..PolicySet::default()
    };
    let d = set.decide(&req(ALICE, "ec2:RunInstances", "*"));
    assert_decision(
        &d,
        Outcome::ExplicitDeny,
        &[
            stmt(Layer::Scp, 0, 1, 0),
            stmt(Layer::Scp, 1, 0, 0),
            stmt(Layer::Identity, 0, 1, 0),
        ],
    );
}

/// "SCPs can only filter; they never add permissions".
#[test]
fn an_scp_allow_never_grants_by_itself() {
    let set = PolicySet {
        scps: levels(&[&[("FullAWSAccess", FULL)], &[("FullAWSAccess", FULL)]]),
        ..PolicySet::default()
    };
    let d = set.decide(&req(ALICE, "s3:GetObject", "arn:aws:s3:::b/k"));
    assert_decision(&d, Outcome::ImplicitDeny, &[lacking(Layer::Identity, 0)]);
}

/// An SCP `Allow` with a condition (full IAM language since Sept 2025): when the condition is
/// false the statement does not match, and that level lacks an allow. Notes §2.2 mark this
/// "[inference from §1.3]"; the docs do not spell it out.
#[test]
fn conditional_scp_allow_that_does_not_match_leaves_its_level_without_allow() {
    let set = admin_under(levels(&[&[(
        "EuOnly",
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*",
            "Condition":{"StringEquals":{"aws:RequestedRegion":["eu-west-1","eu-central-1"]}}}}"#,
    )]]));
    let at = |region: &'static str| {
        request(
            ALICE,
            "ec2:RunInstances",
            "*",
            None,
            ctx(&[("aws:RequestedRegion", one(region))]),
        )
    };
    assert_eq!(set.decide(&at("eu-west-1")).outcome, Outcome::Allow);
    let d = set.decide(&at("us-east-1"));
    assert_decision(&d, Outcome::ImplicitDeny, &[lacking(Layer::Scp, 0)]);
}

/// The management account (no SCPs apply: `scps: None`) is unaffected; the same policies
/// attached to a member account deny.
#[test]
fn management_account_is_unaffected_by_scps() {
    let management = admin_under(None);
    let d = management.decide(&req(ALICE, "ec2:RunInstances", "*"));
    assert_decision(&d, Outcome::Allow, &[stmt(Layer::Identity, 0, 0, 0)]);
    let member = admin_under(levels(&[&[("DenyAll", DENY_ALL)]]));
    assert_eq!(
        member.decide(&req(ALICE, "ec2:RunInstances", "*")).outcome,
        Outcome::ExplicitDeny
    );
}

/// Service-linked roles are unaffected by SCPs, whether they deny or fail to allow.
#[test]
fn service_linked_roles_are_unaffected_by_scps() {
    let slr_session = "arn:aws:sts::111122223333:assumed-role/AWSServiceRoleForConfig/x";
    let slr_role = "arn:aws:iam::111122223333:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig";
    for scps in [
        levels(&[&[("DenyAll", DENY_ALL)]]),
        levels(&[&[("FullAWSAccess", FULL)], &[("NoEc2", DENY_EC2)]]),
    ] {
        let set = admin_under(scps);
        for principal in [slr_session, slr_role] {
            let d = set.decide(&req(principal, "config:PutConfigurationRecorder", "*"));
            assert_decision(&d, Outcome::Allow, &[stmt(Layer::Identity, 0, 0, 0)]);
        }
        // An ordinary role session in the same account is affected.
        let other = "arn:aws:sts::111122223333:assumed-role/ServiceRoleForConfig/x";
        assert_ne!(
            set.decide(&req(other, "config:PutConfigurationRecorder", "*"))
                .outcome,
            Outcome::Allow
        );
    }
}

/// The root user of a member account is affected by SCPs.
#[test]
fn member_account_root_user_is_affected_by_scps() {
    let root = "arn:aws:iam::111122223333:root";
    let set = PolicySet {
        scps: levels(&[&[("FullAWSAccess", FULL), ("NoEc2", DENY_EC2)]]),
        ..PolicySet::default()
    };
    let d = set.decide(&req(root, "ec2:RunInstances", "*"));
    assert_decision(&d, Outcome::ExplicitDeny, &[stmt(Layer::Scp, 0, 1, 0)]);
    let set = PolicySet {
        scps: levels(&[&[("AllowS3", ALLOW_S3)]]),
        ..PolicySet::default()
    };
    let d = set.decide(&req(root, "ec2:RunInstances", "*"));
    assert_decision(&d, Outcome::ImplicitDeny, &[lacking(Layer::Scp, 0)]);
}

/// With a permissions boundary and SCPs, the boundary, the SCPs and the identity policy must
/// all allow.
#[test]
fn boundary_scp_and_identity_must_all_allow() {
    let set = PolicySet {
        identity: vec![compile("admin", FULL)],
        scps: levels(&[&[("AllowS3", ALLOW_S3), ("AllowEc2", ALLOW_EC2)]]),
        boundary: Some(compile(
            "boundary",
            r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":["s3:*","sqs:*"],"Resource":"*"}}"#,
        )),
        ..PolicySet::default()
    };
    // (action, outcome, reasons)
    #[rustfmt::skip]
    let rows = [
        ("s3:GetObject", Outcome::Allow, vec![stmt(Layer::Scp, 0, 0, 0), stmt(Layer::Identity, 0, 0, 0), stmt(Layer::Boundary, 0, 0, 0)]),
        ("ec2:RunInstances", Outcome::ImplicitDeny, vec![lacking(Layer::Boundary, 0)]),
        ("sqs:SendMessage", Outcome::ImplicitDeny, vec![lacking(Layer::Scp, 0)]),
    ];
    for (action, outcome, reasons) in rows {
        let d = set.decide(&request(ALICE, action, "*", Some(ACCOUNT), ctx(&[])));
        assert_decision(&d, outcome, &reasons);
    }
}

//! Matching of `Action`, `NotAction`, `Resource` and `NotResource`; `StringLike` against
//! `ArnLike`; case rules.
//!
//! Encodes:
//! - <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html>
//!   (IAM-UG `reference_policies_elements_action.md`) — "The prefix and the action name are
//!   case insensitive. For example, `iam:ListAccessKeys` is the same as `IAM:listaccesskeys`";
//!   `*` and `?` anywhere (`iam:*AccessKey*`).
//! - <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html>
//!   — "You can use wildcard characters (* and ?) within the individual segments of an ARN";
//!   "If the * wildcard is the last character of a resource ARN segment, it can expand to
//!   match beyond the colon boundaries"; `arn:aws:s3:::bucket/*/test/*`; "In the Resource
//!   element, the IAM user name is case sensitive".
//! - <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notaction.html>
//!   (IAM-UG `reference_policies_elements_notaction.md`) — `NotAction` with `Allow` allows
//!   everything not listed, within the statement's resource scope; with `Deny` it denies
//!   everything not listed.
//! - <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html>
//!   — the ARN-operator example: pattern `arn:aws:someservice:*:111122223333:finance/*`
//!   against `arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:finance/document.txt`:
//!   `StringLike` matches, `ArnLike` does not (each ARN component is matched separately).

use orgctl_eval::{Layer, Outcome, PolicySet};

use crate::support::{ALICE, assert_decision, condition_holds, ctx, identity_only, one, req, stmt};

/// Whether an identity policy with one `Allow` of `action` on `resource` allows the request.
fn allows(action: &str, resource: &str, req_action: &str, req_resource: &str) -> bool {
    let doc = format!(
        r#"{{"Version":"2012-10-17","Statement":{{"Effect":"Allow","Action":{},"Resource":{}}}}}"#,
        serde_json::to_string(action).unwrap(),
        serde_json::to_string(resource).unwrap()
    );
    let set = identity_only(&[("p", &doc)]);
    set.decide(&req(ALICE, req_action, req_resource)).outcome == Outcome::Allow
}

/// (policy action, request action, matches)
#[rustfmt::skip]
const ACTIONS: &[(&str, &str, bool)] = &[
    ("iam:ListAccessKeys", "iam:ListAccessKeys", true),
    // Case-insensitive prefix and name, in the policy and in the request.
    ("IAM:listaccesskeys", "iam:ListAccessKeys", true),
    ("iam:ListAccessKeys", "IAM:LISTACCESSKEYS", true),
    ("iam:ListAccessKeys", "iam:ListAccessKey", false),
    // `*` anywhere in the name.
    ("iam:*AccessKey*", "iam:CreateAccessKey", true),
    ("iam:*AccessKey*", "iam:ListAccessKeys", true),
    ("iam:*AccessKey*", "iam:UpdateAccessKey", true),
    ("iam:*AccessKey*", "iam:ListUsers", false),
    ("iam:*AccessKey*", "s3:CreateAccessKey", false),
    // `?` is exactly one character.
    ("s3:Get?bject", "s3:GetObject", true),
    ("s3:Get?bject", "s3:Getbject", false),
    ("s3:Get?bject", "s3:GetObjectAcl", false),
    ("ec2:Describe*", "ec2:describeinstances", true),
    ("iam:Get*", "iam:ListUsers", false),
    // The service prefix is matched whole: `s3:*` is not `s3express:*`.
    ("s3:*", "s3:GetObject", true),
    ("s3:*", "s3express:CreateSession", false),
    ("*", "anything:AtAll", true),
];

#[test]
fn action_matching() {
    for &(pattern, action, expected) in ACTIONS {
        assert_eq!(
            allows(pattern, "*", action, "*"),
            expected,
            "Action {pattern} vs {action}"
        );
    }
}

/// (policy resource, request resource, matches)
#[rustfmt::skip]
const RESOURCES: &[(&str, &str, bool)] = &[
    ("arn:aws:s3:::bucket/key", "arn:aws:s3:::bucket/key", true),
    // Resource ARNs are case-sensitive.
    ("arn:aws:s3:::Bucket/key", "arn:aws:s3:::bucket/key", false),
    ("arn:aws:iam::111122223333:user/Bob", "arn:aws:iam::111122223333:user/bob", false),
    // Whole-string match.
    ("arn:aws:s3:::bucket", "arn:aws:s3:::bucket/key", false),
    ("arn:aws:s3:::bucket*", "arn:aws:s3:::bucket/key", true),
    // The doc's `arn:aws:s3:::bucket/*/test/*`: `*` crosses `/`.
    ("arn:aws:s3:::bucket/*/test/*", "arn:aws:s3:::bucket/a/test/b", true),
    ("arn:aws:s3:::bucket/*/test/*", "arn:aws:s3:::bucket/a/b/test/c/d", true),
    ("arn:aws:s3:::bucket/*/test/*", "arn:aws:s3:::bucket/test/b", false),
    ("arn:aws:s3:::bucket/*/test/*", "arn:aws:s3:::other/a/test/b", false),
    ("arn:aws:s3:::bucket/file?.txt", "arn:aws:s3:::bucket/file1.txt", true),
    ("arn:aws:s3:::bucket/file?.txt", "arn:aws:s3:::bucket/file12.txt", false),
    // Wildcards within segments.
    ("arn:aws:ec2:*:111122223333:instance/*", "arn:aws:ec2:eu-west-1:111122223333:instance/i-1", true),
    ("arn:aws:ec2:*:111122223333:instance/*", "arn:aws:ec2:eu-west-1:444455556666:instance/i-1", false),
    ("arn:aws:ec2:us-*-1:111122223333:instance/*", "arn:aws:ec2:us-east-1:111122223333:instance/i-1", true),
    ("arn:aws:ec2:us-*-1:111122223333:instance/*", "arn:aws:ec2:us-east-2:111122223333:instance/i-1", false),
    // A `*` that ends a segment may expand beyond colons.
    ("arn:aws:logs:us-east-1:111122223333:*", "arn:aws:logs:us-east-1:111122223333:log-group:g:log-stream:s", true),
    ("arn:aws:logs:*", "arn:aws:logs:us-east-1:111122223333:log-group:g", true),
    ("*", "arn:aws:s3:::anything", true),
];

#[test]
fn resource_matching() {
    for &(pattern, resource, expected) in RESOURCES {
        assert_eq!(
            allows("s3:GetObject", pattern, "s3:GetObject", resource),
            expected,
            "Resource {pattern} vs {resource}"
        );
    }
}

/// The condition operators page's example, verbatim.
#[test]
fn string_like_versus_arn_like_doc_example() {
    let pattern = "arn:aws:someservice:*:111122223333:finance/*";
    let value =
        "arn:aws:someservice:us-east-2:999999999999:store/abc:111122223333:finance/document.txt";
    let c = || ctx(&[("aws:SourceArn", one(value))]);
    let cond = |op: &str| format!(r#"{{"{op}":{{"aws:SourceArn":"{pattern}"}}}}"#);
    // StringLike: `*` runs across colons: matches.
    assert!(condition_holds(&cond("StringLike"), c()));
    // ArnLike: the first `*` may only match the region component: no match.
    assert!(!condition_holds(&cond("ArnLike"), c()));
    assert!(!condition_holds(&cond("ArnEquals"), c()));
    // Their negations.
    assert!(!condition_holds(&cond("StringNotLike"), c()));
    assert!(condition_holds(&cond("ArnNotLike"), c()));
}

fn set_of(json: &str) -> PolicySet {
    identity_only(&[("p", json)])
}

/// `NotAction` with `Allow`: everything not listed, within the statement's resources.
#[test]
fn not_action_with_allow() {
    let set = set_of(
        r#"{"Version":"2012-10-17","Statement":[
            {"Effect":"Allow","NotAction":"iam:*","Resource":"*"},
            {"Effect":"Allow","NotAction":["s3:*","sqs:*"],"Resource":"arn:aws:sns:us-east-1:111122223333:alerts"}]}"#,
    );
    // (action, resource, outcome)
    #[rustfmt::skip]
    let rows = [
        ("s3:GetObject", "arn:aws:s3:::bucket/k", Outcome::Allow),
        ("ec2:RunInstances", "*", Outcome::Allow),
        ("iam:CreateUser", "*", Outcome::ImplicitDeny),
        ("IAM:createuser", "*", Outcome::ImplicitDeny),
    ];
    for (action, resource, expected) in rows {
        assert_eq!(
            set.decide(&req(ALICE, action, resource)).outcome,
            expected,
            "{action}"
        );
    }
    // The second statement alone: only within its resource scope.
    let scoped = set_of(
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","NotAction":["s3:*","sqs:*"],
            "Resource":"arn:aws:sns:us-east-1:111122223333:alerts"}}"#,
    );
    #[rustfmt::skip]
    let rows = [
        ("sns:Publish", "arn:aws:sns:us-east-1:111122223333:alerts", Outcome::Allow),
        ("sns:Publish", "arn:aws:sns:us-east-1:111122223333:other", Outcome::ImplicitDeny),
        ("sqs:SendMessage", "arn:aws:sns:us-east-1:111122223333:alerts", Outcome::ImplicitDeny),
    ];
    for (action, resource, expected) in rows {
        assert_eq!(
            scoped.decide(&req(ALICE, action, resource)).outcome,
            expected,
            "{action} on {resource}"
        );
    }
}

/// `NotAction` with `Deny`: denies everything not listed.
#[test]
fn not_action_with_deny() {
    let set = set_of(
        r#"{"Version":"2012-10-17","Statement":[
            {"Effect":"Allow","Action":"*","Resource":"*"},
            {"Effect":"Deny","NotAction":["iam:*","organizations:Describe*"],"Resource":"*"}]}"#,
    );
    let d = set.decide(&req(ALICE, "s3:GetObject", "arn:aws:s3:::b/k"));
    assert_decision(&d, Outcome::ExplicitDeny, &[stmt(Layer::Identity, 0, 0, 1)]);
    for action in [
        "iam:ListUsers",
        "organizations:DescribeOrganization",
        "ORGANIZATIONS:describeaccount",
    ] {
        let d = set.decide(&req(ALICE, action, "*"));
        assert_decision(&d, Outcome::Allow, &[stmt(Layer::Identity, 0, 0, 0)]);
    }
}

/// `NotResource`: the statement applies to every resource not listed.
#[test]
fn not_resource() {
    let allow = set_of(
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject",
            "NotResource":"arn:aws:s3:::secret/*"}}"#,
    );
    assert_eq!(
        allow
            .decide(&req(ALICE, "s3:GetObject", "arn:aws:s3:::public/x"))
            .outcome,
        Outcome::Allow
    );
    assert_eq!(
        allow
            .decide(&req(ALICE, "s3:GetObject", "arn:aws:s3:::secret/x"))
            .outcome,
        Outcome::ImplicitDeny
    );
    let deny = set_of(
        r#"{"Version":"2012-10-17","Statement":[
            {"Effect":"Allow","Action":"s3:*","Resource":"*"},
            {"Effect":"Deny","Action":"s3:*","NotResource":["arn:aws:s3:::ours","arn:aws:s3:::ours/*"]}]}"#,
    );
    // (resource, outcome)
    #[rustfmt::skip]
    let rows = [
        ("arn:aws:s3:::ours", Outcome::Allow),
        ("arn:aws:s3:::ours/k", Outcome::Allow),
        ("arn:aws:s3:::theirs/k", Outcome::ExplicitDeny),
        // NotResource matching is case-sensitive too.
        ("arn:aws:s3:::Ours/k", Outcome::ExplicitDeny),
    ];
    for (resource, expected) in rows {
        assert_eq!(
            deny.decide(&req(ALICE, "s3:GetObject", resource)).outcome,
            expected,
            "{resource}"
        );
    }
}

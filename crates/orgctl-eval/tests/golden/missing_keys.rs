//! A condition key missing from the request context, under every operator.
//!
//! Encodes:
//! - <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html>
//!   — "If the key that you specify in a policy condition is not present in the request
//!   context, the values do not match and the condition is *false*. If the policy condition
//!   requires that the key is *not* matched, such as `StringNotLike` or `ArnNotLike`, and the
//!   right key is not present, the condition is *true*. This logic applies to all condition
//!   operators except ...IfExists and Null check." ("Missing key" below.) The `...IfExists`
//!   section: "If the key is not present, evaluate the condition element as true" ("IfExists"
//!   below). The `Null` section: `true` means the key is absent, `false` that it is present.
//! - <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html>
//!   — `aws:MultiFactorAuthPresent` is absent with long-term credentials; `Deny` + `Bool`
//!   `"false"` therefore does not deny such calls, `BoolIfExists` does.

use orgctl_eval::{Layer, Outcome};

use crate::support::{
    ABSENT, ALICE, Row, assert_decision, check_rows, compile, ctx, identity_only, one, request,
    stmt,
};

/// A key the request context does not carry (nor do the keys `Request::new` derives).
const KEY: &str = "ex:Missing";

const B64: &str = "QmluYXJ5VmFsdWVJbkJhc2U2NA==";
const DATE: &str = "2020-01-01T00:00:00Z";

/// Every base operator with the key absent.
#[rustfmt::skip]
const MISSING: &[Row] = &[
    // Missing key: positive operators are false.
    ("StringEquals", &["x"], ABSENT, false),
    ("StringEqualsIgnoreCase", &["x"], ABSENT, false),
    ("StringLike", &["*"], ABSENT, false),
    ("NumericEquals", &["10"], ABSENT, false),
    ("NumericLessThan", &["10"], ABSENT, false),
    ("NumericLessThanEquals", &["10"], ABSENT, false),
    ("NumericGreaterThan", &["10"], ABSENT, false),
    ("NumericGreaterThanEquals", &["10"], ABSENT, false),
    ("DateEquals", &[DATE], ABSENT, false),
    ("DateLessThan", &[DATE], ABSENT, false),
    ("DateLessThanEquals", &[DATE], ABSENT, false),
    ("DateGreaterThan", &[DATE], ABSENT, false),
    ("DateGreaterThanEquals", &[DATE], ABSENT, false),
    ("Bool", &["true"], ABSENT, false),
    ("Bool", &["false"], ABSENT, false),
    ("BinaryEquals", &[B64], ABSENT, false),
    ("IpAddress", &["0.0.0.0/0"], ABSENT, false),
    ("ArnEquals", &["arn:aws:iam::111122223333:role/x"], ABSENT, false),
    ("ArnLike", &["*"], ABSENT, false),
    // Missing key: negated operators ("requires that the key is not matched") are true.
    ("StringNotEquals", &["x"], ABSENT, true),
    ("StringNotEqualsIgnoreCase", &["x"], ABSENT, true),
    ("StringNotLike", &["*"], ABSENT, true),
    ("NumericNotEquals", &["10"], ABSENT, true),
    ("DateNotEquals", &[DATE], ABSENT, true),
    ("NotIpAddress", &["0.0.0.0/0"], ABSENT, true),
    ("ArnNotEquals", &["arn:aws:iam::111122223333:role/x"], ABSENT, true),
    ("ArnNotLike", &["*"], ABSENT, true),
    // Null: "true" asks for the key to be absent, "false" for it to be present.
    ("Null", &["true"], ABSENT, true),
    ("Null", &["false"], ABSENT, false),
];

/// Every `...IfExists` operator with the key absent: true, positive or negated.
#[rustfmt::skip]
const MISSING_IF_EXISTS: &[Row] = &[
    // IfExists: "If the key is not present, evaluate the condition element as true".
    ("StringEqualsIfExists", &["x"], ABSENT, true),
    ("StringNotEqualsIfExists", &["x"], ABSENT, true),
    ("StringEqualsIgnoreCaseIfExists", &["x"], ABSENT, true),
    ("StringNotEqualsIgnoreCaseIfExists", &["x"], ABSENT, true),
    ("StringLikeIfExists", &["x*"], ABSENT, true),
    ("StringNotLikeIfExists", &["x*"], ABSENT, true),
    ("NumericEqualsIfExists", &["10"], ABSENT, true),
    ("NumericNotEqualsIfExists", &["10"], ABSENT, true),
    ("NumericLessThanIfExists", &["10"], ABSENT, true),
    ("NumericLessThanEqualsIfExists", &["10"], ABSENT, true),
    ("NumericGreaterThanIfExists", &["10"], ABSENT, true),
    ("NumericGreaterThanEqualsIfExists", &["10"], ABSENT, true),
    ("DateEqualsIfExists", &[DATE], ABSENT, true),
    ("DateNotEqualsIfExists", &[DATE], ABSENT, true),
    ("DateLessThanIfExists", &[DATE], ABSENT, true),
    ("DateLessThanEqualsIfExists", &[DATE], ABSENT, true),
    ("DateGreaterThanIfExists", &[DATE], ABSENT, true),
    ("DateGreaterThanEqualsIfExists", &[DATE], ABSENT, true),
    ("BoolIfExists", &["true"], ABSENT, true),
    ("BoolIfExists", &["false"], ABSENT, true),
    ("BinaryEqualsIfExists", &[B64], ABSENT, true),
    ("IpAddressIfExists", &["203.0.113.0/24"], ABSENT, true),
    ("NotIpAddressIfExists", &["203.0.113.0/24"], ABSENT, true),
    ("ArnEqualsIfExists", &["arn:aws:iam::111122223333:role/x"], ABSENT, true),
    ("ArnLikeIfExists", &["arn:aws:iam::*:role/*"], ABSENT, true),
    ("ArnNotEqualsIfExists", &["arn:aws:iam::111122223333:role/x"], ABSENT, true),
    ("ArnNotLikeIfExists", &["arn:aws:iam::*:role/*"], ABSENT, true),
];

#[test]
fn missing_key_under_every_base_operator() {
    check_rows(KEY, MISSING);
}

#[test]
fn missing_key_under_every_if_exists_operator() {
    check_rows(KEY, MISSING_IF_EXISTS);
}

/// The same key present under `Null` (the counterpart of the two `Null` rows above).
#[test]
fn null_with_the_key_present() {
    check_rows(
        "aws:TokenIssueTime",
        &[
            // Null section: `true` — the key is absent; it is present, so false.
            ("Null", &["true"], one("2024-05-01T12:00:00Z"), false),
            // Null section: `false` — the key exists and its value is not null.
            ("Null", &["false"], one("2024-05-01T12:00:00Z"), true),
        ],
    );
}

const DENY_WITHOUT_MFA_BOOL: &str = r#"{"Version":"2012-10-17","Statement":[
    {"Effect":"Allow","Action":"*","Resource":"*"},
    {"Effect":"Deny","Action":"*","Resource":"*",
     "Condition":{"Bool":{"aws:MultiFactorAuthPresent":"false"}}}]}"#;

const DENY_WITHOUT_MFA_BOOL_IF_EXISTS: &str = r#"{"Version":"2012-10-17","Statement":[
    {"Effect":"Allow","Action":"*","Resource":"*"},
    {"Effect":"Deny","Action":"*","Resource":"*",
     "Condition":{"BoolIfExists":{"aws:MultiFactorAuthPresent":"false"}}}]}"#;

/// `aws:MultiFactorAuthPresent`: with long-term credentials the key is absent, so the `Bool`
/// condition is false and the `Deny` does not apply; with `BoolIfExists` it does.
#[test]
fn mfa_bool_does_not_deny_long_term_credentials_bool_if_exists_does() {
    // (policy, MFA key in the request, expected outcome)
    #[rustfmt::skip]
    let rows = [
        // Condition keys page: key absent (long-term access key) => Bool "false" is false:
        // the Deny does not apply.
        (DENY_WITHOUT_MFA_BOOL, ABSENT, Outcome::Allow),
        // Temporary credentials without MFA carry "false": the Deny applies.
        (DENY_WITHOUT_MFA_BOOL, one("false"), Outcome::ExplicitDeny),
        (DENY_WITHOUT_MFA_BOOL, one("true"), Outcome::Allow),
        // The recommended BoolIfExists denies when the key is absent as well.
        (DENY_WITHOUT_MFA_BOOL_IF_EXISTS, ABSENT, Outcome::ExplicitDeny),
        (DENY_WITHOUT_MFA_BOOL_IF_EXISTS, one("false"), Outcome::ExplicitDeny),
        (DENY_WITHOUT_MFA_BOOL_IF_EXISTS, one("true"), Outcome::Allow),
    ];
    for (policy, mfa, expected) in rows {
        let set = identity_only(&[("mfa", policy)]);
        let r = request(
            ALICE,
            "iam:ListUsers",
            "*",
            None,
            ctx(&[("aws:MultiFactorAuthPresent", mfa)]),
        );
        let d = set.decide(&r);
        assert_eq!(d.outcome, expected, "{mfa:?} under {policy}");
        if expected == Outcome::ExplicitDeny {
            assert_decision(&d, expected, &[stmt(Layer::Identity, 0, 0, 1)]);
        }
    }
}

/// IfExists section: "If you are using an "Effect": "Deny" element with a negated condition
/// operator like `StringNotEqualsIfExists`, the request is still denied even if the tag is
/// missing."
#[test]
fn deny_with_negated_if_exists_denies_when_the_key_is_missing() {
    let policy = compile(
        "deny",
        r#"{"Version":"2012-10-17","Statement":[
            {"Effect":"Allow","Action":"*","Resource":"*"},
            {"Effect":"Deny","Action":"ec2:RunInstances","Resource":"*",
             "Condition":{"StringNotEqualsIfExists":{"aws:RequestTag/env":"prod"}}}]}"#,
    );
    let set = orgctl_eval::PolicySet {
        identity: vec![policy],
        ..orgctl_eval::PolicySet::default()
    };
    for (tag, expected) in [
        (ABSENT, Outcome::ExplicitDeny),
        (one("dev"), Outcome::ExplicitDeny),
        (one("prod"), Outcome::Allow),
    ] {
        let r = request(
            ALICE,
            "ec2:RunInstances",
            "*",
            None,
            ctx(&[("aws:RequestTag/env", tag)]),
        );
        assert_eq!(set.decide(&r).outcome, expected, "tag {tag:?}");
    }
}

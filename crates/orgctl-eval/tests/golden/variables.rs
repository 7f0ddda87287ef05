//! Policy variables: in `Resource` and in condition values, the `${*}`, `${?}`, `${$}`
//! escapes, defaults, variables without a value, and policies where `${...}` is plain text.
//!
//! Encodes:
//! - <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html>
//!   (IAM-UG `reference_policies_variables.md`) — `${key}` is replaced by the request's value;
//!   key names in variables are case-insensitive; `${*}`, `${?}`, `${$}` stand for literal
//!   `*`, `?`, `$`; a default is written `${aws:PrincipalTag/team, 'company-wide'}`; for a
//!   variable with no value, "StringEquals or StringLike do not match ... Inverted condition
//!   operators like StringNotEquals or StringNotLike do match against a null value", and in
//!   `Resource` it will not match any resource.
//! - <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_version.html>
//!   (IAM-UG `reference_policies_elements_version.md`) — variables need `"Version":
//!   "2012-10-17"`; otherwise "variables like ${aws:username} are treated as literal strings".

use orgctl_eval::{Outcome, PolicySet};

use crate::support::{
    ABSENT, ACCOUNT, ALICE, ROLE_SESSION, Val, condition_json, ctx, identity_only, one, request,
};

/// Whether `policy` (identity) allows `principal` to get `resource` with `context`.
fn allows(set: &PolicySet, principal: &str, resource: &str, context: &[(&str, Val)]) -> bool {
    let r = request(
        principal,
        "s3:GetObject",
        resource,
        Some(ACCOUNT),
        ctx(context),
    );
    set.decide(&r).outcome == Outcome::Allow
}

/// The outcome for one condition `(operator, key, values)` in an identity `Allow`, for
/// `principal` with `context`.
fn condition_allows(
    principal: &str,
    op: &str,
    key: &str,
    values: &[&str],
    context: &[(&str, Val)],
) -> bool {
    let doc = format!(
        r#"{{"Version":"2012-10-17","Statement":{{"Effect":"Allow","Action":"*","Resource":"*","Condition":{}}}}}"#,
        condition_json(op, key, values)
    );
    allows(
        &identity_only(&[("p", &doc)]),
        principal,
        "arn:aws:s3:::bucket/k",
        context,
    )
}

const HOME: &str = r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject",
    "Resource":"arn:aws:s3:::bucket/home/${aws:username}/*"}}"#;

#[test]
fn username_in_resource() {
    let set = identity_only(&[("home", HOME)]);
    // (principal, resource, allowed)
    #[rustfmt::skip]
    let rows = [
        // `${aws:username}` is replaced by the requester's user name.
        (ALICE, "arn:aws:s3:::bucket/home/alice/doc.txt", true),
        (ALICE, "arn:aws:s3:::bucket/home/alice/a/b", true),
        (ALICE, "arn:aws:s3:::bucket/home/bob/doc.txt", false),
        ("arn:aws:iam::111122223333:user/bob", "arn:aws:s3:::bucket/home/bob/doc.txt", true),
        // Resource matching stays case-sensitive after substitution.
        (ALICE, "arn:aws:s3:::bucket/home/Alice/doc.txt", false),
        // The text is substituted, not matched literally.
        (ALICE, "arn:aws:s3:::bucket/home/${aws:username}/doc.txt", false),
        // A role session has no `aws:username`: a no-value variable in Resource "will not
        // match any resource".
        (ROLE_SESSION, "arn:aws:s3:::bucket/home/alice/doc.txt", false),
        (ROLE_SESSION, "arn:aws:s3:::bucket/home//doc.txt", false),
        (ROLE_SESSION, "arn:aws:s3:::bucket/home/${aws:username}/doc.txt", false),
    ];
    for (principal, resource, expected) in rows {
        assert_eq!(
            allows(&set, principal, resource, &[]),
            expected,
            "{principal} {resource}"
        );
    }
}

#[test]
fn variable_key_names_are_case_insensitive() {
    let set = identity_only(&[(
        "home",
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject",
            "Resource":"arn:aws:s3:::bucket/home/${AWS:UserName}/*"}}"#,
    )]);
    assert!(allows(&set, ALICE, "arn:aws:s3:::bucket/home/alice/x", &[]));
    assert!(!allows(&set, ALICE, "arn:aws:s3:::bucket/home/bob/x", &[]));
}

#[test]
fn username_in_condition_values() {
    // (operator, policy value, s3:prefix in the request, holds) — requester alice.
    #[rustfmt::skip]
    let rows: &[(&str, &str, Val, bool)] = &[
        ("StringEquals", "home/${aws:username}/", one("home/alice/"), true),
        ("StringEquals", "home/${aws:username}/", one("home/bob/"), false),
        ("StringLike", "home/${aws:username}/*", one("home/alice/photos/"), true),
        ("StringLike", "home/${aws:username}/*", one("home/bob/photos/"), false),
        ("StringNotEquals", "home/${aws:username}/", one("home/alice/"), false),
        ("StringNotEquals", "home/${aws:username}/", one("home/bob/"), true),
        ("StringNotLike", "home/${aws:username}/*", one("home/alice/x"), false),
        ("StringNotLike", "home/${aws:username}/*", one("home/bob/x"), true),
        ("StringEqualsIgnoreCase", "HOME/${aws:username}/", one("home/ALICE/"), true),
        // Missing condition key: the usual missing-key rule, variable or not.
        ("StringEquals", "home/${aws:username}/", ABSENT, false),
    ];
    for &(op, value, prefix, expected) in rows {
        assert_eq!(
            condition_allows(ALICE, op, "s3:prefix", &[value], &[("s3:prefix", prefix)]),
            expected,
            "{op} {value} vs {prefix:?}"
        );
    }
}

/// Variables in ARN operators (string and ARN operators take variables).
#[test]
fn variables_in_arn_operator_values() {
    let value = "arn:aws:iam::${aws:PrincipalAccount}:role/*";
    let k = "aws:SourceArn";
    assert!(condition_allows(
        ALICE,
        "ArnLike",
        k,
        &[value],
        &[(k, one("arn:aws:iam::111122223333:role/x"))]
    ));
    assert!(!condition_allows(
        ALICE,
        "ArnLike",
        k,
        &[value],
        &[(k, one("arn:aws:iam::444455556666:role/x"))]
    ));
}

/// A variable with no value (a role session has no `aws:username`): positive string operators
/// do not match, inverted ones do; the condition key itself is present.
#[test]
fn variable_without_value_in_conditions() {
    let prefix = [("s3:prefix", one("home/alice/"))];
    // (operator, policy value, holds)
    #[rustfmt::skip]
    let rows = [
        ("StringEquals", "home/${aws:username}/", false),
        ("StringLike", "home/${aws:username}*", false),
        ("StringLike", "*${aws:username}*", false),
        ("StringNotEquals", "home/${aws:username}/", true),
        ("StringNotLike", "home/${aws:username}*", true),
    ];
    for (op, value, expected) in rows {
        assert_eq!(
            condition_allows(ROLE_SESSION, op, "s3:prefix", &[value], &prefix),
            expected,
            "{op} {value}"
        );
    }
}

/// `${*}`, `${?}` and `${$}` are the literal characters, also where `*` and `?` would be
/// wildcards.
#[test]
fn escapes_for_special_characters() {
    let k = "ex:name";
    // (operator, policy value, request value, holds)
    #[rustfmt::skip]
    let rows = [
        ("StringLike", "a${*}b", "a*b", true),
        ("StringLike", "a${*}b", "axb", false),
        ("StringLike", "a${?}", "a?", true),
        ("StringLike", "a${?}", "ab", false),
        ("StringLike", "cost${$}", "cost$", true),
        ("StringLike", "*${*}", "any*", true),
        ("StringLike", "*${*}", "any", false),
        ("StringEquals", "${$}{aws:username}", "${aws:username}", true),
        ("StringEquals", "${$}{aws:username}", "alice", false),
    ];
    for (op, value, got, expected) in rows {
        assert_eq!(
            condition_allows(ALICE, op, k, &[value], &[(k, one(got))]),
            expected,
            "{op} {value} vs {got}"
        );
    }
    // In Resource: `${*}` is a literal star, not a wildcard.
    let set = identity_only(&[(
        "star",
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject",
            "Resource":"arn:aws:s3:::bucket/${*}"}}"#,
    )]);
    assert!(allows(&set, ALICE, "arn:aws:s3:::bucket/*", &[]));
    assert!(!allows(&set, ALICE, "arn:aws:s3:::bucket/x", &[]));
}

/// The doc's default-value example:
/// `arn:aws:s3:::DOC-EXAMPLE-BUCKET-${aws:PrincipalTag/team, 'company-wide'}`.
#[test]
fn default_values() {
    let set = identity_only(&[(
        "team-bucket",
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject",
            "Resource":"arn:aws:s3:::DOC-EXAMPLE-BUCKET-${aws:PrincipalTag/team, 'company-wide'}"}}"#,
    )]);
    // (team tag, resource, allowed)
    #[rustfmt::skip]
    let rows = [
        (ABSENT, "arn:aws:s3:::DOC-EXAMPLE-BUCKET-company-wide", true),
        (ABSENT, "arn:aws:s3:::DOC-EXAMPLE-BUCKET-red", false),
        (one("red"), "arn:aws:s3:::DOC-EXAMPLE-BUCKET-red", true),
        (one("red"), "arn:aws:s3:::DOC-EXAMPLE-BUCKET-company-wide", false),
    ];
    for (team, resource, expected) in rows {
        assert_eq!(
            allows(
                &set,
                ROLE_SESSION,
                resource,
                &[("aws:PrincipalTag/team", team)]
            ),
            expected,
            "{team:?} {resource}"
        );
    }
    // A default in a condition value.
    let k = "s3:prefix";
    let v = "${aws:PrincipalTag/team, 'shared'}/*";
    assert!(condition_allows(
        ROLE_SESSION,
        "StringLike",
        k,
        &[v],
        &[(k, one("shared/x"))]
    ));
    assert!(!condition_allows(
        ROLE_SESSION,
        "StringLike",
        k,
        &[v],
        &[(k, one("red/x"))]
    ));
}

/// Without `"Version": "2012-10-17"` (missing, or `2008-10-17`) `${...}` is literal text.
#[test]
fn variables_are_literal_text_without_the_2012_version() {
    for version in ["", r#""Version":"2008-10-17","#] {
        let set = identity_only(&[(
            "old",
            &format!(
                r#"{{{version}"Statement":{{"Effect":"Allow","Action":"s3:GetObject",
                    "Resource":"arn:aws:s3:::bucket/home/${{aws:username}}/*",
                    "Condition":{{"StringEquals":{{"s3:prefix":"${{aws:username}}"}}}}}}}}"#
            ),
        )]);
        let literal = [("s3:prefix", one("${aws:username}"))];
        let substituted = [("s3:prefix", one("alice"))];
        // (resource, s3:prefix, allowed)
        #[rustfmt::skip]
        let rows = [
            ("arn:aws:s3:::bucket/home/${aws:username}/x", &literal, true),
            ("arn:aws:s3:::bucket/home/alice/x", &literal, false),
            ("arn:aws:s3:::bucket/home/${aws:username}/x", &substituted, false),
        ];
        for (resource, prefix, expected) in rows {
            assert_eq!(
                allows(&set, ALICE, resource, prefix),
                expected,
                "version {version:?}: {resource} {prefix:?}"
            );
        }
    }
    // The same document with 2012-10-17 substitutes.
    let set = identity_only(&[("new", HOME)]);
    assert!(allows(&set, ALICE, "arn:aws:s3:::bucket/home/alice/x", &[]));
}

//! Regression tests for the known deviations of iam-simulate from the AWS documentation
//! (docs/difftest.md). Each runs a minimal batch line through orgctl's library and asserts
//! orgctl's documented answer; when the oracle is installed (scripts/setup-oracles) it also
//! asserts that iam-simulate still answers differently, so the list stays true. Where the
//! difference is reproduced by the classifier, the test checks that too.

#![allow(
    clippy::unwrap_used,
    clippy::panic,
    clippy::print_stderr,
    reason = "test helpers outside #[test] functions"
)]

use orgctl_difftest::deviations;
use orgctl_difftest::oracle::{self, Answer};
use orgctl_eval::Outcome;
use serde_json::{Value, json};

const USER: &str = "arn:aws:iam::111122223333:user/alice";
const ROLE_SESSION: &str = "arn:aws:sts::111122223333:assumed-role/Dev/alice";
const OBJECT: &str = "arn:aws:s3:::app-data/report.csv";

fn allow_all() -> Value {
    json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "*", "Resource": "*"}]})
}

/// An identity policy allowing everything under `condition`.
fn allow_if(condition: &Value) -> Value {
    json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "*", "Resource": "*", "Condition": condition}]})
}

/// A same-account request of `principal` with the context keys AWS always supplies.
fn line(principal: &str, action: &str, resource: &str, extra: &Value) -> Value {
    let mut ctx = serde_json::Map::new();
    let b = deviations::parse_line(
        &json!({"principal": principal, "action": action, "resource": resource,
            "resource_account": "111122223333"})
        .to_string(),
    )
    .unwrap();
    for (k, v) in b.request.full_context().iter() {
        if let orgctl_eval::ContextValue::Single(s) = v {
            ctx.insert(k.to_owned(), json!(s));
        }
    }
    let mut l = json!({"id": 0, "principal": principal, "action": action,
        "resource": resource, "resource_account": "111122223333"});
    for (k, v) in extra.as_object().unwrap() {
        if k == "context" {
            for (ck, cv) in v.as_object().unwrap() {
                ctx.insert(ck.clone(), cv.clone());
            }
        } else {
            l[k] = v.clone();
        }
    }
    l["context"] = Value::Object(ctx);
    l
}

/// Asserts orgctl's answer, the oracle's (when installed) and, with `reproduced_by`, that the
/// classifier explains the difference by that deviation.
fn check(l: &Value, orgctl: Outcome, iam_simulate: Outcome, reproduced_by: Option<&str>) {
    assert_ne!(orgctl, iam_simulate);
    let text = l.to_string();
    let b = deviations::parse_line(&text).unwrap();
    assert_eq!(
        b.policies.decide(&b.request).outcome,
        orgctl,
        "orgctl on {text}"
    );
    if let Some(name) = reproduced_by {
        let e = deviations::classify(&text, iam_simulate)
            .unwrap_or_else(|| panic!("not classified: {text}"));
        assert_eq!(e.deviations, [name], "{text}");
    }
    let script = oracle::default_script();
    if oracle::installed(&script) {
        let answers = oracle::run(&script, std::slice::from_ref(&text)).unwrap();
        assert_eq!(
            answers,
            [Answer::Decision(iam_simulate)],
            "iam-simulate on {text}"
        );
    } else {
        eprintln!("note: oracle not installed (scripts/setup-oracles); checked orgctl only");
    }
}

/// (a) IAM User Guide, policy variables, "Policy variables with no value"
/// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html#policy-vars-no-value):
/// "Inverted condition operators like StringNotEquals or StringNotLike do match against a
/// null value". iam-simulate: a policy value whose variable has no value never matches, so
/// the negated operator is false whenever the condition key itself is present.
#[test]
fn a_missing_variable_with_a_negated_operator() {
    // A role session has no aws:username.
    let l = line(
        ROLE_SESSION,
        "s3:GetObject",
        OBJECT,
        &json!({"identity_policies": [allow_if(&json!(
            {"StringNotEquals": {"aws:ResourceTag/owner": "${aws:username}"}}))],
            "context": {"aws:ResourceTag/owner": "alice"}}),
    );
    check(
        &l,
        Outcome::Allow,
        Outcome::ImplicitDeny,
        Some("a:missing-variable-negated-operator"),
    );
}

/// (b) Organizations User Guide, SCPs
/// (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html):
/// "SCPs do not affect any service-linked role." iam-simulate applies SCPs to every
/// principal.
#[test]
fn b_scps_do_not_affect_service_linked_roles() {
    let slr = "arn:aws:iam::111122223333:role/aws-service-role/support.amazonaws.com/AWSServiceRoleForSupport";
    let deny_all = json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Deny", "Action": "*", "Resource": "*"}]});
    let l = line(
        slr,
        "ec2:RunInstances",
        "arn:aws:ec2:us-east-1:111122223333:instance/i-0abc1234",
        &json!({"identity_policies": [allow_all()], "scps": [[allow_all(), deny_all]]}),
    );
    check(
        &l,
        Outcome::Allow,
        Outcome::ExplicitDeny,
        Some("b:slr-governed"),
    );
}

/// (b) Organizations User Guide, RCPs
/// (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps.html):
/// RCPs apply only to the resources of the services that support them (at launch Amazon S3,
/// AWS STS, AWS KMS, Amazon SQS and AWS Secrets Manager; orgctl keeps the list as data in
/// `RCP_SERVICES`, which has no ec2). iam-simulate applies RCPs to every service.
#[test]
fn b_rcps_apply_only_to_supported_services() {
    let rcp = json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Deny", "Principal": "*", "Action": "ec2:*", "Resource": "*"}]});
    let l = line(
        USER,
        "ec2:RunInstances",
        "arn:aws:ec2:us-east-1:111122223333:instance/i-0abc1234",
        &json!({"identity_policies": [allow_all()], "rcps": [[rcp]]}),
    );
    check(
        &l,
        Outcome::Allow,
        Outcome::ExplicitDeny,
        Some("b:rcp-all-services"),
    );
}

/// (c) IAM User Guide, condition operators, "...IfExists condition operators"
/// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_IfExists):
/// "If the key is not present, evaluate the condition element as true." iam-simulate:
/// `ForAnyValue:...IfExists` on a missing key is false.
#[test]
fn c_for_any_value_if_exists_on_a_missing_key() {
    let l = line(
        USER,
        "s3:GetObject",
        OBJECT,
        &json!({"identity_policies": [allow_if(&json!(
            {"ForAnyValue:StringEqualsIfExists": {"aws:TagKeys": "env"}}))]}),
    );
    check(
        &l,
        Outcome::Allow,
        Outcome::ImplicitDeny,
        Some("c:foranyvalue-ifexists-missing-key"),
    );
}

/// (d) IAM User Guide, single-valued vs multivalued context keys
/// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html):
/// "Multivalued context keys require a condition set operator." The documentation does not
/// say what a plain operator does with a multivalued key; orgctl lets a positive operator
/// match when some request value matches. iam-simulate: always false.
#[test]
fn d_plain_operator_on_a_multivalued_key() {
    let l = line(
        USER,
        "s3:GetObject",
        OBJECT,
        &json!({"identity_policies": [allow_if(&json!(
            {"StringEquals": {"aws:TagKeys": "env"}}))],
            "context": {"aws:TagKeys": ["env", "team"]}}),
    );
    check(
        &l,
        Outcome::Allow,
        Outcome::ImplicitDeny,
        Some("d:plain-operator-multivalued-key"),
    );
}

/// (e) IAM User Guide, condition operators, "IP address condition operators": `IpAddress`
/// matches "The specified IP address or range", a range written in CIDR notation, where a
/// /0 prefix (RFC 4632) covers every address. iam-simulate computes the IPv4 mask as
/// `-1 << 32`, which JavaScript reads as `-1 << 0`, so /0 matches only its own address.
#[test]
fn e_ipv4_slash_zero_matches_every_address() {
    let l = line(
        USER,
        "s3:GetObject",
        OBJECT,
        &json!({"identity_policies": [allow_if(&json!(
            {"IpAddress": {"aws:SourceIp": "0.0.0.0/0"}}))],
            "context": {"aws:SourceIp": "203.0.113.7"}}),
    );
    check(
        &l,
        Outcome::Allow,
        Outcome::ImplicitDeny,
        Some("e:ipv4-slash-zero"),
    );
}

/// (f) IAM User Guide: ARNs compare with case (condition operators page, ARN operators:
/// "Case-sensitive matching of the ARN"; the Resource element page: the IAM user name in a
/// Resource ARN "is case sensitive").
/// iam-simulate compares the partition, service, region and account fields of a Resource
/// without regard to case. The generator writes these fields in lower case.
#[test]
fn f_resource_arn_fields_are_case_sensitive() {
    let l = line(
        USER,
        "sqs:SendMessage",
        "arn:aws:sqs:us-east-1:111122223333:orders",
        &json!({"identity_policies": [{"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "sqs:*",
             "Resource": "arn:aws:sqs:US-EAST-1:111122223333:orders"}]}]}),
    );
    check(&l, Outcome::ImplicitDeny, Outcome::Allow, None);
}

/// (g) IAM User Guide, condition operators, "ARN condition operators": "Each of the six
/// colon-delimited components of the ARN is checked separately". The documentation does not
/// cover a value with fewer than six fields; orgctl lets `ArnLike "*"` match any ARN.
/// iam-simulate: never matches. The generator uses six-field ARN values only.
#[test]
fn g_arn_like_with_fewer_than_six_fields() {
    let l = line(
        USER,
        "s3:GetObject",
        OBJECT,
        &json!({"identity_policies": [allow_if(&json!(
            {"ArnLike": {"aws:SourceArn": "*"}}))],
            "context": {"aws:SourceArn": "arn:aws:sns:us-east-1:111122223333:topic-a"}}),
    );
    check(&l, Outcome::Allow, Outcome::ImplicitDeny, None);
}

/// (h) IAM User Guide, multivalued context keys: `ForAllValues` "returns true if there are
/// no keys in the request, or if the key values resolve to a null data set, such as an empty
/// string"; orgctl treats an empty set as absent for `Null` as well. iam-simulate: an empty
/// array is present. The generator never sends an empty set for a key a `Null` tests.
#[test]
fn h_null_with_an_empty_set() {
    let l = line(
        USER,
        "s3:GetObject",
        OBJECT,
        &json!({"identity_policies": [allow_if(&json!(
            {"Null": {"aws:TagKeys": "true"}}))],
            "context": {"aws:TagKeys": []}}),
    );
    check(
        &l,
        Outcome::Allow,
        Outcome::ImplicitDeny,
        Some("h:null-empty-set"),
    );
}

/// (i) IAM User Guide, policy variables, "Special characters": "`${*}` - use where you need
/// an `*` (asterisk) character." ... "These predefined policy variables can be used in any
/// string where you can use regular policy variables." iam-simulate leaves `${*}` as the
/// literal text `${*}` under `StringEquals`. The generator uses `${*}` under `StringLike`
/// only.
#[test]
fn i_escape_variable_in_string_equals() {
    let l = line(
        USER,
        "s3:ListBucket",
        "arn:aws:s3:::app-data",
        &json!({"identity_policies": [allow_if(&json!(
            {"StringEquals": {"s3:prefix": "public/${*}"}}))],
            "context": {"s3:prefix": "public/*"}}),
    );
    check(&l, Outcome::Allow, Outcome::ImplicitDeny, None);
}

/// (j) IAM User Guide, policy variables, "Condition element": "You can't use a policy
/// variable with other operators, such as Numeric, Date, Boolean, Binary, IP Address, or
/// Null operators." (The condition operators page says the opposite for Boolean: the
/// documentation contradicts itself; the generator never puts variables in `Bool`.) orgctl
/// reads `${...}` in `Bool` as no boolean: the condition never holds. iam-simulate resolves
/// the variable.
#[test]
fn j_variable_in_bool() {
    let l = line(
        USER,
        "s3:GetObject",
        OBJECT,
        &json!({"identity_policies": [allow_if(&json!(
            {"Bool": {"aws:SecureTransport": "${aws:ViaAWSService}"}}))],
            "context": {"aws:SecureTransport": "true", "aws:ViaAWSService": "true"}}),
    );
    check(&l, Outcome::ImplicitDeny, Outcome::Allow, None);
}

/// (l) IAM User Guide, policy evaluation logic, "Resource-based policies"
/// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html):
/// "IAM role session – Within the same account, resource-based policies that grant
/// permissions to an IAM role session ARN grant permissions directly to the assumed role
/// session. Permissions granted directly to a session are not limited by an implicit deny in
/// an identity-based policy, a permissions boundary, or session policy." iam-simulate
/// denies first whenever a session policy does not allow.
#[test]
fn l_session_policy_does_not_limit_a_grant_to_the_session() {
    let queue = "arn:aws:sqs:us-east-1:111122223333:orders";
    let resource_policy = json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": ROLE_SESSION},
         "Action": "sqs:SendMessage", "Resource": queue}]});
    let session = json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]});
    let l = line(
        ROLE_SESSION,
        "sqs:SendMessage",
        queue,
        &json!({"resource_policy": resource_policy, "session_policy": session}),
    );
    check(
        &l,
        Outcome::Allow,
        Outcome::ImplicitDeny,
        Some("l:session-policy-first"),
    );
}

/// (m) IAM User Guide, policy variables, "Resource element": "You can use a policy variable
/// in the Resource element, but only in the resource portion of the ARN", with the example
/// `"Resource": "arn:aws:sqs:us-east-2:*:${aws:username}-queue"`. iam-simulate splits the
/// resource type off at the first `/` or `:` of the resource field, which here lies inside
/// the variable, so the pattern never matches.
#[test]
fn m_variable_before_the_first_separator_of_the_resource() {
    let l = line(
        USER,
        "sqs:SendMessage",
        "arn:aws:sqs:us-east-2:111122223333:alice-queue",
        &json!({"identity_policies": [{"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "sqs:*",
             "Resource": "arn:aws:sqs:us-east-2:*:${aws:username}-queue"}]}]}),
    );
    check(
        &l,
        Outcome::Allow,
        Outcome::ImplicitDeny,
        Some("m:variable-in-resource-type"),
    );
}

/// (n) IAM User Guide, condition operators, "IP address condition operators": `NotIpAddress`
/// matches "All IP addresses except the specified IP address or range"; an IPv4 request
/// address is not the IPv6 address `2001:db8::1`. iam-simulate: a bare address (no
/// `/prefix`) of the other family makes `NotIpAddress` false (with a CIDR of the other
/// family it is true). The generator writes bare addresses under `IpAddress` only.
#[test]
fn n_not_ip_address_with_a_bare_address_of_the_other_family() {
    let l = line(
        USER,
        "s3:GetObject",
        OBJECT,
        &json!({"identity_policies": [allow_if(&json!(
            {"NotIpAddress": {"aws:SourceIp": "2001:db8::1"}}))],
            "context": {"aws:SourceIp": "203.0.113.7"}}),
    );
    check(
        &l,
        Outcome::Allow,
        Outcome::ImplicitDeny,
        Some("n:notipaddress-bare-other-family"),
    );
}

/// (o) IAM User Guide, policy variables, "Condition element": "You can use a policy variable
/// for Condition values in any condition that involves the string operators or the ARN
/// operators." iam-simulate splits an ARN value on every `:` before resolving variables;
/// `${aws:PrincipalAccount}` contains a `:`, so the value never matches. The generator puts
/// variables only in the resource field of ARN-operator values.
#[test]
fn o_variable_in_the_account_field_of_an_arn_condition() {
    let l = line(
        ROLE_SESSION,
        "s3:GetObject",
        OBJECT,
        &json!({"identity_policies": [allow_if(&json!(
            {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::${aws:PrincipalAccount}:role/*"}}))]}),
    );
    check(
        &l,
        Outcome::Allow,
        Outcome::ImplicitDeny,
        Some("o:variable-in-arn-condition-prefix"),
    );
}

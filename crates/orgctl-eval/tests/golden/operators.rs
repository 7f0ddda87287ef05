//! Every condition operator with the key present, matching and not matching; several values
//! for one key; several keys and several operators in one `Condition`.
//!
//! Encodes:
//! - <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html>
//!   — the operator tables: `StringEquals` "Exact matching, case sensitive",
//!   `StringEqualsIgnoreCase` "ignoring case", `StringLike` "Case-sensitive matching. The
//!   values can include multi-character match wildcards (*) and single-character match
//!   wildcards (?) anywhere in the string"; numeric operators on integers and decimals; date
//!   operators on "W3C implementations of the ISO 8601 date formats" or epoch (UNIX) time;
//!   `Bool` "true"/"false"; `BinaryEquals` against a base-64 value; `IpAddress` on IPv4 and
//!   IPv6 CIDR ranges (a bare address is a /32); ARN operators, where `ArnEquals` and
//!   `ArnLike` (and `ArnNotEquals` and `ArnNotLike`) "behave identically". The `...IfExists`
//!   section: when the key is present the operator behaves as its base operator (every table
//!   here also runs with `IfExists` appended).
//! - <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_multi-value-conditions.html>
//!   (IAM-UG `reference_policies_multi-value-conditions.md`) — several operators or several keys
//!   are AND-ed; several values for one key are OR-ed; "When multiple values are listed in a
//!   policy for negated matching condition operators such as StringNotEquals and
//!   DateNotEquals, the effective permissions work like a logical AND" (the value must match
//!   none).
//! - <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition.html>
//!   (IAM-UG `reference_policies_elements_condition.md`) — condition key names are not case
//!   sensitive (`aws:SourceIP` and `AWS:SourceIp` are the same key).

use crate::support::{Row, check_rows_and_if_exists, condition_holds, ctx, one};

/// String operators on a single-valued key.
#[rustfmt::skip]
const STRING: &[Row] = &[
    // StringEquals: exact, case-sensitive.
    ("StringEquals", &["red"], one("red"), true),
    ("StringEquals", &["red"], one("Red"), false),
    ("StringEquals", &["red"], one("reddish"), false),
    // StringEquals has no wildcards: `*` is a literal character.
    ("StringEquals", &["r*"], one("red"), false),
    ("StringEquals", &["r*"], one("r*"), true),
    // Several values for one key: OR.
    ("StringEquals", &["red", "blue"], one("blue"), true),
    ("StringEquals", &["red", "blue"], one("green"), false),
    // StringNotEquals: negated matching.
    ("StringNotEquals", &["red"], one("red"), false),
    ("StringNotEquals", &["red"], one("blue"), true),
    ("StringNotEquals", &["red"], one("Red"), true),
    // Negated operator with several values: AND — the value must match none.
    ("StringNotEquals", &["red", "blue"], one("blue"), false),
    ("StringNotEquals", &["red", "blue"], one("red"), false),
    ("StringNotEquals", &["red", "blue"], one("green"), true),
    // StringEqualsIgnoreCase: exact, ignoring case.
    ("StringEqualsIgnoreCase", &["Red"], one("rED"), true),
    ("StringEqualsIgnoreCase", &["Red"], one("red"), true),
    ("StringEqualsIgnoreCase", &["Red"], one("blue"), false),
    ("StringEqualsIgnoreCase", &["red", "blue"], one("BLUE"), true),
    // StringNotEqualsIgnoreCase: negated matching, ignoring case; AND over values.
    ("StringNotEqualsIgnoreCase", &["Red"], one("RED"), false),
    ("StringNotEqualsIgnoreCase", &["Red"], one("blue"), true),
    ("StringNotEqualsIgnoreCase", &["red", "blue"], one("BLUE"), false),
    ("StringNotEqualsIgnoreCase", &["red", "blue"], one("Green"), true),
    // StringLike: case-sensitive, `*` and `?` anywhere, matched against the whole string.
    ("StringLike", &["r*"], one("red"), true),
    ("StringLike", &["r*"], one("Red"), false),
    ("StringLike", &["*ed"], one("red"), true),
    ("StringLike", &["r?d"], one("red"), true),
    ("StringLike", &["r?d"], one("reed"), false),
    ("StringLike", &["red"], one("reddish"), false),
    ("StringLike", &["red"], one("a red"), false),
    ("StringLike", &["*red*"], one("a reddish"), true),
    // Several values: OR.
    ("StringLike", &["r*", "b*"], one("blue"), true),
    ("StringLike", &["r*", "b*"], one("green"), false),
    // StringNotLike: negated; AND over values.
    ("StringNotLike", &["r*"], one("red"), false),
    ("StringNotLike", &["r*"], one("blue"), true),
    ("StringNotLike", &["r*", "b*"], one("blue"), false),
    ("StringNotLike", &["r*", "b*"], one("green"), true),
];

#[test]
fn string_operators() {
    check_rows_and_if_exists("aws:PrincipalTag/team", STRING);
}

/// Numeric operators on integers and decimals.
#[rustfmt::skip]
const NUMERIC: &[Row] = &[
    ("NumericEquals", &["10"], one("10"), true),
    ("NumericEquals", &["10"], one("11"), false),
    ("NumericEquals", &["1.5"], one("1.5"), true),
    ("NumericEquals", &["1.5"], one("1.25"), false),
    // Several values: OR.
    ("NumericEquals", &["10", "20"], one("20"), true),
    ("NumericEquals", &["10", "20"], one("15"), false),
    ("NumericNotEquals", &["10"], one("10"), false),
    ("NumericNotEquals", &["10"], one("11"), true),
    // Negated with several values: AND.
    ("NumericNotEquals", &["10", "20"], one("20"), false),
    ("NumericNotEquals", &["10", "20"], one("15"), true),
    ("NumericLessThan", &["10"], one("9"), true),
    ("NumericLessThan", &["10"], one("10"), false),
    ("NumericLessThan", &["10"], one("11"), false),
    ("NumericLessThan", &["2.5"], one("2.49"), true),
    ("NumericLessThan", &["2.5"], one("2.5"), false),
    ("NumericLessThan", &["10"], one("-3"), true),
    ("NumericLessThanEquals", &["10"], one("10"), true),
    ("NumericLessThanEquals", &["10"], one("9.99"), true),
    ("NumericLessThanEquals", &["10"], one("10.01"), false),
    ("NumericGreaterThan", &["10"], one("11"), true),
    ("NumericGreaterThan", &["10"], one("10"), false),
    ("NumericGreaterThan", &["0.5"], one("0.75"), true),
    ("NumericGreaterThan", &["0.5"], one("0.25"), false),
    ("NumericGreaterThanEquals", &["10"], one("10"), true),
    ("NumericGreaterThanEquals", &["10"], one("9"), false),
    ("NumericGreaterThanEquals", &["10"], one("1000"), true),
];

#[test]
fn numeric_operators() {
    check_rows_and_if_exists("s3:max-keys", NUMERIC);
}

const NOON: &str = "2019-07-16T12:00:00Z";

/// Date operators: ISO 8601 with `Z`, with an offset, date only, and epoch seconds.
#[rustfmt::skip]
const DATE: &[Row] = &[
    ("DateEquals", &[NOON], one("2019-07-16T12:00:00Z"), true),
    ("DateEquals", &[NOON], one("2019-07-16T12:00:01Z"), false),
    // The same instant written with an offset.
    ("DateEquals", &[NOON], one("2019-07-16T14:00:00+02:00"), true),
    ("DateEquals", &["2019-07-16T07:00:00-05:00"], one(NOON), true),
    // Epoch (UNIX) seconds, in the policy or in the request.
    ("DateEquals", &["1563278400"], one(NOON), true),
    ("DateEquals", &[NOON], one("1563278400"), true),
    ("DateEquals", &[NOON], one("1563278401"), false),
    // Several values: OR.
    ("DateEquals", &["2000-01-01T00:00:00Z", NOON], one(NOON), true),
    ("DateNotEquals", &[NOON], one(NOON), false),
    ("DateNotEquals", &[NOON], one("2019-07-16T12:00:01Z"), true),
    // Negated with several values: AND (the doc names DateNotEquals).
    ("DateNotEquals", &["2000-01-01T00:00:00Z", NOON], one(NOON), false),
    ("DateNotEquals", &["2000-01-01T00:00:00Z", NOON], one("2010-01-01T00:00:00Z"), true),
    ("DateLessThan", &[NOON], one("2019-07-16T11:59:59Z"), true),
    ("DateLessThan", &[NOON], one(NOON), false),
    ("DateLessThan", &[NOON], one("2020-01-01T00:00:00Z"), false),
    // An offset moves the instant: 13:00+02:00 is 11:00Z.
    ("DateLessThan", &[NOON], one("2019-07-16T13:00:00+02:00"), true),
    // Date only (W3C profile `YYYY-MM-DD`): docs silent on its zone; read as midnight UTC.
    ("DateLessThan", &["2019-07-17"], one("2019-07-16T23:59:59Z"), true),
    ("DateLessThan", &["2019-07-17"], one("2019-07-17T00:00:00Z"), false),
    ("DateLessThanEquals", &[NOON], one(NOON), true),
    ("DateLessThanEquals", &[NOON], one("2019-07-16T12:00:01Z"), false),
    ("DateGreaterThan", &[NOON], one("2019-07-16T12:00:01Z"), true),
    ("DateGreaterThan", &[NOON], one(NOON), false),
    ("DateGreaterThan", &["1563278400"], one("2024-01-01T00:00:00Z"), true),
    ("DateGreaterThan", &["2019-07-16"], one("2019-07-16T00:00:01Z"), true),
    ("DateGreaterThanEquals", &[NOON], one(NOON), true),
    ("DateGreaterThanEquals", &[NOON], one("1563278399"), false),
];

#[test]
fn date_operators() {
    check_rows_and_if_exists("aws:CurrentTime", DATE);
}

/// `Bool`.
#[rustfmt::skip]
const BOOL: &[Row] = &[
    ("Bool", &["true"], one("true"), true),
    ("Bool", &["true"], one("false"), false),
    ("Bool", &["false"], one("false"), true),
    ("Bool", &["false"], one("true"), false),
];

#[test]
fn bool_operator() {
    check_rows_and_if_exists("aws:SecureTransport", BOOL);
}

/// A bare JSON boolean (`true` rather than `"true"`) reads as its text. Docs silent: the
/// examples quote the value; AWS accepts the bare form in practice.
#[test]
fn bool_operator_with_a_bare_json_boolean() {
    let cond = r#"{"Bool":{"aws:SecureTransport":false}}"#;
    assert!(condition_holds(
        cond,
        ctx(&[("aws:SecureTransport", one("false"))])
    ));
    assert!(!condition_holds(
        cond,
        ctx(&[("aws:SecureTransport", one("true"))])
    ));
}

/// `BinaryEquals`: the doc's example value. Docs silent on how a request carries a binary
/// value offline; the request value is given base-64 encoded here.
#[rustfmt::skip]
const BINARY: &[Row] = &[
    ("BinaryEquals", &["QmluYXJ5VmFsdWVJbkJhc2U2NA=="], one("QmluYXJ5VmFsdWVJbkJhc2U2NA=="), true),
    ("BinaryEquals", &["QmluYXJ5VmFsdWVJbkJhc2U2NA=="], one("T3RoZXJWYWx1ZQ=="), false),
];

#[test]
fn binary_operator() {
    check_rows_and_if_exists("key", BINARY);
}

/// IP operators: IPv4 and IPv6 CIDRs and bare addresses.
#[rustfmt::skip]
const IP: &[Row] = &[
    ("IpAddress", &["203.0.113.0/24"], one("203.0.113.7"), true),
    ("IpAddress", &["203.0.113.0/24"], one("203.0.114.7"), false),
    // The doc example: one IPv4 and one IPv6 range (OR).
    ("IpAddress", &["203.0.113.0/24", "2001:DB8:1234:5678::/64"], one("2001:db8:1234:5678::1"), true),
    ("IpAddress", &["203.0.113.0/24", "2001:DB8:1234:5678::/64"], one("2001:db8:1234:5679::1"), false),
    // A bare address is a /32.
    ("IpAddress", &["203.0.113.7"], one("203.0.113.7"), true),
    ("IpAddress", &["203.0.113.7"], one("203.0.113.8"), false),
    ("IpAddress", &["2001:db8::1/128"], one("2001:DB8::1"), true),
    ("IpAddress", &["0.0.0.0/0"], one("198.51.100.1"), true),
    ("NotIpAddress", &["203.0.113.0/24"], one("203.0.113.7"), false),
    ("NotIpAddress", &["203.0.113.0/24"], one("198.51.100.1"), true),
    // Negated with several values: AND.
    ("NotIpAddress", &["203.0.113.0/24", "198.51.100.0/24"], one("198.51.100.1"), false),
    ("NotIpAddress", &["203.0.113.0/24", "198.51.100.0/24"], one("192.0.2.1"), true),
    ("NotIpAddress", &["2001:DB8:1234:5678::/64"], one("2001:db8:1234:5678::abcd"), false),
];

#[test]
fn ip_operators() {
    check_rows_and_if_exists("aws:SourceIp", IP);
}

const TOPIC: &str = "arn:aws:sns:us-east-1:111122223333:topic";

/// ARN operators: case-sensitive, per component, `ArnEquals` ≡ `ArnLike`.
#[rustfmt::skip]
const ARN: &[Row] = &[
    ("ArnEquals", &[TOPIC], one(TOPIC), true),
    // "Case-sensitive matching of the ARN".
    ("ArnEquals", &[TOPIC], one("arn:aws:sns:us-east-1:111122223333:Topic"), false),
    ("ArnEquals", &[TOPIC], one("arn:aws:sns:us-east-1:444455556666:topic"), false),
    ("ArnLike", &["arn:aws:sns:*:111122223333:*"], one("arn:aws:sns:eu-west-1:111122223333:t"), true),
    ("ArnLike", &["arn:aws:sns:*:111122223333:*"], one("arn:aws:sns:eu-west-1:444455556666:t"), false),
    ("ArnLike", &["arn:aws:iam::*:role/team-?"], one("arn:aws:iam::111122223333:role/team-a"), true),
    ("ArnLike", &["arn:aws:iam::*:role/team-?"], one("arn:aws:iam::111122223333:role/team-ab"), false),
    // "ArnEquals and ArnLike behave identically": wildcards work in ArnEquals too.
    ("ArnEquals", &["arn:aws:sns:*:111122223333:*"], one("arn:aws:sns:eu-west-1:111122223333:t"), true),
    // The resource component is the rest of the ARN, colons included.
    ("ArnLike", &["arn:aws:logs:*:111122223333:log-group:*"], one("arn:aws:logs:us-east-1:111122223333:log-group:g:log-stream:s"), true),
    // Several values: OR.
    ("ArnLike", &["arn:aws:iam::*:role/Admin", "arn:aws:iam::*:role/Ops"], one("arn:aws:iam::111122223333:role/Ops"), true),
    ("ArnNotEquals", &["arn:aws:iam::*:role/Admin"], one("arn:aws:iam::111122223333:role/Admin"), false),
    ("ArnNotEquals", &["arn:aws:iam::*:role/Admin"], one("arn:aws:iam::111122223333:role/Dev"), true),
    ("ArnNotLike", &["arn:aws:iam::*:role/Admin"], one("arn:aws:iam::111122223333:role/Admin"), false),
    ("ArnNotLike", &["arn:aws:iam::*:role/Admin"], one("arn:aws:iam::111122223333:role/admin"), true),
    // Negated with several values: AND.
    ("ArnNotLike", &["arn:aws:iam::*:role/Admin", "arn:aws:iam::*:role/Ops"], one("arn:aws:iam::111122223333:role/Ops"), false),
    ("ArnNotLike", &["arn:aws:iam::*:role/Admin", "arn:aws:iam::*:role/Ops"], one("arn:aws:iam::111122223333:role/Dev"), true),
];

#[test]
fn arn_operators() {
    check_rows_and_if_exists("aws:SourceArn", ARN);
}

/// Several keys under one operator, and several operators, are AND-ed. Each row: request
/// values for (team, region, source IP), expected.
#[test]
fn several_keys_and_operators_are_and_ed() {
    let cond = r#"{
        "StringEquals": {"aws:PrincipalTag/team": "red", "aws:RequestedRegion": ["us-east-1", "eu-west-1"]},
        "IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}"#;
    #[rustfmt::skip]
    let rows = [
        // Every key under every operator matches (region by one of its two values: OR).
        (one("red"), one("eu-west-1"), one("203.0.113.9"), true),
        (one("red"), one("us-east-1"), one("203.0.113.9"), true),
        // One key of the StringEquals block fails: the whole condition fails (AND).
        (one("blue"), one("us-east-1"), one("203.0.113.9"), false),
        (one("red"), one("ap-south-1"), one("203.0.113.9"), false),
        // The second operator fails: AND.
        (one("red"), one("us-east-1"), one("192.0.2.1"), false),
        // A missing key fails its positive operator, and so the whole condition.
        (one("red"), crate::support::ABSENT, one("203.0.113.9"), false),
    ];
    for (i, (team, region, ip, expected)) in rows.into_iter().enumerate() {
        let c = ctx(&[
            ("aws:PrincipalTag/team", team),
            ("aws:RequestedRegion", region),
            ("aws:SourceIp", ip),
        ]);
        assert_eq!(condition_holds(cond, c), expected, "row {i}");
    }
}

/// Condition key names are case-insensitive, in the policy and in the request context.
#[test]
fn condition_key_names_are_case_insensitive() {
    // (key as written in the policy, key as supplied in the request context)
    #[rustfmt::skip]
    let rows = [
        ("aws:SourceIp", "aws:SourceIp"),
        ("aws:SourceIP", "aws:SourceIp"),
        ("AWS:sourceip", "aws:SourceIp"),
        ("aws:SourceIp", "AWS:SOURCEIP"),
        ("AWS:SourceIP", "aws:sourceip"),
    ];
    for (policy_key, request_key) in rows {
        let cond = format!(r#"{{"IpAddress":{{"{policy_key}":"203.0.113.0/24"}}}}"#);
        assert!(
            condition_holds(&cond, ctx(&[(request_key, one("203.0.113.9"))])),
            "{policy_key} vs {request_key}"
        );
        assert!(
            !condition_holds(&cond, ctx(&[(request_key, one("192.0.2.1"))])),
            "{policy_key} vs {request_key}, address outside"
        );
    }
}

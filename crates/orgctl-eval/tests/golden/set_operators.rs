//! `ForAllValues` and `ForAnyValue` on multivalued keys: missing key, empty set, several
//! request values, and the negated forms.
//!
//! Encodes:
//! - <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_multi-value-conditions.html>
//!   (IAM-UG `reference_policies_multi-value-conditions.md`) — `ForAllValues` "Tests whether
//!   the value of every member of the request set is a subset of the condition key set"; "It
//!   also returns true if there are no keys in the request, or if the key values resolve to a
//!   null data set, such as an empty string". `ForAnyValue`: true if any request value
//!   matches any policy value; "For no matching key or a null dataset, the condition returns
//!   false".
//! - <https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition_examples-multi-valued-context-keys.html>
//!   — the `ForAllValues:StringNotLike` `"key1*"` table ("Deny a single policy condition value
//!   for a multivalued context key"). This page is not in `iam-semantics.md`; it is the
//!   current IAM User Guide example page for the statement above.

use crate::support::{ABSENT, Row, check_rows, one, set};

const TAG_KEYS: &str = "aws:TagKeys";
const ALLOWED: &[&str] = &["environment", "cost-center"];

#[rustfmt::skip]
const SETS: &[Row] = &[
    // ForAllValues: true when the key is missing or the set is empty.
    ("ForAllValues:StringEquals", ALLOWED, ABSENT, true),
    ("ForAllValues:StringEquals", ALLOWED, set(&[]), true),
    // ForAllValues: every request value is in the policy set (subset).
    ("ForAllValues:StringEquals", ALLOWED, set(&["environment"]), true),
    ("ForAllValues:StringEquals", ALLOWED, set(&["cost-center", "environment"]), true),
    ("ForAllValues:StringEquals", ALLOWED, set(&["environment", "owner"]), false),
    ("ForAllValues:StringEquals", ALLOWED, set(&["owner"]), false),
    // ... with StringEquals' case-sensitivity.
    ("ForAllValues:StringEquals", ALLOWED, set(&["Environment"]), false),
    // ForAnyValue: false when the key is missing or the set is empty.
    ("ForAnyValue:StringEquals", ALLOWED, ABSENT, false),
    ("ForAnyValue:StringEquals", ALLOWED, set(&[]), false),
    // ForAnyValue: some request value is in the policy set.
    ("ForAnyValue:StringEquals", ALLOWED, set(&["owner", "environment"]), true),
    ("ForAnyValue:StringEquals", ALLOWED, set(&["cost-center"]), true),
    ("ForAnyValue:StringEquals", ALLOWED, set(&["owner"]), false),
    ("ForAnyValue:StringEquals", ALLOWED, set(&["owner", "team"]), false),
    // ForAllValues:StringNotEquals: every request value matches none of the policy values.
    ("ForAllValues:StringNotEquals", ALLOWED, ABSENT, true),
    ("ForAllValues:StringNotEquals", ALLOWED, set(&[]), true),
    ("ForAllValues:StringNotEquals", ALLOWED, set(&["owner"]), true),
    ("ForAllValues:StringNotEquals", ALLOWED, set(&["owner", "team"]), true),
    ("ForAllValues:StringNotEquals", ALLOWED, set(&["owner", "environment"]), false),
    ("ForAllValues:StringNotEquals", ALLOWED, set(&["environment"]), false),
    // ForAnyValue:StringNotEquals: some request value matches none of the policy values.
    ("ForAnyValue:StringNotEquals", ALLOWED, ABSENT, false),
    ("ForAnyValue:StringNotEquals", ALLOWED, set(&[]), false),
    ("ForAnyValue:StringNotEquals", ALLOWED, set(&["owner", "environment"]), true),
    ("ForAnyValue:StringNotEquals", ALLOWED, set(&["owner"]), true),
    ("ForAnyValue:StringNotEquals", ALLOWED, set(&["environment"]), false),
    ("ForAnyValue:StringNotEquals", ALLOWED, set(&["environment", "cost-center"]), false),
    // With wildcards.
    ("ForAnyValue:StringLike", &["key1*"], set(&["key2:x", "key1:y"]), true),
    ("ForAnyValue:StringLike", &["key1*"], set(&["key2:x"]), false),
    ("ForAllValues:StringLike", &["key1*", "key2*"], set(&["key2:x", "key1:y"]), true),
    ("ForAllValues:StringLike", &["key1*"], set(&["key2:x", "key1:y"]), false),
    // The example page's table for `"ForAllValues:StringNotLike": {"aws:TagKeys": "key1*"}`
    // in a Deny statement ("Match" = the condition holds):
    ("ForAllValues:StringNotLike", &["key1*"], set(&["key1:legal"]), false),
    ("ForAllValues:StringNotLike", &["key1*"], set(&["key1:hr", "key1:personnel"]), false),
    ("ForAllValues:StringNotLike", &["key1*"], set(&["key2:audit"]), true),
    ("ForAllValues:StringNotLike", &["key1*"], ABSENT, true),
];

#[test]
fn for_all_values_and_for_any_value() {
    check_rows(TAG_KEYS, SETS);
}

/// Set operators over other families (the qualifier applies to any operator).
#[test]
fn set_operators_over_other_families() {
    check_rows(
        "ex:ports",
        &[
            // Every request number is at most 1024.
            (
                "ForAllValues:NumericLessThanEquals",
                &["1024"],
                set(&["22", "443"]),
                true,
            ),
            (
                "ForAllValues:NumericLessThanEquals",
                &["1024"],
                set(&["22", "8080"]),
                false,
            ),
            (
                "ForAnyValue:NumericEquals",
                &["22"],
                set(&["443", "22"]),
                true,
            ),
            ("ForAnyValue:NumericEquals", &["22"], set(&["443"]), false),
            ("ForAnyValue:NumericEquals", &["22"], ABSENT, false),
        ],
    );
}

/// "It also returns true if ... the key values resolve to a null data set, such as an empty
/// string": a key whose only value is the empty string.
#[test]

fn for_all_values_on_an_empty_string_value() {
    check_rows(
        TAG_KEYS,
        &[
            ("ForAllValues:StringEquals", ALLOWED, one(""), true),
            ("ForAllValues:StringEquals", ALLOWED, set(&[""]), true),
            // ForAnyValue: "For no matching key or a null dataset, the condition returns false".
            ("ForAnyValue:StringEquals", ALLOWED, one(""), false),
            ("ForAnyValue:StringNotEquals", ALLOWED, one(""), false),
        ],
    );
}

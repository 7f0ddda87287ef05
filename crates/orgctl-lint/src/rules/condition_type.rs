//! ## What it does
//! Checks that each condition operator suits the type of its key, and that each value can be
//! read the way the operator reads it:
//!
//! - the operator's family against the key's type in the AWS catalog (`NumericLessThan` on a
//!   String key, `Bool` on a Date key, an `Arn` operator on a String key): `TYPE_MISMATCH`.
//!   String operators on ARN keys are fine, and so is `Null` on any key; `aws:EpochTime` takes
//!   both Date and Numeric operators, as the IAM User Guide documents;
//! - values that are not numbers (`TYPE_MISMATCH_NUMBER`), dates (`TYPE_MISMATCH_DATE`),
//!   `true`/`false` for `Bool` and `Null` (`TYPE_MISMATCH_BOOLEAN`), IP addresses or CIDR
//!   ranges (`TYPE_MISMATCH_IP_RANGE`) or base-64 for `BinaryEquals` (`TYPE_MISMATCH_BINARY`);
//! - policy variables in the values of Numeric, Date, IP address, Binary and `Null` operators,
//!   which AWS does not substitute (`INVALID_VARIABLE_FOR_OPERATOR`). The IAM User Guide
//!   contradicts itself about variables with `Bool`, so they are left alone there.
//!
//! This rule is the one place that reads IP values; `ip-range` looks only at values that parse.
//! Values holding a template placeholder are left to `template-placeholder`.
//!
//! ## Why is this bad?
//! A value the operator cannot read never matches, and a key compared as the wrong type rarely
//! does what the author meant: a `Deny` whose condition can never be true protects nothing, and
//! an `Allow` whose condition can never be true grants nothing. `"${aws:CurrentTime}"` in a
//! `DateLessThan` is compared as the literal text, not as the time of the request.
//!
//! ## Example
//! ```json
//! "Condition": {
//!   "NumericLessThan": {"aws:MultiFactorAuthAge": "1h"},
//!   "Bool": {"aws:SecureTransport": "no"}
//! }
//! ```
//!
//! Use instead:
//! ```json
//! "Condition": {
//!   "NumericLessThan": {"aws:MultiFactorAuthAge": "3600"},
//!   "Bool": {"aws:SecureTransport": "false"}
//! }
//! ```
//!
//! ## References
//! - IAM User Guide, condition operators and policy variables
//! - IAM Access Analyzer policy checks: `TYPE_MISMATCH`, `TYPE_MISMATCH_NUMBER`,
//!   `TYPE_MISMATCH_DATE`, `TYPE_MISMATCH_BOOLEAN`, `TYPE_MISMATCH_IP_RANGE`,
//!   `INVALID_VARIABLE_FOR_OPERATOR`

use orgctl_catalog::KeyType;
use orgctl_eval::values;
use orgctl_policy::{Operator, OperatorFamily};

use super::Rule;
use crate::context::LintContext;
use crate::finding::FindingType;

/// The rule.
pub const RULE: Rule = Rule {
    name: "condition-type",
    summary: "condition operators that do not suit their key's type, and values they cannot read",
    docs: include_str!("condition_type.rs"),
    check,
};

fn check(cx: &mut LintContext<'_>) {
    let catalog = cx.catalog;
    let policy = cx.policy;
    let known_prefix =
        |prefix: &str| prefix.eq_ignore_ascii_case("aws") || catalog.service(prefix).is_some();
    for statement in &policy.statements {
        for block in &statement.condition {
            let op = block.operator.node;
            let family = op.base.family();
            for entry in &block.entries {
                let key = entry.key.node.as_str();
                if let Some(ck) = catalog.condition_key(key)
                    && !compatible(family, ck.key_type, key)
                    && !(family == OperatorFamily::Arn && has_variable_part(ck.name))
                {
                    let base = base_type(ck.key_type);
                    cx.report(
                        FindingType::Warning,
                        "TYPE_MISMATCH",
                        entry.key.span,
                        format!(
                            "`{op}` compares {} but `{key}` is {} key",
                            family_noun(family),
                            type_phrase(ck.key_type)
                        ),
                        format!(
                            "use {} operator, such as `{}`",
                            article_family(base),
                            suggested_operator(base, op)
                        ),
                    );
                }
                for value in &entry.values {
                    let text = value.node.as_text();
                    match variable_kind(text, known_prefix) {
                        Some(Var::Template) => continue,
                        Some(Var::Iam(var)) => {
                            if takes_no_variables(family) {
                                cx.report(
                                    FindingType::Error,
                                    "INVALID_VARIABLE_FOR_OPERATOR",
                                    value.span,
                                    format!(
                                        "`{var}` is a policy variable, which `{op}` does not substitute"
                                    ),
                                    "policy variables work only with String and ARN operators; write a literal value",
                                );
                            }
                            continue;
                        }
                        None => {}
                    }
                    if let Some((code, message, hint)) = value_problem(op, family, text) {
                        cx.report(FindingType::Warning, code, value.span, message, hint);
                    }
                }
            }
        }
    }
}

/// Whether a catalog key name has a part the policy fills in (`aws:RequestTag/${TagKey}`,
/// `kms:EncryptionContext:${EncryptionContextKey}`): such keys hold whatever the tag or context
/// holds, often an ARN.
fn has_variable_part(name: &str) -> bool {
    name.contains("${") || name.ends_with("/tag-key")
}

/// Whether an operator of `family` suits a key of type `key_type`.
fn compatible(family: OperatorFamily, key_type: KeyType, key: &str) -> bool {
    let base = base_type(key_type);
    match family {
        OperatorFamily::Null => true,
        _ if base == KeyType::Other => true,
        OperatorFamily::String => matches!(base, KeyType::String | KeyType::Arn),
        OperatorFamily::Numeric => {
            base == KeyType::Numeric || key.eq_ignore_ascii_case("aws:EpochTime")
        }
        OperatorFamily::Date => base == KeyType::Date,
        OperatorFamily::Bool => base == KeyType::Bool,
        OperatorFamily::Binary => base == KeyType::Binary,
        OperatorFamily::Ip => base == KeyType::IpAddress,
        OperatorFamily::Arn => base == KeyType::Arn,
    }
}

/// The type of one value of a key: `ArrayOfString` holds Strings.
const fn base_type(key_type: KeyType) -> KeyType {
    match key_type {
        KeyType::ArrayOfString => KeyType::String,
        KeyType::ArrayOfArn => KeyType::Arn,
        KeyType::ArrayOfBool => KeyType::Bool,
        KeyType::ArrayOfNumeric => KeyType::Numeric,
        other => other,
    }
}

const fn family_noun(family: OperatorFamily) -> &'static str {
    match family {
        OperatorFamily::String => "strings",
        OperatorFamily::Numeric => "numbers",
        OperatorFamily::Date => "dates",
        OperatorFamily::Bool => "booleans",
        OperatorFamily::Binary => "binary values",
        OperatorFamily::Ip => "IP addresses",
        OperatorFamily::Arn => "ARNs",
        OperatorFamily::Null => "key presence",
    }
}

fn type_phrase(key_type: KeyType) -> String {
    match key_type {
        KeyType::Arn => "an `ARN`".to_owned(),
        KeyType::ArrayOfArn | KeyType::ArrayOfBool | KeyType::IpAddress => {
            format!("an `{}`", key_type.as_str())
        }
        other => format!("a `{}`", other.as_str()),
    }
}

const fn article_family(base: KeyType) -> &'static str {
    match base {
        KeyType::Numeric => "a Numeric",
        KeyType::Date => "a Date",
        KeyType::Bool => "the `Bool`",
        KeyType::IpAddress => "an IP address",
        KeyType::Binary => "the `BinaryEquals`",
        KeyType::Arn => "an ARN or String",
        _ => "a String",
    }
}

/// An operator of the key's family that keeps the sense of `op` where one exists.
fn suggested_operator(base: KeyType, op: Operator) -> String {
    use orgctl_policy::BaseOperator as B;
    let negated = op.base.is_negated();
    let name = match base {
        KeyType::Numeric => match op.base {
            B::NumericLessThan | B::DateLessThan => "NumericLessThan",
            B::NumericLessThanEquals | B::DateLessThanEquals => "NumericLessThanEquals",
            B::NumericGreaterThan | B::DateGreaterThan => "NumericGreaterThan",
            B::NumericGreaterThanEquals | B::DateGreaterThanEquals => "NumericGreaterThanEquals",
            _ if negated => "NumericNotEquals",
            _ => "NumericEquals",
        },
        KeyType::Date => match op.base {
            B::NumericLessThan | B::DateLessThan => "DateLessThan",
            B::NumericLessThanEquals | B::DateLessThanEquals => "DateLessThanEquals",
            B::NumericGreaterThan | B::DateGreaterThan => "DateGreaterThan",
            B::NumericGreaterThanEquals | B::DateGreaterThanEquals => "DateGreaterThanEquals",
            _ if negated => "DateNotEquals",
            _ => "DateEquals",
        },
        KeyType::Bool => "Bool",
        KeyType::Binary => "BinaryEquals",
        KeyType::IpAddress if negated => "NotIpAddress",
        KeyType::IpAddress => "IpAddress",
        KeyType::Arn if negated => "ArnNotLike",
        KeyType::Arn => "ArnLike",
        _ => match op.base {
            B::ArnLike => "StringLike",
            B::ArnNotLike => "StringNotLike",
            _ if negated => "StringNotEquals",
            _ => "StringEquals",
        },
    };
    Operator {
        qualifier: op.qualifier,
        base: B::ALL
            .into_iter()
            .find(|b| b.name() == name)
            .unwrap_or(op.base),
        if_exists: op.if_exists,
    }
    .to_string()
}

const fn takes_no_variables(family: OperatorFamily) -> bool {
    matches!(
        family,
        OperatorFamily::Numeric
            | OperatorFamily::Date
            | OperatorFamily::Ip
            | OperatorFamily::Binary
            | OperatorFamily::Null
    )
}

/// What a value that the operator cannot read is reported as.
fn value_problem(
    op: Operator,
    family: OperatorFamily,
    text: &str,
) -> Option<(&'static str, String, &'static str)> {
    // Only a problem shows the value.
    let shown = || {
        if text.is_empty() {
            "the empty string".to_owned()
        } else {
            format!("`{text}`")
        }
    };
    match family {
        OperatorFamily::Numeric if values::number(text).is_none() => Some((
            "TYPE_MISMATCH_NUMBER",
            format!(
                "{} is not a number: `{op}` takes integers or decimals",
                shown()
            ),
            "write a plain number such as `3600`, without units or exponent",
        )),
        OperatorFamily::Date if values::date_millis(text).is_none() => Some((
            "TYPE_MISMATCH_DATE",
            format!(
                "{} is not a date: `{op}` takes ISO 8601 dates or epoch seconds",
                shown()
            ),
            "write a date such as `2026-01-31T00:00:00Z` or epoch seconds such as `1769817600`",
        )),
        OperatorFamily::Bool if values::boolean(text).is_none() => Some((
            "TYPE_MISMATCH_BOOLEAN",
            format!(
                "{} is not a boolean: `{op}` takes `true` or `false`",
                shown()
            ),
            "write `true` or `false`",
        )),
        OperatorFamily::Null if values::boolean(text).is_none() => Some((
            "TYPE_MISMATCH_BOOLEAN",
            format!(
                "{} is not a boolean: `Null` takes `true` (key absent) or `false` (key present)",
                shown()
            ),
            "write `true` to match requests without the key, `false` to match requests with it",
        )),
        OperatorFamily::Ip if values::Cidr::parse(text).is_none() => Some((
            "TYPE_MISMATCH_IP_RANGE",
            format!(
                "{} is not an IP address or CIDR range: `{op}` never matches it",
                shown()
            ),
            "write an IPv4 or IPv6 address or CIDR range, such as `203.0.113.0/24`",
        )),
        OperatorFamily::Binary if values::base64(text).is_none() => Some((
            "TYPE_MISMATCH_BINARY",
            format!(
                "{} is not base-64: `{op}` compares against base-64 encoded bytes",
                shown()
            ),
            "encode the bytes in base-64, such as `QmluYXJ5VmFsdWU=`",
        )),
        _ => None,
    }
}

/// A `${...}` in a value: an IAM policy variable, or a template placeholder.
#[derive(Debug, PartialEq, Eq)]
enum Var<'a> {
    Iam(&'a str),
    Template,
}

/// The first IAM variable in `text`, or [`Var::Template`] when `text` holds a template
/// placeholder (which `template-placeholder` reports).
fn variable_kind(text: &str, known_prefix: impl Fn(&str) -> bool) -> Option<Var<'_>> {
    // Placeholders and variables all hold one of these.
    if !text.contains(['$', '{', '[', '<']) {
        return None;
    }
    if crate::util::placeholder(text, &known_prefix).is_some() {
        return Some(Var::Template);
    }
    let mut first = None;
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        let after = rest.get(start + 2..).unwrap_or_default();
        let Some(end) = after.find('}') else { break };
        let inner = after.get(..end).unwrap_or_default();
        let name = inner.split(',').next().unwrap_or_default().trim();
        let is_variable = matches!(name, "*" | "?" | "$")
            || name.split_once(':').is_some_and(|(prefix, rest)| {
                !rest.is_empty() && !rest.starts_with(':') && known_prefix(prefix)
            });
        if !is_variable {
            return Some(Var::Template);
        }
        if first.is_none() {
            first = rest.get(start..start + 3 + end).map(Var::Iam);
        }
        rest = after.get(end + 1..).unwrap_or_default();
    }
    first
}

#[cfg(test)]
mod tests {
    use orgctl_catalog::Catalog;

    use crate::{LintOptions, PolicyType};

    fn findings(src: &str) -> Vec<(&'static str, String)> {
        let catalog = Catalog::embedded().unwrap();
        crate::lint_with(src, &LintOptions::new(PolicyType::Identity), catalog)
            .findings
            .into_iter()
            .filter(|f| f.rule == super::RULE.name)
            .map(|f| (f.issue_code, src[f.span.start..f.span.end].to_owned()))
            .collect()
    }

    fn with_condition(condition: &str) -> String {
        format!(
            r#"{{"Version": "2012-10-17", "Statement": {{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", "Condition": {condition}}}}}"#
        )
    }

    fn pairs(expected: &[(&'static str, &str)]) -> Vec<(&'static str, String)> {
        expected
            .iter()
            .map(|(c, t)| (*c, (*t).to_owned()))
            .collect()
    }

    #[test]
    fn operator_family_against_key_type() {
        let src = with_condition(
            r#"{"NumericLessThan": {"aws:username": "5"}, "Bool": {"aws:CurrentTime": "true"}, "ArnLike": {"aws:userid": "arn:aws:iam::*:user/x"}}"#,
        );
        assert_eq!(
            findings(&src),
            pairs(&[
                ("TYPE_MISMATCH", r#""aws:username""#),
                ("TYPE_MISMATCH", r#""aws:CurrentTime""#),
                ("TYPE_MISMATCH", r#""aws:userid""#),
            ])
        );
    }

    #[test]
    fn compatible_operators_stay_silent() {
        let src = with_condition(
            r#"{"StringLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/x"}, "ArnLike": {"kms:EncryptionContext:aws:s3:arn": "arn:aws:s3:::b/*"}, "ArnEquals": {"aws:SourceArn": "arn:aws:sns:us-east-1:111122223333:t"}, "NumericLessThan": {"aws:MultiFactorAuthAge": 3600, "aws:EpochTime": "1700000000"}, "DateGreaterThan": {"aws:CurrentTime": "2026-01-01T00:00:00Z"}, "Bool": {"aws:SecureTransport": false}, "Null": {"aws:TagKeys": "true"}, "IpAddress": {"aws:SourceIp": ["203.0.113.0/24", "2001:db8::/32", "198.51.100.7"]}, "ForAnyValue:StringEquals": {"aws:TagKeys": "team"}}"#,
        );
        assert_eq!(findings(&src), pairs(&[]));
    }

    #[test]
    fn values_the_operator_cannot_read() {
        let src = with_condition(
            r#"{"NumericLessThan": {"aws:MultiFactorAuthAge": "1h"}, "DateLessThan": {"aws:CurrentTime": "tomorrow"}, "Bool": {"aws:SecureTransport": "yes"}, "Null": {"aws:SourceVpc": "no"}, "IpAddress": {"aws:SourceIp": "10.0.0.300/8"}}"#,
        );
        assert_eq!(
            findings(&src),
            pairs(&[
                ("TYPE_MISMATCH_NUMBER", r#""1h""#),
                ("TYPE_MISMATCH_DATE", r#""tomorrow""#),
                ("TYPE_MISMATCH_BOOLEAN", r#""yes""#),
                ("TYPE_MISMATCH_BOOLEAN", r#""no""#),
                ("TYPE_MISMATCH_IP_RANGE", r#""10.0.0.300/8""#),
            ])
        );
    }

    #[test]
    fn policy_variables_where_they_are_not_substituted() {
        let src = with_condition(
            r#"{"DateLessThan": {"aws:CurrentTime": "${aws:TokenIssueTime}"}, "StringEquals": {"aws:PrincipalTag/team": "${aws:username}"}, "Bool": {"aws:SecureTransport": "${aws:ViaAWSService}"}, "NumericEquals": {"s3:max-keys": ["${Limit}", "[MAX_KEYS]"]}}"#,
        );
        // `${Limit}` and `[MAX_KEYS]` are template placeholders: template-placeholder reports
        // them.
        assert_eq!(
            findings(&src),
            pairs(&[(
                "INVALID_VARIABLE_FOR_OPERATOR",
                r#""${aws:TokenIssueTime}""#
            )])
        );
    }

    #[test]
    fn region_deny_example_is_clean() {
        let src = r#"{
            "Version": "2012-10-17",
            "Statement": [{
                "Effect": "Deny",
                "NotAction": ["iam:*", "sts:*"],
                "Resource": "*",
                "Condition": {
                    "StringNotEquals": {"aws:RequestedRegion": ["eu-central-1", "eu-west-1"]},
                    "ArnNotLike": {"aws:PrincipalARN": "arn:aws:iam::${Account}:role/[PRIVILEGED_ROLE]"}
                }
            }]
        }"#;
        assert_eq!(findings(src), pairs(&[]));
    }

    #[test]
    fn suggestions_keep_the_sense_of_the_operator() {
        let src = with_condition(r#"{"StringNotEquals": {"aws:MultiFactorAuthAge": "3600"}}"#);
        let catalog = Catalog::embedded().unwrap();
        let report = crate::lint_with(&src, &LintOptions::new(PolicyType::Identity), catalog);
        let finding = report
            .findings
            .iter()
            .find(|f| f.issue_code == "TYPE_MISMATCH")
            .unwrap();
        assert_eq!(
            finding.hint.as_deref(),
            Some("use a Numeric operator, such as `NumericNotEquals`")
        );
    }
}

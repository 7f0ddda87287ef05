//! ## What it does
//! Checks the set qualifiers `ForAllValues:` and `ForAnyValue:` against the keys they qualify,
//! using each key's type in the AWS catalog (multivalued keys are the `ArrayOf...` types):
//!
//! - `ForAllValues:` on a single-valued key (`FORALLVALUES_WITH_SINGLE_VALUED_KEY`, security
//!   warning): the condition is also true when the request has no such key;
//! - `ForAnyValue:` on a single-valued key (`FORANYVALUE_WITH_SINGLE_VALUED_KEY`, warning);
//! - a multivalued key under an operator without a qualifier (`MISSING_QUALIFIER`, warning).
//!   `Null` needs no qualifier: it only tests whether the key is there;
//! - `ForAllValues:` in an `Allow` statement (`FORALLVALUES_WITH_ALLOW`, security warning),
//!   unless the same statement makes sure the key is present: with `"Null": {key: "false"}`,
//!   a `ForAnyValue:` condition on the same key (which is false when the key is missing), or,
//!   for `aws:TagKeys`, `kms:EncryptionContextKeys` and `s3:RequestObjectTagKeys`, a plain
//!   positive condition on a key they list (`"StringEquals": {"aws:RequestTag/team": ...}`
//!   needs a `team` tag in the request). `aws:TagKeys` in a statement of tagging actions only
//!   (`TagResource`, `UntagResource`), which always carry tag keys, is not reported either.
//!
//! `Null` with a qualifier is reported by `condition-style`; keys the catalog does not know by
//! `unknown-condition-key`.
//!
//! ## Why is this bad?
//! `ForAllValues:` is true when every value of the request's key matches, and therefore also when
//! the request carries no value at all. In an `Allow`, a condition meant to limit which tags may
//! be set also allows requests that set no tags, or that do something else entirely. On a
//! single-valued key the qualifiers add nothing but that trap: AWS says not to use them there.
//! Without a qualifier, how a multivalued key compares is easy to misread.
//!
//! ## Example
//! ```json
//! {"Effect": "Allow", "Action": "ec2:CreateTags", "Resource": "*",
//!  "Condition": {"ForAllValues:StringEquals": {"aws:TagKeys": ["team", "env"],
//!                                              "aws:RequestedRegion": "eu-west-1"}}}
//! ```
//!
//! Use instead:
//! ```json
//! {"Effect": "Allow", "Action": "ec2:CreateTags", "Resource": "*",
//!  "Condition": {"ForAllValues:StringEquals": {"aws:TagKeys": ["team", "env"]},
//!                "Null": {"aws:TagKeys": "false"},
//!                "StringEquals": {"aws:RequestedRegion": "eu-west-1"}}}
//! ```
//!
//! ## References
//! - IAM User Guide, single-valued and multivalued context keys; set operators
//! - IAM Access Analyzer policy checks: `FORALLVALUES_WITH_SINGLE_VALUED_KEY`, `MISSING_QUALIFIER`

use orgctl_policy::{BaseOperator, Effect, SetQualifier, Statement};

use super::Rule;
use crate::context::LintContext;
use crate::finding::FindingType;

/// The rule.
pub const RULE: Rule = Rule {
    name: "set-operator",
    summary: "ForAllValues/ForAnyValue against single- and multivalued keys",
    docs: include_str!("set_operator.rs"),
    check,
};

fn check(cx: &mut LintContext<'_>) {
    let catalog = cx.catalog;
    let policy = cx.policy;
    for statement in &policy.statements {
        for block in &statement.condition {
            let op = block.operator.node;
            if op.base == BaseOperator::Null {
                continue;
            }
            for entry in &block.entries {
                let key = entry.key.node.as_str();
                let Some(ck) = catalog.condition_key(key) else {
                    continue;
                };
                if ck.key_type == orgctl_catalog::KeyType::Other {
                    continue;
                }
                let multivalued = ck.key_type.is_multivalued();
                let span = entry.key.span;
                match op.qualifier {
                    Some(SetQualifier::ForAllValues) if !multivalued => cx.report(
                        FindingType::SecurityWarning,
                        "FORALLVALUES_WITH_SINGLE_VALUED_KEY",
                        span,
                        format!(
                            "`ForAllValues:` on the single-valued key `{key}` is also true when the request has no `{key}`"
                        ),
                        format!("drop the qualifier: write `{}`", unqualified(op)),
                    ),
                    Some(SetQualifier::ForAnyValue) if !multivalued => cx.report(
                        FindingType::Warning,
                        "FORANYVALUE_WITH_SINGLE_VALUED_KEY",
                        span,
                        format!(
                            "`ForAnyValue:` on the single-valued key `{key}`: set operators are for multivalued keys"
                        ),
                        format!(
                            "drop the qualifier: write `{}` (a missing key then {})",
                            unqualified(op),
                            if op.base.is_negated() {
                                "matches, unlike with `ForAnyValue:`"
                            } else {
                                "does not match, as now"
                            }
                        ),
                    ),
                    Some(SetQualifier::ForAllValues)
                        if statement.effect.node == Effect::Allow
                            && !presence_checked(statement, key)
                            && !tagging_only(catalog, statement, key) =>
                    {
                        cx.report(
                            FindingType::SecurityWarning,
                            "FORALLVALUES_WITH_ALLOW",
                            span,
                            format!(
                                "`{op}` in an `Allow` is true when the request has no `{key}`, so it allows more than it names"
                            ),
                            format!(
                                "add `\"Null\": {{\"{key}\": \"false\"}}` to the statement so that the key must be present"
                            ),
                        );
                    }
                    None if multivalued => cx.report(
                        FindingType::Warning,
                        "MISSING_QUALIFIER",
                        span,
                        format!(
                            "`{key}` is multivalued but `{op}` has no set qualifier"
                        ),
                        format!(
                            "write `ForAnyValue:{op}` (some request value matches) or `ForAllValues:{op}` (every request value matches)"
                        ),
                    ),
                    _ => {}
                }
            }
        }
    }
}

/// The operator without its set qualifier.
fn unqualified(op: orgctl_policy::Operator) -> orgctl_policy::Operator {
    orgctl_policy::Operator {
        qualifier: None,
        ..op
    }
}

/// Whether the statement also requires `key` to be present: `Null` with `false`, a
/// `ForAnyValue:` condition on it (false when the key is missing), or, for the keys that list
/// tag and context keys (`aws:TagKeys`, ...), a plain positive condition on one of the values
/// they list (`aws:RequestTag/team`), which needs that value in the request.
fn presence_checked(statement: &Statement, key: &str) -> bool {
    let member_prefix = MEMBER_KEYS
        .iter()
        .find(|(list, _)| list.eq_ignore_ascii_case(key))
        .map(|(_, member)| *member);
    statement.condition.iter().any(|block| {
        let op = block.operator.node;
        let null_false = op.base == BaseOperator::Null && op.qualifier.is_none();
        let any_value = op.qualifier == Some(SetQualifier::ForAnyValue)
            && !op.if_exists
            && op.base != BaseOperator::Null;
        let positive = op.qualifier.is_none()
            && !op.if_exists
            && !op.base.is_negated()
            && op.base != BaseOperator::Null;
        block.entries.iter().any(|e| {
            let name = e.key.node.as_str();
            let same = name.eq_ignore_ascii_case(key);
            (same && any_value)
                || (same
                    && null_false
                    && !e.values.is_empty()
                    && e.values
                        .iter()
                        .all(|v| v.node.as_text().eq_ignore_ascii_case("false")))
                || (positive
                    && member_prefix.is_some_and(|prefix| {
                        name.get(..prefix.len())
                            .is_some_and(|p| p.eq_ignore_ascii_case(prefix))
                            && name.len() > prefix.len()
                    }))
        })
    })
}

/// Whether `key` is `aws:TagKeys` and every action of the statement is a known tagging action
/// (`TagResource`, `UntagResource`, ...), which always carries tag keys.
fn tagging_only(catalog: &orgctl_catalog::Catalog, statement: &Statement, key: &str) -> bool {
    key.eq_ignore_ascii_case("aws:TagKeys")
        && !statement.action.negated
        && !statement.action.values.items.is_empty()
        && statement.action.values.items.iter().all(|item| {
            !orgctl_policy::glob::has_wildcard(&item.node)
                && catalog
                    .action(&item.node)
                    .is_some_and(|a| a.access_level().contains("Tagging"))
        })
}

/// Multivalued keys that list the names of other keys, with the prefix of those keys.
const MEMBER_KEYS: [(&str, &str); 3] = [
    ("aws:TagKeys", "aws:RequestTag/"),
    ("kms:EncryptionContextKeys", "kms:EncryptionContext:"),
    ("s3:RequestObjectTagKeys", "s3:RequestObjectTag/"),
];

#[cfg(test)]
mod tests {
    use orgctl_catalog::Catalog;

    use crate::{LintOptions, PolicyType};

    fn findings(src: &str, policy_type: PolicyType) -> Vec<(&'static str, String)> {
        let catalog = Catalog::embedded().unwrap();
        crate::lint_with(src, &LintOptions::new(policy_type), catalog)
            .findings
            .into_iter()
            .filter(|f| f.rule == super::RULE.name)
            .map(|f| (f.issue_code, src[f.span.start..f.span.end].to_owned()))
            .collect()
    }

    fn statement(effect: &str, condition: &str) -> String {
        format!(
            r#"{{"Version": "2012-10-17", "Statement": {{"Effect": "{effect}", "Action": "ec2:RunInstances", "Resource": "*", "Condition": {condition}}}}}"#
        )
    }

    fn pairs(expected: &[(&'static str, &str)]) -> Vec<(&'static str, String)> {
        expected
            .iter()
            .map(|(c, t)| (*c, (*t).to_owned()))
            .collect()
    }

    #[test]
    fn qualifiers_on_single_valued_keys() {
        let src = statement(
            "Deny",
            r#"{"ForAllValues:StringNotEquals": {"aws:RequestedRegion": "eu-west-1"}, "ForAnyValue:StringEquals": {"aws:PrincipalTag/team": "ops"}}"#,
        );
        assert_eq!(
            findings(&src, PolicyType::Scp),
            pairs(&[
                (
                    "FORALLVALUES_WITH_SINGLE_VALUED_KEY",
                    r#""aws:RequestedRegion""#
                ),
                (
                    "FORANYVALUE_WITH_SINGLE_VALUED_KEY",
                    r#""aws:PrincipalTag/team""#
                ),
            ])
        );
    }

    #[test]
    fn multivalued_key_without_qualifier() {
        let src = statement(
            "Deny",
            r#"{"StringEquals": {"aws:TagKeys": "team"}, "Null": {"aws:TagKeys": "false"}}"#,
        );
        assert_eq!(
            findings(&src, PolicyType::Scp),
            pairs(&[("MISSING_QUALIFIER", r#""aws:TagKeys""#)])
        );
    }

    #[test]
    fn for_all_values_in_an_allow() {
        let src = statement(
            "Allow",
            r#"{"ForAllValues:StringEquals": {"aws:TagKeys": ["team", "env"]}}"#,
        );
        assert_eq!(
            findings(&src, PolicyType::Identity),
            pairs(&[("FORALLVALUES_WITH_ALLOW", r#""aws:TagKeys""#)])
        );
        let guarded = statement(
            "Allow",
            r#"{"ForAllValues:StringEquals": {"aws:TagKeys": ["team", "env"]}, "Null": {"aws:tagkeys": "false"}}"#,
        );
        assert_eq!(findings(&guarded, PolicyType::Identity), pairs(&[]));
        // The pattern of AWS managed policies: a required tag implies tag keys in the request.
        let tagged = statement(
            "Allow",
            r#"{"ForAllValues:StringEquals": {"aws:TagKeys": ["team"]}, "StringEquals": {"aws:RequestTag/team": "ops"}}"#,
        );
        assert_eq!(findings(&tagged, PolicyType::Identity), pairs(&[]));
        let tag_only = r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": ["ec2:CreateTags", "ec2:DeleteTags"], "Resource": "*", "Condition": {"ForAllValues:StringEquals": {"aws:TagKeys": ["team"]}}}}"#;
        assert_eq!(findings(tag_only, PolicyType::Identity), pairs(&[]));
        let optional = statement(
            "Allow",
            r#"{"ForAllValues:StringEquals": {"aws:TagKeys": ["team"]}, "StringEqualsIfExists": {"aws:RequestTag/team": "ops"}}"#,
        );
        assert_eq!(
            findings(&optional, PolicyType::Identity),
            pairs(&[("FORALLVALUES_WITH_ALLOW", r#""aws:TagKeys""#)])
        );
    }

    #[test]
    fn documented_patterns_stay_silent() {
        // The IAM User Guide's tag-key deny, and the data-perimeter PrincipalOrgPaths check.
        let src = statement(
            "Deny",
            r#"{"ForAnyValue:StringLike": {"aws:TagKeys": "security:*", "aws:PrincipalOrgPaths": "o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/*"}, "ForAllValues:StringEquals": {"aws:TagKeys": ["team", "env"]}, "StringNotEquals": {"aws:RequestedRegion": "eu-west-1"}, "Null": {"aws:CalledVia": "true"}}"#,
        );
        assert_eq!(findings(&src, PolicyType::Scp), pairs(&[]));
    }

    #[test]
    fn region_deny_example_is_clean() {
        let src = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "NotAction": ["iam:*", "sts:*"], "Resource": "*",
            "Condition": {"StringNotEquals": {"aws:RequestedRegion": ["eu-central-1", "eu-west-1"]},
                          "ArnNotLike": {"aws:PrincipalARN": "arn:aws:iam::${Account}:role/[PRIVILEGED_ROLE]"}}}]}"#;
        assert_eq!(findings(src, PolicyType::Scp), pairs(&[]));
    }
}

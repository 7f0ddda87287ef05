//! ## What it does
//! Finds `aws:MultiFactorAuthPresent` conditions that do not do what they say, because the key
//! is absent from requests signed with long-term access keys (an IAM user's keys, the root
//! user's keys):
//!
//! - a `Deny` with `"Bool": {"aws:MultiFactorAuthPresent": "false"}` (or the same with
//!   `StringEquals`) without `IfExists`: for long-term keys the key is missing, the condition
//!   is false, and the request is not denied;
//! - an `Allow` with `"BoolIfExists": {"aws:MultiFactorAuthPresent": "true"}`: the missing key
//!   makes the condition true, so long-term keys are allowed without MFA;
//! - an `Allow` with `"Null": {"aws:MultiFactorAuthPresent": "false"}`: the key is present for
//!   every request with temporary credentials, with MFA or without.
//!
//! An `Allow` with `Bool` `true` and a `Deny` with `BoolIfExists` `false` are the documented
//! patterns and are left alone.
//!
//! ## Why is this bad?
//! The statement is meant to require MFA, and it lets through exactly the credentials that are
//! most often leaked: long-term access keys.
//!
//! ## Example
//! ```json
//! {"Effect": "Deny", "NotAction": "iam:ChangePassword", "Resource": "*",
//!  "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "false"}}}
//! ```
//!
//! Use instead:
//! ```json
//! {"Effect": "Deny", "NotAction": "iam:ChangePassword", "Resource": "*",
//!  "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}}
//! ```
//!
//! ## References
//! - IAM User Guide, AWS global condition context keys: `aws:MultiFactorAuthPresent`
//! - Parliament: `BAD_PATTERN_FOR_MFA`

use orgctl_policy::{BaseOperator, Effect};

use super::Rule;
use crate::context::LintContext;
use crate::finding::FindingType;

/// The rule.
pub const RULE: Rule = Rule {
    name: "mfa-pattern",
    summary: "MFA conditions that let long-term access keys through",
    docs: include_str!("mfa_pattern.rs"),
    check,
};

const KEY: &str = "aws:MultiFactorAuthPresent";

fn check(cx: &mut LintContext<'_>) {
    let policy = cx.policy;
    for statement in &policy.statements {
        let effect = statement.effect.node;
        for block in &statement.condition {
            let op = block.operator.node;
            if op.qualifier.is_some() {
                continue;
            }
            let equals = matches!(
                op.base,
                BaseOperator::Bool
                    | BaseOperator::StringEquals
                    | BaseOperator::StringEqualsIgnoreCase
            );
            for entry in &block.entries {
                if !entry.key.node.eq_ignore_ascii_case(KEY) {
                    continue;
                }
                let has = |want: &str| {
                    entry
                        .values
                        .iter()
                        .any(|v| v.node.as_text().eq_ignore_ascii_case(want))
                };
                let text = &block.operator_text;
                let found = match effect {
                    Effect::Deny if equals && !op.if_exists && has("false") => Some((
                        format!(
                            "`{text}` with `{KEY}` `false` does not deny requests signed with long-term access keys, which lack the key"
                        ),
                        format!(
                            "write `{text}IfExists` so that requests without the key are denied too"
                        ),
                    )),
                    Effect::Allow if equals && op.if_exists && has("true") => Some((
                        format!(
                            "`{text}` with `{KEY}` `true` allows requests without the key, such as those signed with long-term access keys, without MFA"
                        ),
                        format!(
                            "write `{}` so that only requests with MFA are allowed",
                            text.get(..text.len().saturating_sub("IfExists".len()))
                                .unwrap_or(text)
                        ),
                    )),
                    Effect::Allow if op.base == BaseOperator::Null && has("false") => Some((
                        format!(
                            "`Null` with `{KEY}` `false` only tests for temporary credentials: they carry the key with MFA or without"
                        ),
                        format!("write `\"Bool\": {{\"{KEY}\": \"true\"}}` to require MFA"),
                    )),
                    _ => None,
                };
                if let Some((message, hint)) = found {
                    cx.report(
                        FindingType::SecurityWarning,
                        "BAD_PATTERN_FOR_MFA",
                        block.operator.span,
                        message,
                        hint,
                    );
                }
            }
        }
    }
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

    fn statement(effect: &str, condition: &str) -> String {
        format!(
            r#"{{"Version": "2012-10-17", "Statement": {{"Effect": "{effect}", "NotAction": "iam:ChangePassword", "Resource": "*", "Condition": {condition}}}}}"#
        )
    }

    fn pairs(expected: &[(&'static str, &str)]) -> Vec<(&'static str, String)> {
        expected
            .iter()
            .map(|(c, t)| (*c, (*t).to_owned()))
            .collect()
    }

    #[test]
    fn deny_without_if_exists_misses_long_term_keys() {
        let src = statement(
            "Deny",
            r#"{"Bool": {"aws:MultiFactorAuthPresent": "false", "aws:SecureTransport": "true"}}"#,
        );
        assert_eq!(
            findings(&src),
            pairs(&[("BAD_PATTERN_FOR_MFA", r#""Bool""#)])
        );
        let bare = statement("Deny", r#"{"Bool": {"aws:multifactorauthpresent": false}}"#);
        assert_eq!(
            findings(&bare),
            pairs(&[("BAD_PATTERN_FOR_MFA", r#""Bool""#)])
        );
    }

    #[test]
    fn allow_patterns_that_let_long_term_keys_through() {
        let src = statement(
            "Allow",
            r#"{"BoolIfExists": {"aws:MultiFactorAuthPresent": "true"}, "Null": {"aws:MultiFactorAuthPresent": "false"}}"#,
        );
        assert_eq!(
            findings(&src),
            pairs(&[
                ("BAD_PATTERN_FOR_MFA", r#""BoolIfExists""#),
                ("BAD_PATTERN_FOR_MFA", r#""Null""#),
            ])
        );
    }

    #[test]
    fn documented_patterns_stay_silent() {
        let deny = statement(
            "Deny",
            r#"{"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}"#,
        );
        let allow = statement(
            "Allow",
            r#"{"Bool": {"aws:MultiFactorAuthPresent": "true"}}"#,
        );
        let deny_long_term = statement(
            "Deny",
            r#"{"Null": {"aws:MultiFactorAuthPresent": "true"}}"#,
        );
        for src in [deny, allow, deny_long_term] {
            assert_eq!(findings(&src), pairs(&[]), "{src}");
        }
    }

    #[test]
    fn region_deny_example_is_clean() {
        let src = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "NotAction": ["iam:*", "sts:*"], "Resource": "*",
            "Condition": {"StringNotEquals": {"aws:RequestedRegion": ["eu-central-1", "eu-west-1"]},
                          "ArnNotLike": {"aws:PrincipalARN": "arn:aws:iam::${Account}:role/[PRIVILEGED_ROLE]"}}}]}"#;
        assert_eq!(findings(src), pairs(&[]));
    }
}

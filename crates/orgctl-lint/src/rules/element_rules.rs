//! ## What it does
//! Checks that each element is where the policy type expects it, and is not empty:
//! - `Principal`/`NotPrincipal` in an identity policy (`UNSUPPORTED_PRINCIPAL`);
//! - a resource-policy statement without `Principal` (`MISSING_PRINCIPAL`);
//! - an identity or resource policy without `Version` (`MISSING_VERSION`; SCPs and RCPs are
//!   checked by `scp-syntax` and `rcp-syntax`);
//! - `${...}` policy variables in a policy whose version is `2008-10-17` or missing
//!   (`VARIABLE_UNSUPPORTED_IN_VERSION`);
//! - empty `Action`, `Resource` and `Principal` arrays (`EMPTY_ARRAY_*`) and empty `Sid`s
//!   (`EMPTY_SID_VALUE`);
//! - `Allow` with `NotPrincipal` in a resource policy (`ALLOW_WITH_NOTPRINCIPAL`).
//!
//! ## Why is this bad?
//! IAM rejects a `Principal` in an identity policy and a resource policy statement without
//! one. Without `Version: 2012-10-17`, `${aws:username}` is literal text: the statement matches
//! resources literally named `${aws:username}`, which is never what was meant. An empty array
//! matches nothing, so the statement does nothing. `Allow` with `NotPrincipal` grants access to
//! every principal not listed, including anonymous users and other accounts.
//!
//! ## Example
//! ```json
//! {"Statement": {"Effect": "Allow", "Action": "s3:*",
//!  "Resource": "arn:aws:s3:::home/${aws:username}/*"}}
//! ```
//!
//! Use instead:
//! ```json
//! {"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:*",
//!  "Resource": "arn:aws:s3:::home/${aws:username}/*"}}
//! ```
//!
//! ## References
//! - IAM User Guide, IAM JSON policy elements: `Version`, `Principal`, `NotPrincipal`
//! - IAM User Guide, policy variables ("treated as literal strings" without `2012-10-17`)
//! - IAM Access Analyzer policy checks: `UNSUPPORTED_PRINCIPAL`, `MISSING_PRINCIPAL`,
//!   `MISSING_VERSION`, `VARIABLE_UNSUPPORTED_IN_VERSION`, `EMPTY_ARRAY_ACTION`,
//!   `EMPTY_ARRAY_RESOURCE`, `EMPTY_ARRAY_PRINCIPAL`, `EMPTY_SID_VALUE`, `ALLOW_WITH_NOTPRINCIPAL`

use orgctl_policy::{Effect, Principal, Span, StringList, Version};

use super::Rule;
use crate::context::LintContext;
use crate::finding::FindingType;
use crate::options::PolicyType;

/// The rule.
pub const RULE: Rule = Rule {
    name: "element-placement",
    summary: "elements the policy type does not accept, missing or empty elements, variables without a version",
    docs: include_str!("element_rules.rs"),
    check,
};

fn check(cx: &mut LintContext<'_>) {
    let policy = cx.policy;
    let ty = cx.options.policy_type;
    if policy.version.is_none() && matches!(ty, PolicyType::Identity | PolicyType::Resource) {
        cx.report(
            FindingType::Warning,
            "MISSING_VERSION",
            Span::new(policy.span.start, policy.span.start + 1),
            "the policy has no `Version`, so it is read as version `2008-10-17`",
            "add `\"Version\": \"2012-10-17\"` as the first element",
        );
    }
    let old_version = policy.language_version() == Version::V2008_10_17;
    for st in &policy.statements {
        if let Some(sid) = &st.sid
            && sid.node.is_empty()
        {
            cx.report(
                FindingType::Suggestion,
                "EMPTY_SID_VALUE",
                sid.span,
                "the `Sid` is empty",
                "give the statement a descriptive `Sid`, or remove the element",
            );
        }
        if let Some(p) = &st.principal {
            let element = if p.negated {
                "NotPrincipal"
            } else {
                "Principal"
            };
            if ty == PolicyType::Identity {
                cx.report(
                    FindingType::Error,
                    "UNSUPPORTED_PRINCIPAL",
                    p.key_span,
                    format!("identity policies do not support `{element}`"),
                    "an identity policy applies to the user, group or role it is attached to; remove the element, or attach the statement to the resource as a resource policy",
                );
            }
            if ty == PolicyType::Resource && p.negated && st.effect.node == Effect::Allow {
                cx.report(
                    FindingType::SecurityWarning,
                    "ALLOW_WITH_NOTPRINCIPAL",
                    p.key_span,
                    "`Allow` with `NotPrincipal` allows every principal not listed, including anonymous users",
                    "name the principals to allow in `Principal` instead",
                );
            }
            if let Principal::Typed(entries) = &p.value {
                for (kind, list) in entries {
                    if is_empty_array(cx.src, list) {
                        cx.report(
                            FindingType::Suggestion,
                            "EMPTY_ARRAY_PRINCIPAL",
                            list.span,
                            format!(
                                "the `{}` principal list of `{element}` is empty",
                                kind.node.as_str()
                            ),
                            "list principals, or remove the empty entry",
                        );
                    }
                }
            }
        } else if ty == PolicyType::Resource {
            cx.report(
                FindingType::Error,
                "MISSING_PRINCIPAL",
                Span::new(st.span.start, st.span.start + 1),
                "the resource policy statement has no `Principal`",
                "name who the statement applies to, such as `\"Principal\": {\"AWS\": \"arn:aws:iam::111122223333:root\"}`",
            );
        }
        if is_empty_array(cx.src, &st.action.values) {
            let element = if st.action.negated {
                "NotAction"
            } else {
                "Action"
            };
            cx.report(
                FindingType::Suggestion,
                "EMPTY_ARRAY_ACTION",
                st.action.values.span,
                format!("`{element}` is an empty array"),
                if st.action.negated {
                    "list the actions to exclude; an empty `NotAction` covers every action"
                } else {
                    "list the actions, or remove the statement: it matches no action"
                },
            );
        }
        if let Some(r) = &st.resource
            && is_empty_array(cx.src, &r.values)
        {
            let element = if r.negated { "NotResource" } else { "Resource" };
            cx.report(
                FindingType::Suggestion,
                "EMPTY_ARRAY_RESOURCE",
                r.values.span,
                format!("`{element}` is an empty array"),
                if r.negated {
                    "list the resources to exclude; an empty `NotResource` covers every resource"
                } else {
                    "list the resources, or remove the statement: it matches no resource"
                },
            );
        }
        if old_version {
            for (text, span, element) in variable_strings(st) {
                if let Some(var) = first_variable(text) {
                    cx.report(
                        FindingType::Warning,
                        "VARIABLE_UNSUPPORTED_IN_VERSION",
                        span,
                        format!(
                            "`{var}` in `{element}` is literal text: policy variables need version `2012-10-17`"
                        ),
                        "set `\"Version\": \"2012-10-17\"` so that IAM substitutes the variable",
                    );
                }
            }
        }
    }
}

/// Whether the list was written as `[]` (and not as an array whose entries were all invalid).
fn is_empty_array(src: &str, list: &StringList) -> bool {
    list.is_array
        && list.items.is_empty()
        && src.get(list.span.start..list.span.end).is_some_and(|t| {
            t.trim_start_matches('[')
                .trim_end_matches(']')
                .trim()
                .is_empty()
        })
}

/// The strings of a statement where IAM substitutes variables: resources and the values of
/// string and ARN conditions.
fn variable_strings(st: &orgctl_policy::Statement) -> Vec<(&str, Span, &'static str)> {
    let mut out = Vec::new();
    if let Some(r) = &st.resource {
        let element = if r.negated { "NotResource" } else { "Resource" };
        out.extend(
            r.values
                .items
                .iter()
                .map(|i| (i.node.as_str(), i.span, element)),
        );
    }
    for block in &st.condition {
        if !block.operator.node.base.takes_variables() {
            continue;
        }
        for entry in &block.entries {
            for v in &entry.values {
                if let orgctl_policy::ConditionValue::String(s) = &v.node {
                    out.push((s.as_str(), v.span, "Condition"));
                }
            }
        }
    }
    out
}

/// The first `${...}` in `text` that is written like a policy variable (`${aws:username}`,
/// `${*}`), not like a template placeholder (`${Account}`, which `template-placeholder` reports).
fn first_variable(text: &str) -> Option<&str> {
    let mut from = 0;
    while let Some(start) = text
        .get(from..)
        .and_then(|t| t.find("${"))
        .map(|i| from + i)
    {
        let body_start = start + 2;
        let end = text.get(body_start..)?.find('}')? + body_start;
        let inner = text.get(body_start..end)?;
        let key = inner.split(',').next().unwrap_or_default().trim();
        if matches!(key, "*" | "?" | "$") || key.contains(':') {
            return text.get(start..=end);
        }
        from = end + 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::options::LintOptions;

    fn lint(src: &str, ty: PolicyType) -> Vec<(&'static str, String)> {
        let report = crate::lint_with(
            src,
            &LintOptions::new(ty),
            orgctl_catalog::Catalog::embedded().unwrap(),
        );
        report
            .findings
            .iter()
            .filter(|f| f.rule == RULE.name)
            .map(|f| (f.issue_code, src[f.span.start..f.span.end].to_owned()))
            .collect()
    }

    fn s(code: &'static str, text: &str) -> (&'static str, String) {
        (code, text.to_owned())
    }

    #[test]
    fn principal_in_identity_policy() {
        let src = r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow",
            "Principal": {"AWS": "*"}, "Action": "s3:GetObject", "Resource": "*"}}"#;
        assert_eq!(
            lint(src, PolicyType::Identity),
            [s("UNSUPPORTED_PRINCIPAL", r#""Principal""#)]
        );
        // SCPs are scp-syntax's business.
        assert!(lint(src, PolicyType::Scp).is_empty());
    }

    #[test]
    fn resource_policy_principals() {
        let src = r#"{"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"},
            {"Effect": "Allow", "NotPrincipal": {"AWS": "arn:aws:iam::111122223333:root"},
             "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"},
            {"Effect": "Deny", "NotPrincipal": {"AWS": "arn:aws:iam::111122223333:root"},
             "Action": "s3:*", "Resource": "arn:aws:s3:::b/*"},
            {"Effect": "Allow", "Principal": {"AWS": []}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}]}"#;
        assert_eq!(
            lint(src, PolicyType::Resource),
            [
                s("MISSING_PRINCIPAL", "{"),
                s("ALLOW_WITH_NOTPRINCIPAL", r#""NotPrincipal""#),
                s("EMPTY_ARRAY_PRINCIPAL", "[]"),
            ]
        );
    }

    #[test]
    fn missing_version_and_literal_variables() {
        let src = r#"{"Statement": {"Effect": "Allow", "Action": "s3:*",
            "Resource": ["arn:aws:s3:::home/${aws:username}/*", "arn:aws:s3:::${Account}"],
            "Condition": {"StringLike": {"s3:prefix": "${aws:username}/*"},
                          "NumericLessThan": {"s3:max-keys": "${aws:username}"}}}}"#;
        assert_eq!(
            lint(src, PolicyType::Identity),
            [
                s("MISSING_VERSION", "{"),
                s(
                    "VARIABLE_UNSUPPORTED_IN_VERSION",
                    r#""arn:aws:s3:::home/${aws:username}/*""#
                ),
                s("VARIABLE_UNSUPPORTED_IN_VERSION", r#""${aws:username}/*""#),
            ]
        );
        let old = src.replacen('{', r#"{"Version": "2008-10-17", "#, 1);
        assert_eq!(lint(&old, PolicyType::Identity).len(), 2);
        let new = src.replacen('{', r#"{"Version": "2012-10-17", "#, 1);
        assert!(lint(&new, PolicyType::Identity).is_empty());
        // SCPs: the missing version is scp-syntax's; the literal variable is still reported.
        assert_eq!(
            lint(src, PolicyType::Scp)
                .iter()
                .filter(|(c, _)| *c == "MISSING_VERSION")
                .count(),
            0
        );
    }

    #[test]
    fn empty_arrays_and_sid() {
        let src = r#"{"Version": "2012-10-17", "Statement": [
            {"Sid": "", "Effect": "Deny", "Action": [ ], "Resource": []},
            {"Effect": "Deny", "NotAction": [], "Resource": "*"}]}"#;
        assert_eq!(
            lint(src, PolicyType::Scp),
            [
                s("EMPTY_SID_VALUE", r#""""#),
                s("EMPTY_ARRAY_ACTION", "[ ]"),
                s("EMPTY_ARRAY_RESOURCE", "[]"),
                s("EMPTY_ARRAY_ACTION", "[]"),
            ]
        );
    }

    #[test]
    fn silent_on_well_formed_policies() {
        let trust = r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow",
            "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}}"#;
        assert!(lint(trust, PolicyType::Resource).is_empty());
        let identity = r#"{"Version": "2012-10-17", "Statement": {"Sid": "Home", "Effect": "Allow",
            "Action": "s3:*", "Resource": "arn:aws:s3:::home/${aws:username}/*"}}"#;
        assert!(lint(identity, PolicyType::Identity).is_empty());
        for src in [
            include_str!("../../../../examples/docustack/policies/RegionDeny.json"),
            include_str!("../../../../examples/docustack/policies/RequireS3Encryption.json"),
            include_str!("../../../../examples/docustack/policies/FullAWSAccess.json"),
        ] {
            assert!(lint(src, PolicyType::Scp).is_empty());
        }
    }

    #[test]
    fn variables_are_told_from_placeholders() {
        assert_eq!(
            first_variable("a/${aws:username}/b"),
            Some("${aws:username}")
        );
        assert_eq!(first_variable("${Account}-${*}"), Some("${*}"));
        assert_eq!(first_variable("${Account}"), None);
        assert_eq!(first_variable("${unclosed"), None);
    }
}

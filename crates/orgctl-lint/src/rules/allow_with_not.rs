//! ## What it does
//! Finds `Allow` statements that use `NotAction` or `NotResource`.
//!
//! ## Why is this bad?
//! `Allow` with `NotAction` allows every action that is not listed, in every service, including
//! the actions AWS adds later; `Allow` with `NotResource` allows the actions on every resource
//! that is not listed, including resources created later and resources of other accounts.
//! Such statements read like narrow exceptions but grant almost everything, and their reach
//! grows without anyone editing them. In an SCP, an `Allow` only sets the ceiling of what the
//! accounts may do, so `Allow` + `NotAction` keeps the listed actions out only when no other SCP
//! at the same level allows them, which `FullAWSAccess` does.
//!
//! ## Example
//! ```json
//! {"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}
//! ```
//!
//! Use instead (list what is granted, and deny what must never be):
//! ```json
//! {"Effect": "Allow", "Action": ["ec2:*", "s3:*", "cloudwatch:*"], "Resource": "*"}
//! ```
//!
//! ## References
//! - IAM User Guide, IAM JSON policy elements: `NotAction` ("use caution: ... allows all
//!   actions not listed") and `NotResource`
//! - AWS Organizations User Guide, SCP syntax and inheritance (an SCP `Allow` grants nothing)

use orgctl_policy::Effect;

use super::Rule;
use crate::context::LintContext;
use crate::finding::FindingType;
use crate::options::PolicyType;

/// The rule.
pub const RULE: Rule = Rule {
    name: "allow-with-not",
    summary: "`Allow` statements with `NotAction` or `NotResource`",
    docs: include_str!("allow_with_not.rs"),
    check,
};

fn check(cx: &mut LintContext<'_>) {
    let ty = cx.options.policy_type;
    // Custom RCPs cannot allow at all; rcp-syntax reports it.
    if ty == PolicyType::Rcp {
        return;
    }
    for st in &cx.policy.statements {
        if st.effect.node != Effect::Allow {
            continue;
        }
        if st.action.negated {
            cx.report(
                FindingType::SecurityWarning,
                "ALLOW_WITH_NOTACTION",
                st.action.key_span,
                "`Allow` with `NotAction` allows every action not listed, including those AWS adds later",
                match ty {
                    PolicyType::Scp => {
                        "in an SCP, list the permitted actions in `Action` (an allow list), or keep `FullAWSAccess` and deny the unwanted actions in a `Deny` statement"
                    }
                    PolicyType::Resource => {
                        "list the actions the principal may perform on this resource in `Action`"
                    }
                    PolicyType::Identity | PolicyType::Rcp => {
                        "list the allowed actions in `Action`; if broad access is intended, write `\"Action\": \"*\"` with `Deny` statements for the exceptions so that reviewers see it"
                    }
                },
            );
        }
        if let Some(r) = &st.resource
            && r.negated
        {
            cx.report(
                FindingType::SecurityWarning,
                "ALLOW_WITH_NOTRESOURCE",
                r.key_span,
                "`Allow` with `NotResource` allows the actions on every resource not listed, including those created later and those of other accounts",
                match ty {
                    PolicyType::Scp => {
                        "in an SCP, allow `\"Resource\": \"*\"` and deny the excluded resources in a `Deny` statement"
                    }
                    PolicyType::Identity | PolicyType::Resource | PolicyType::Rcp => {
                        "list the allowed resources in `Resource`; to exclude some, add a `Deny` statement for them"
                    }
                },
            );
        }
    }
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

    const BOTH: &str = r#"{"Version": "2012-10-17", "Statement": {"Effect": "Allow",
        "NotAction": "iam:*", "NotResource": "arn:aws:s3:::secret/*"}}"#;

    #[test]
    fn fires_on_allow_with_not_elements() {
        let expected = [
            ("ALLOW_WITH_NOTACTION", r#""NotAction""#.to_owned()),
            ("ALLOW_WITH_NOTRESOURCE", r#""NotResource""#.to_owned()),
        ];
        assert_eq!(lint(BOTH, PolicyType::Identity), expected);
        assert_eq!(lint(BOTH, PolicyType::Scp), expected);
    }

    #[test]
    fn hint_depends_on_policy_type() {
        let hint = |ty| {
            crate::lint_with(
                BOTH,
                &LintOptions::new(ty),
                orgctl_catalog::Catalog::embedded().unwrap(),
            )
            .findings
            .into_iter()
            .find(|f| f.issue_code == "ALLOW_WITH_NOTACTION")
            .and_then(|f| f.hint)
            .unwrap()
        };
        assert!(hint(PolicyType::Scp).contains("FullAWSAccess"));
        assert!(!hint(PolicyType::Identity).contains("FullAWSAccess"));
    }

    #[test]
    fn silent_on_deny_and_rcps() {
        let deny = r#"{"Version": "2012-10-17", "Statement": {"Effect": "Deny",
            "NotAction": "iam:*", "NotResource": "arn:aws:s3:::secret/*"}}"#;
        assert!(lint(deny, PolicyType::Identity).is_empty());
        assert!(lint(BOTH, PolicyType::Rcp).is_empty());
        assert!(
            lint(
                include_str!("../../../../examples/docustack/policies/RegionDeny.json"),
                PolicyType::Scp
            )
            .is_empty()
        );
    }
}

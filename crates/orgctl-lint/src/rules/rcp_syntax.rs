//! ## What it does
//! Checks an RCP against the RCP language of AWS Organizations: custom RCPs may only `Deny`
//! (`Allow` is reserved for the AWS-managed `RCPFullAWSAccess`), `NotAction` and `NotPrincipal`
//! are not supported, `Principal` should be `"*"`, `Version` must be `2012-10-17`, and every
//! action must belong to a service whose resources RCPs govern.
//!
//! ## Why is this bad?
//! AWS Organizations rejects the policy, or, for actions of services RCPs do not cover, accepts
//! it and never applies the statement: the perimeter has a hole nobody sees.
//!
//! ## Example
//! ```json
//! {"Effect": "Deny", "Principal": "*", "Action": ["s3:*", "ec2:*"], "Resource": "*",
//!  "Condition": {"StringNotEqualsIfExists": {"aws:PrincipalOrgID": "o-abc"}}}
//! ```
//!
//! Use instead (EC2 resources are not governed by RCPs; protect them with an SCP):
//! ```json
//! {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*",
//!  "Condition": {"StringNotEqualsIfExists": {"aws:PrincipalOrgID": "o-abc"}}}
//! ```
//!
//! ## References
//! - AWS Organizations User Guide, RCP syntax and supported services

use orgctl_policy::{Effect, Principal};

use super::Rule;
use crate::context::LintContext;
use crate::finding::FindingType;
use crate::options::PolicyType;

/// The rule.
pub const RULE: Rule = Rule {
    name: "rcp-syntax",
    summary: "elements, effects and services the RCP language does not accept",
    docs: include_str!("rcp_syntax.rs"),
    check,
};

fn check(cx: &mut LintContext<'_>) {
    if cx.options.policy_type != PolicyType::Rcp {
        return;
    }
    match &cx.policy.version {
        Some(v) if v.node == "2012-10-17" => {}
        Some(v) => cx.report(
            FindingType::Error,
            "INVALID_VERSION",
            v.span,
            format!("an RCP must use version `2012-10-17`, not `{}`", v.node),
            "set `\"Version\": \"2012-10-17\"`",
        ),
        None => cx.report(
            FindingType::Error,
            "MISSING_VERSION",
            orgctl_policy::Span::new(cx.policy.span.start, cx.policy.span.start + 1),
            "the RCP has no `Version`",
            "every RCP needs `\"Version\": \"2012-10-17\"`",
        ),
    }
    let catalog = cx.catalog;
    for st in &cx.policy.statements {
        if st.effect.node == Effect::Allow {
            cx.report(
                FindingType::Error,
                "RCP_SYNTAX_ERROR_ALLOW",
                st.effect.span,
                "custom RCPs can only deny",
                "`Allow` is reserved for the AWS-managed `RCPFullAWSAccess`, which is always attached; write a `Deny` with the conditions to enforce",
            );
        }
        if st.action.negated {
            cx.report(
                FindingType::Error,
                "RCP_SYNTAX_ERROR_NOTACTION",
                st.action.key_span,
                "RCPs do not support `NotAction`",
                "list the actions to deny in `Action`",
            );
        }
        match &st.principal {
            Some(p) if p.negated => cx.report(
                FindingType::Error,
                "RCP_SYNTAX_ERROR_NOTPRINCIPAL",
                p.key_span,
                "RCPs do not support `NotPrincipal`",
                "use `\"Principal\": \"*\"` and exclude principals with conditions such as `aws:PrincipalOrgID`",
            ),
            Some(p) if !matches!(p.value, Principal::Any) => cx.report(
                FindingType::Warning,
                "RCP_PRINCIPAL_NOT_STAR",
                p.span,
                "RCP statements are written with `\"Principal\": \"*\"`",
                "select principals with conditions such as `aws:PrincipalOrgID` or `aws:PrincipalIsAWSService`",
            ),
            Some(_) => {}
            None => cx.report(
                FindingType::Error,
                "MISSING_PRINCIPAL",
                orgctl_policy::Span::new(st.span.start, st.span.start + 1),
                "the RCP statement has no `Principal`",
                "add `\"Principal\": \"*\"`",
            ),
        }
        if st.action.negated {
            continue;
        }
        for item in &st.action.values.items {
            let service = item.node.split_once(':').map(|(s, _)| s);
            let Some(service) = service.filter(|s| !orgctl_policy::glob::has_wildcard(s)) else {
                continue;
            };
            if catalog.service(service).is_some_and(|s| !s.rcp_supported()) {
                let supported: Vec<&str> = catalog.rcp_services().collect();
                cx.report(
                    FindingType::Error,
                    "RCP_UNSUPPORTED_SERVICE",
                    item.span,
                    format!("RCPs do not govern `{service}` resources: this entry never applies"),
                    format!(
                        "RCPs cover {} services ({}, ...); protect `{service}` with an SCP instead",
                        supported.len(),
                        supported
                            .iter()
                            .take(8)
                            .copied()
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                );
            }
        }
    }
}

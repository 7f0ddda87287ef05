//! ## What it does
//! Checks an SCP against the SCP language of AWS Organizations, in the dialect the options
//! select. In both dialects: `Version` must be `2012-10-17`, and `Principal`/`NotPrincipal` are
//! not supported. In the legacy dialect (before 19 September 2025) also: `Condition`,
//! `NotAction` and specific `Resource`s only in `Deny` statements, no `NotResource`, and action
//! wildcards only at the end of the action.
//!
//! ## Why is this bad?
//! AWS Organizations rejects such a policy, so a guardrail that looks written is not in force.
//! Organizations that still manage SCPs with tools that assume the legacy rules need the
//! legacy checks; since 19 September 2025 the full IAM language is accepted.
//!
//! ## Example
//! ```json
//! {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*",
//!  "Condition": {"StringNotEquals": {"aws:PrincipalAccount": "111122223333"}}}
//! ```
//!
//! Use instead (SCPs apply to the account's principals; select them with conditions):
//! ```json
//! {"Effect": "Deny", "Action": "s3:*", "Resource": "*",
//!  "Condition": {"ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/Admin"}}}
//! ```
//!
//! ## References
//! - AWS Organizations User Guide, SCP syntax
//! - AWS Security Blog, "service control policy now supports full IAM language" (September 2025)
//! - IAM Access Analyzer policy checks: `SCP_SYNTAX_ERROR_*`

use orgctl_policy::Effect;

use super::Rule;
use crate::context::LintContext;
use crate::finding::FindingType;
use crate::options::{PolicyType, ScpDialect};

/// The rule.
pub const RULE: Rule = Rule {
    name: "scp-syntax",
    summary: "elements the SCP language does not accept, in the selected dialect",
    docs: include_str!("scp_syntax.rs"),
    check,
};

fn check(cx: &mut LintContext<'_>) {
    if cx.options.policy_type != PolicyType::Scp {
        return;
    }
    match &cx.policy.version {
        None => cx.report(
            FindingType::Error,
            "MISSING_VERSION",
            orgctl_policy::Span::new(cx.policy.span.start, cx.policy.span.start + 1),
            "the SCP has no `Version`",
            "every SCP needs `\"Version\": \"2012-10-17\"`",
        ),
        Some(v) if v.node != "2012-10-17" => cx.report(
            FindingType::Error,
            "INVALID_VERSION",
            v.span,
            format!("an SCP must use version `2012-10-17`, not `{}`", v.node),
            "set `\"Version\": \"2012-10-17\"`",
        ),
        Some(_) => {}
    }
    let legacy = cx.options.scp_dialect == ScpDialect::Legacy;
    for st in &cx.policy.statements {
        if let Some(p) = &st.principal {
            let element = if p.negated {
                "NotPrincipal"
            } else {
                "Principal"
            };
            cx.report(
                FindingType::Error,
                "SCP_SYNTAX_ERROR_PRINCIPAL",
                p.key_span,
                format!("SCPs do not support `{element}`"),
                "an SCP applies to every principal of the accounts it is attached to; select principals with a condition on `aws:PrincipalArn`",
            );
        }
        if !legacy {
            continue;
        }
        let allow = st.effect.node == Effect::Allow;
        if allow && let Some(span) = st.condition_span {
            cx.report(
                FindingType::Error,
                "SCP_SYNTAX_ERROR_ALLOW_CONDITION",
                span,
                "legacy SCPs accept `Condition` only in `Deny` statements",
                "move the condition into a `Deny` statement, or lint with the current SCP dialect",
            );
        }
        if allow && st.action.negated {
            cx.report(
                FindingType::Error,
                "SCP_SYNTAX_ERROR_ALLOW_NOTACTION",
                st.action.key_span,
                "legacy SCPs accept `NotAction` only in `Deny` statements",
                "list the allowed actions in `Action`, or lint with the current SCP dialect",
            );
        }
        if let Some(r) = &st.resource {
            if r.negated {
                cx.report(
                    FindingType::Error,
                    "SCP_SYNTAX_ERROR_NOTRESOURCE",
                    r.key_span,
                    "legacy SCPs do not support `NotResource`",
                    "use `Resource`, or lint with the current SCP dialect",
                );
            } else if allow && r.values.items.iter().any(|v| v.node != "*") {
                cx.report(
                    FindingType::Error,
                    "SCP_SYNTAX_ERROR_ALLOW_RESOURCE",
                    r.values.span,
                    "legacy SCPs accept only `\"Resource\": \"*\"` in `Allow` statements",
                    "allow `*` and deny the resources to exclude, or lint with the current SCP dialect",
                );
            }
        }
        for item in &st.action.values.items {
            let name = item
                .node
                .split_once(':')
                .map_or(item.node.as_str(), |(_, n)| n);
            let inner = name.trim_end_matches(['*', '?']);
            if inner.contains(['*', '?']) || (name.is_empty() && item.node != "*") {
                cx.report(
                    FindingType::Error,
                    "SCP_SYNTAX_ERROR_ACTION_WILDCARD",
                    item.span,
                    format!("legacy SCPs accept wildcards only at the end of an action, not in `{}`", item.node),
                    "list the matching actions (`orgctl expand` shows them), or lint with the current SCP dialect",
                );
            }
        }
    }
}

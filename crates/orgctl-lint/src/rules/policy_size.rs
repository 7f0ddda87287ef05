//! ## What it does
//! Measures an SCP or RCP the way AWS Organizations counts it, in characters, both as written
//! (what an API call sends) and minified (what the console stores), and reports a policy over
//! the quota set in the options (10,240 characters since 2026; 5,120 before).
//!
//! ## Why is this bad?
//! AWS rejects the policy when it is created or updated, typically in the middle of a
//! deployment. Whitespace counts when a policy is sent through the API or the CLI, so a policy
//! can be under the quota minified and over it as written.
//!
//! ## Example
//! A region-lock SCP with a long exemption list, pretty-printed, at 5,300 characters under the
//! 5,120 quota.
//!
//! Use instead: send the minified form (the finding gives its size), or split the statements
//! into two SCPs.
//!
//! ## References
//! - AWS Organizations User Guide, quotas; IAM Access Analyzer `POLICY_SIZE_EXCEEDS_SCP_QUOTA`

use orgctl_policy::Size;

use super::Rule;
use crate::context::LintContext;
use crate::finding::FindingType;
use crate::options::PolicyType;

/// The rule.
pub const RULE: Rule = Rule {
    name: "policy-size",
    summary: "SCPs and RCPs larger than the Organizations quota",
    docs: include_str!("policy_size.rs"),
    check,
};

fn check(cx: &mut LintContext<'_>) {
    let code = match cx.options.policy_type {
        PolicyType::Scp => "POLICY_SIZE_EXCEEDS_SCP_QUOTA",
        PolicyType::Rcp => "POLICY_SIZE_EXCEEDS_RCP_QUOTA",
        _ => return,
    };
    let limit = cx.options.limits.policy_chars;
    let written = Size::of(cx.src);
    let minified = cx.policy.minified_size();
    let head = orgctl_policy::Span::new(cx.policy.span.start, cx.policy.span.start + 1);
    if minified.chars > limit {
        cx.report(
            FindingType::Error,
            code,
            head,
            format!(
                "the policy is {} characters even minified, over the quota of {limit}",
                minified.chars
            ),
            "split the statements over two policies, or shorten action lists with wildcards",
        );
    } else if written.chars > limit {
        cx.report(
            FindingType::Warning,
            code,
            head,
            format!(
                "the policy is {} characters as written, over the quota of {limit}; minified it is {}",
                written.chars, minified.chars
            ),
            "whitespace counts when the policy is sent through the API: send the minified form",
        );
    }
}

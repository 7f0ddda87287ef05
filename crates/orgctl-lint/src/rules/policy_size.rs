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

use orgctl_policy::{ConditionValue, Policy, Size};

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
    if written.chars <= limit && !minified_may_grow(cx.policy) {
        // Minified, the policy is no longer than as written: under the quota too.
        return;
    }
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

/// Whether the minified form of `policy` can be longer than its text as written. Writing the
/// policy out drops whitespace, comments and duplicates, and writes each string with the
/// fewest escapes JSON allows, so it never adds characters; only a number in a condition can
/// grow, since it is written as a JSON number reads (`1e3` as `1000.0`).
pub(crate) fn minified_may_grow(policy: &Policy) -> bool {
    policy.statements.iter().any(|st| {
        st.condition.iter().any(|block| {
            block.entries.iter().any(|e| {
                e.values
                    .iter()
                    .any(|v| matches!(v.node, ConditionValue::Number(_)))
            })
        })
    })
}

#[cfg(test)]
mod tests {
    #![allow(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        reason = "test code"
    )]

    use std::path::Path;

    use orgctl_policy::{Policy, Size};

    use super::minified_may_grow;

    fn files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                files(&path, out);
            } else if path.extension().is_some_and(|e| e == "json") {
                out.push(path);
            }
        }
    }

    /// The rule skips measuring the minified form when it cannot be longer than the text:
    /// checked on every policy of the corpora and on texts written to be awkward.
    #[test]
    fn minified_is_never_longer_unless_a_number_can_grow() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/policies");
        let mut paths = Vec::new();
        files(&root, &mut paths);
        assert!(paths.len() > 1000, "the corpora are in place");
        let mut texts: Vec<String> = paths
            .iter()
            .map(|p| String::from_utf8_lossy(&std::fs::read(p).unwrap()).into_owned())
            .collect();
        texts.extend(
            [
                r#"{"Statement":{"Effect":"Allow","Action":"s3:\u0047etObject","Resource":"*"}}"#,
                r#"{"Statement":[{"Effect":"Deny","Action":["a:b","a:b"],"Resource":"\/x\ud83d\ude00\n"}]}"#,
                r#"{"Statement":{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":false},"StringEquals":{"k":"é\"\\"}}}}"#,
                r#"{"Statement":{"Effect":"Allow","Principal":{"AWS":["1","2"]},"Action":"*","Resource":"*"}, "Statement":[]}"#,
                r#"{"Statement":[{"Action":"s3:*","Resource":"*"},{"Effect":"Deny","Action":"s3:*","Resource":"*"}]}"#,
            ]
            .map(str::to_owned),
        );
        let mut measured = 0;
        for text in &texts {
            let (Some(policy), _) = Policy::parse_with_errors(text) else {
                continue;
            };
            measured += 1;
            if !minified_may_grow(&policy) {
                let (minified, written) = (policy.minified_size(), Size::of(text));
                assert!(minified.chars <= written.chars, "{text}");
            }
        }
        assert!(measured > 1000);
        // A number can grow: the check is needed.
        let grows = r#"{"Statement":{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"NumericLessThan":{"k":1e3}}}}"#;
        let (policy, _) = Policy::parse_with_errors(grows);
        let policy = policy.unwrap();
        assert!(minified_may_grow(&policy));
        assert!(policy.minified_size().chars > Size::of(grows).chars);
    }
}

//! ## What it does
//! Finds identity-policy `Allow` statements that let the principal pass any role: an action
//! matching `iam:PassRole` (the action itself, `iam:Pass*`, `iam:*`, `*`, or a `NotAction` that
//! does not exclude it) together with `"Resource": "*"` or a `NotResource` that does not exclude
//! roles, and no `iam:PassedToService` condition.
//!
//! ## Why is this bad?
//! Passing a role hands its permissions to a service: whoever can launch an instance, a Lambda
//! function or a CloudFormation stack with an administrator role has the administrator's
//! permissions. `iam:PassRole` on `*` is one of the most common privilege escalation paths.
//! SCPs and RCPs are not checked: their `Allow` grants nothing.
//!
//! ## Example
//! ```json
//! {"Effect": "Allow", "Action": ["ec2:RunInstances", "iam:PassRole"], "Resource": "*"}
//! ```
//!
//! Use instead:
//! ```json
//! {"Effect": "Allow", "Action": "iam:PassRole",
//!  "Resource": "arn:aws:iam::111122223333:role/app-instance-role",
//!  "Condition": {"StringEquals": {"iam:PassedToService": "ec2.amazonaws.com"}}}
//! ```
//!
//! ## References
//! - IAM Access Analyzer policy checks: `PASS_ROLE_WITH_STAR_IN_RESOURCE`,
//!   `PASS_ROLE_WITH_STAR_IN_ACTION_AND_RESOURCE`, `PASS_ROLE_WITH_NOTRESOURCE`,
//!   `PASS_ROLE_WITH_STAR_IN_ACTION_AND_NOTRESOURCE`, `PASS_ROLE_WITH_STAR_IN_RESOURCE_AND_NOTACTION`,
//!   `PASS_ROLE_WITH_NOTACTION_AND_NOTRESOURCE`
//! - IAM User Guide, granting a user permissions to pass a role to an AWS service

use orgctl_policy::glob::{self, Case};
use orgctl_policy::{Effect, Span, Statement};

use super::Rule;
use crate::context::LintContext;
use crate::finding::FindingType;
use crate::options::PolicyType;

/// The rule.
pub const RULE: Rule = Rule {
    name: "pass-role",
    summary: "identity policies that allow passing any role",
    docs: include_str!("pass_role.rs"),
    check,
};

const PASS_ROLE: &str = "iam:PassRole";
/// A role ARN that stands for "some role of the account" when testing `NotResource`.
const SOME_ROLE: &str = "arn:aws:iam::111122223333:role/orgctl-lint-probe";
const HINT: &str = "list the roles in `Resource`, and limit the services with a condition on `iam:PassedToService`";

fn check(cx: &mut LintContext<'_>) {
    if cx.options.policy_type != PolicyType::Identity {
        return;
    }
    let mut found: Vec<(&'static str, Span, String)> = Vec::new();
    for st in &cx.policy.statements {
        if st.effect.node != Effect::Allow || limits_services(st) {
            continue;
        }
        let Some(resource) = &st.resource else {
            continue;
        };
        // How the statement reaches iam:PassRole: through an `Action` entry, or a `NotAction`
        // that does not exclude it.
        let via = if st.action.negated {
            let excluded = st
                .action
                .values
                .items
                .iter()
                .any(|i| matches_pass_role(&i.node));
            if excluded {
                continue;
            }
            None
        } else {
            let Some(item) = st
                .action
                .values
                .items
                .iter()
                .filter(|i| matches_pass_role(&i.node))
                // Prefer the entry that names the action most broadly.
                .max_by_key(|i| is_star_action(&i.node))
            else {
                continue;
            };
            Some(item)
        };
        let star_action = via.is_some_and(|i| is_star_action(&i.node));
        let action_text = via.map_or_else(
            || "`NotAction`".to_owned(),
            |i| {
                if i.node.eq_ignore_ascii_case(PASS_ROLE) {
                    format!("`{}`", i.node)
                } else {
                    format!("`{}` (which includes `{PASS_ROLE}`)", i.node)
                }
            },
        );
        if resource.negated {
            let roles_excluded = resource
                .values
                .items
                .iter()
                .any(|i| glob::matches(&glob::segments(&i.node), SOME_ROLE, Case::Sensitive));
            if roles_excluded {
                continue;
            }
            let code = match (via.is_none(), star_action) {
                (true, _) => "PASS_ROLE_WITH_NOTACTION_AND_NOTRESOURCE",
                (false, true) => "PASS_ROLE_WITH_STAR_IN_ACTION_AND_NOTRESOURCE",
                (false, false) => "PASS_ROLE_WITH_NOTRESOURCE",
            };
            found.push((
                code,
                resource.key_span,
                format!(
                    "{action_text} with `NotResource` allows passing every role not listed to any service"
                ),
            ));
        } else if let Some(star) = resource.values.items.iter().find(|i| i.node == "*") {
            let code = match (via.is_none(), star_action) {
                (true, _) => "PASS_ROLE_WITH_STAR_IN_RESOURCE_AND_NOTACTION",
                (false, true) => "PASS_ROLE_WITH_STAR_IN_ACTION_AND_RESOURCE",
                (false, false) => "PASS_ROLE_WITH_STAR_IN_RESOURCE",
            };
            let action_text = if via.is_none() {
                format!("`NotAction` (which does not exclude `{PASS_ROLE}`)")
            } else {
                action_text
            };
            found.push((
                code,
                star.span,
                format!(
                    "{action_text} on `*` allows passing any role of the account to any service"
                ),
            ));
        }
    }
    for (code, span, message) in found {
        cx.report(FindingType::SecurityWarning, code, span, message, HINT);
    }
}

/// Whether an action pattern matches `iam:PassRole`.
fn matches_pass_role(pattern: &str) -> bool {
    // The text before the first wildcard (all of it, without one) must start `iam:PassRole`:
    // a quick answer for nearly every action.
    let head = pattern
        .bytes()
        .position(|b| b == b'*' || b == b'?')
        .unwrap_or(pattern.len());
    let compatible = PASS_ROLE
        .as_bytes()
        .get(..head)
        .zip(pattern.as_bytes().get(..head))
        .is_some_and(|(p, h)| p.eq_ignore_ascii_case(h));
    if !compatible {
        return false;
    }
    if head == pattern.len() {
        return head == PASS_ROLE.len();
    }
    glob::matches(&glob::segments(pattern), PASS_ROLE, Case::AsciiInsensitive)
}

/// `*`, `iam:*` and the like: a wildcard for the whole action name.
fn is_star_action(pattern: &str) -> bool {
    pattern == "*" || pattern.split_once(':').is_some_and(|(_, name)| name == "*")
}

/// Whether a condition limits the services the role may be passed to.
fn limits_services(st: &Statement) -> bool {
    st.condition.iter().any(|b| {
        b.entries
            .iter()
            .any(|e| e.key.node.eq_ignore_ascii_case("iam:PassedToService"))
    })
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

    fn statement(body: &str) -> String {
        format!(r#"{{"Version": "2012-10-17", "Statement": [{{"Effect": "Allow", {body}}}]}}"#)
    }

    fn codes(body: &str) -> Vec<(&'static str, String)> {
        lint(&statement(body), PolicyType::Identity)
    }

    #[test]
    fn star_in_resource() {
        for action in [
            r#""iam:PassRole""#,
            r#""IAM:pass*""#,
            r#"["ec2:RunInstances", "iam:Pass*"]"#,
        ] {
            assert_eq!(
                codes(&format!(r#""Action": {action}, "Resource": "*""#)),
                [("PASS_ROLE_WITH_STAR_IN_RESOURCE", r#""*""#.to_owned())],
                "{action}"
            );
        }
    }

    #[test]
    fn star_in_action_and_resource() {
        for action in [r#""*""#, r#""iam:*""#, r#"["iam:PassRole", "iam:*"]"#] {
            assert_eq!(
                codes(&format!(
                    r#""Action": {action}, "Resource": ["arn:aws:s3:::b", "*"]"#
                )),
                [(
                    "PASS_ROLE_WITH_STAR_IN_ACTION_AND_RESOURCE",
                    r#""*""#.to_owned()
                )],
                "{action}"
            );
        }
    }

    #[test]
    fn not_resource_and_not_action() {
        assert_eq!(
            codes(r#""Action": "iam:PassRole", "NotResource": "arn:aws:iam::*:role/admin""#),
            [("PASS_ROLE_WITH_NOTRESOURCE", r#""NotResource""#.to_owned())]
        );
        assert_eq!(
            codes(r#""Action": "*", "NotResource": "arn:aws:s3:::b""#),
            [(
                "PASS_ROLE_WITH_STAR_IN_ACTION_AND_NOTRESOURCE",
                r#""NotResource""#.to_owned()
            )]
        );
        assert_eq!(
            codes(r#""NotAction": "s3:*", "Resource": "*""#),
            [(
                "PASS_ROLE_WITH_STAR_IN_RESOURCE_AND_NOTACTION",
                r#""*""#.to_owned()
            )]
        );
        assert_eq!(
            codes(r#""NotAction": "s3:*", "NotResource": "arn:aws:s3:::b""#),
            [(
                "PASS_ROLE_WITH_NOTACTION_AND_NOTRESOURCE",
                r#""NotResource""#.to_owned()
            )]
        );
    }

    #[test]
    fn silent_when_limited() {
        for body in [
            // Specific roles.
            r#""Action": "iam:PassRole", "Resource": "arn:aws:iam::111122223333:role/app""#,
            // Limited to a service.
            r#""Action": "iam:PassRole", "Resource": "*", "Condition": {"StringEquals": {"iam:PassedToService": "ec2.amazonaws.com"}}"#,
            // NotAction excluding it, NotResource excluding roles.
            r#""NotAction": "iam:*", "Resource": "*""#,
            r#""Action": "iam:*", "NotResource": "arn:aws:iam::*:role/*""#,
            // No PassRole at all.
            r#""Action": ["iam:Get*", "s3:*"], "Resource": "*""#,
        ] {
            assert!(codes(body).is_empty(), "{body}");
        }
        let deny = r#"{"Version": "2012-10-17", "Statement": {"Effect": "Deny", "Action": "iam:PassRole", "Resource": "*"}}"#;
        assert!(lint(deny, PolicyType::Identity).is_empty());
        // SCPs: an Allow grants nothing.
        let full = include_str!("../../../../examples/docustack/policies/FullAWSAccess.json");
        assert!(lint(full, PolicyType::Scp).is_empty());
        assert_eq!(lint(full, PolicyType::Identity).len(), 1);
    }
}

//! ## What it does
//! Checks that an SCP leaves the protected roles (the options' `protected_roles`, by default
//! `OrganizationAccountAccessRole`) able to administer the account. For each role it evaluates
//! requests from a session of the role for critical actions (`iam:AttachRolePolicy`,
//! `iam:PutRolePolicy`, `iam:CreateRole`, `iam:UpdateAssumeRolePolicy`, `sts:AssumeRole`,
//! `organizations:DescribeOrganization`, `cloudformation:CreateStack`) and an ordinary one
//! (`ec2:RunInstances`), in a region the policy allows, and reports every `Deny` statement
//! that denies one of them. It also reports an SCP that denies every action without
//! condition.
//!
//! The requests carry what AWS supplies for a direct call by a role session
//! (`aws:PrincipalArn`, `aws:PrincipalAccount`, `aws:PrincipalType`, `aws:ResourceAccount`,
//! `aws:RequestedRegion`, `aws:SecureTransport`, `aws:ViaAWSService`,
//! `aws:PrincipalIsAWSService`, no `aws:CalledVia`). A statement whose conditions read any
//! other key (tags, organization ids, MFA, source IP, service keys) is not reported: the rule
//! cannot know their values.
//!
//! ## Why is this bad?
//! `OrganizationAccountAccessRole` (or a break-glass role) is how the management account
//! repairs a member account. An SCP that denies it IAM or STS leaves nobody able to fix the
//! account from inside; only detaching the SCP helps, and a guardrail attached to the root
//! locks out every account at once.
//!
//! ## Example
//! ```json
//! {"Effect": "Deny", "Action": ["iam:AttachRolePolicy", "iam:PutRolePolicy"], "Resource": "*"}
//! ```
//!
//! Use instead:
//! ```json
//! {"Effect": "Deny", "Action": ["iam:AttachRolePolicy", "iam:PutRolePolicy"], "Resource": "*",
//!  "Condition": {"ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/OrganizationAccountAccessRole"}}}
//! ```
//!
//! ## References
//! - AWS Organizations User Guide, accessing member accounts (`OrganizationAccountAccessRole`)
//! - AWS Organizations User Guide, SCP examples (exempting administrator roles with
//!   `aws:PrincipalArn`)
//! - IAM User Guide, global condition keys

use orgctl_eval::{CompiledPolicy, CompiledStatement, Context, ContextValue, Request};
use orgctl_policy::glob::{self, Case};
use orgctl_policy::{BaseOperator, Effect, Span, Statement};

use super::Rule;
use crate::context::LintContext;
use crate::finding::FindingType;
use crate::options::PolicyType;

/// The rule.
pub const RULE: Rule = Rule {
    name: "lockout",
    summary: "SCPs that deny the protected administrator roles what they need to repair an account",
    docs: include_str!("lockout.rs"),
    check,
};

const ACCOUNT: &str = "123456789012";
/// A role other than the protected one, for actions on roles.
const SOME_ROLE: &str = "arn:aws:iam::123456789012:role/orgctl-lint-probe";

/// The actions the protected roles must keep, and the resource each request names.
/// `{region}` is replaced by the region of the request.
const CRITICAL: &[(&str, &str)] = &[
    ("iam:AttachRolePolicy", SOME_ROLE),
    ("iam:PutRolePolicy", SOME_ROLE),
    ("iam:CreateRole", SOME_ROLE),
    ("iam:UpdateAssumeRolePolicy", SOME_ROLE),
    ("sts:AssumeRole", SOME_ROLE),
    ("organizations:DescribeOrganization", "*"),
    (
        "cloudformation:CreateStack",
        "arn:aws:cloudformation:{region}:123456789012:stack/orgctl-lint-probe/*",
    ),
    (
        "ec2:RunInstances",
        "arn:aws:ec2:{region}:123456789012:instance/*",
    ),
];

/// Condition keys whose value the requests model (lower case).
const MODELED_KEYS: &[&str] = &[
    "aws:principalarn",
    "aws:principalaccount",
    "aws:principaltype",
    "aws:resourceaccount",
    "aws:requestedregion",
    "aws:securetransport",
    "aws:viaawsservice",
    "aws:principalisawsservice",
    "aws:calledvia",
    "aws:calledviafirst",
    "aws:calledvialast",
];

const REGION_KEY: &str = "aws:RequestedRegion";

fn check(cx: &mut LintContext<'_>) {
    if cx.options.policy_type != PolicyType::Scp || cx.policy.statements.is_empty() {
        return;
    }
    let policy = cx.policy;
    let mut found: Vec<(Span, String, String)> = Vec::new();
    if policy.statements.iter().all(denies_everything) {
        for st in &policy.statements {
            found.push((
                st.action.values.span,
                "the SCP denies every action to every principal of the accounts it is attached to".to_owned(),
                "attach such an SCP only to a quarantine OU; elsewhere, deny specific actions, and exempt the administrator roles with `ArnNotLike {\"aws:PrincipalArn\": \"arn:aws:iam::*:role/OrganizationAccountAccessRole\"}`".to_owned(),
            ));
        }
    } else {
        // Only such statements can deny a critical request, and only those whose actions
        // match a critical one: the others are not compiled.
        let candidates: Vec<(&Statement, CompiledStatement)> = policy
            .statements
            .iter()
            .enumerate()
            .filter(|(_, st)| {
                st.effect.node == Effect::Deny && conditions_modeled(st) && names_critical(st)
            })
            .filter_map(|(i, st)| Some((st, CompiledPolicy::statement(policy, i)?)))
            .collect();
        if !candidates.is_empty() {
            let region = allowed_region(cx);
            for role in &cx.options.protected_roles {
                let principal = format!("arn:aws:sts::{ACCOUNT}:assumed-role/{role}/orgctl-lint");
                let requests: Vec<Request> = CRITICAL
                    .iter()
                    .map(|(action, resource)| {
                        let mut ctx = Context::with_capacity(9);
                        ctx.insert(REGION_KEY, ContextValue::Single(region.clone()));
                        ctx.insert("aws:SecureTransport", ContextValue::Single("true".into()));
                        ctx.insert("aws:ViaAWSService", ContextValue::Single("false".into()));
                        ctx.insert(
                            "aws:PrincipalIsAWSService",
                            ContextValue::Single("false".into()),
                        );
                        Request::new(
                            &principal,
                            action,
                            &resource.replace("{region}", &region),
                            None,
                            ctx,
                        )
                    })
                    .collect();
                for (st, compiled_st) in &candidates {
                    let denied: Vec<&str> = requests
                        .iter()
                        .filter(|r| compiled_st.applies(r).is_some())
                        .map(|r| r.action.as_str())
                        .collect();
                    if denied.is_empty() {
                        continue;
                    }
                    let actions = denied
                        .iter()
                        .map(|a| format!("`{a}`"))
                        .collect::<Vec<_>>()
                        .join(", ");
                    found.push((
                        st.span,
                        format!("the statement denies {actions} to `{role}`, a role that must keep administering the account"),
                        format!(
                            "exempt the role: add `\"ArnNotLike\": {{\"aws:PrincipalArn\": \"arn:aws:iam::*:role/{role}\"}}` to the statement's `Condition`"
                        ),
                    ));
                }
            }
        }
    }
    for (span, message, hint) in found {
        cx.report(
            FindingType::SecurityWarning,
            "LOCKOUT_RISK",
            span,
            message,
            hint,
        );
    }
}

/// `Deny` of `*` on every resource, without condition.
fn denies_everything(st: &Statement) -> bool {
    st.effect.node == Effect::Deny
        && !st.action.negated
        && st.action.values.items.iter().any(|i| i.node == "*")
        && st
            .resource
            .as_ref()
            .is_none_or(|r| !r.negated && r.values.items.iter().any(|i| i.node == "*"))
        && st.condition.is_empty()
}

/// Whether the statement's `Action` matches a critical action (a `NotAction` may).
fn names_critical(st: &Statement) -> bool {
    st.action.negated
        || st.action.values.items.iter().any(|item| {
            let segments = glob::segments(&item.node);
            CRITICAL
                .iter()
                .any(|(action, _)| glob::matches(&segments, action, Case::AsciiInsensitive))
        })
}

/// Whether every condition key of the statement is one the requests model.
fn conditions_modeled(st: &Statement) -> bool {
    st.condition.iter().all(|b| {
        b.entries.iter().all(|e| {
            let key = e.key.node.to_ascii_lowercase();
            MODELED_KEYS.contains(&key.as_str())
        })
    })
}

/// A region the policy allows: the first literal value of a region lock (`StringNotEquals` or
/// `StringNotLike` in a `Deny`, `StringEquals` or `StringLike` in an `Allow`) that no `Deny`
/// names as a denied region; else `us-east-1`.
fn allowed_region(cx: &LintContext<'_>) -> String {
    let mut allowed: Vec<&str> = Vec::new();
    let mut denied: Vec<&str> = Vec::new();
    for st in &cx.policy.statements {
        for block in &st.condition {
            let op = block.operator.node;
            if op.qualifier.is_some() {
                continue;
            }
            let negated = match op.base {
                BaseOperator::StringNotEquals
                | BaseOperator::StringNotLike
                | BaseOperator::StringNotEqualsIgnoreCase => true,
                BaseOperator::StringEquals
                | BaseOperator::StringLike
                | BaseOperator::StringEqualsIgnoreCase => false,
                _ => continue,
            };
            for entry in block
                .entries
                .iter()
                .filter(|e| e.key.node.eq_ignore_ascii_case(REGION_KEY))
            {
                let values = entry
                    .values
                    .iter()
                    .map(|v| v.node.as_text())
                    .filter(|v| !v.contains(['*', '?', '$']));
                match (st.effect.node, negated) {
                    (Effect::Deny, true) | (Effect::Allow, false) => allowed.extend(values),
                    (Effect::Deny, false) => denied.extend(values),
                    (Effect::Allow, true) => {}
                }
            }
        }
    }
    allowed
        .into_iter()
        .chain(["us-east-1", "us-west-2", "eu-west-1"])
        .find(|r| !denied.contains(r))
        .unwrap_or("us-east-1")
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::options::LintOptions;

    fn lint_opts(src: &str, options: &LintOptions) -> Vec<crate::Finding> {
        crate::lint_with(src, options, orgctl_catalog::Catalog::embedded().unwrap())
            .findings
            .into_iter()
            .filter(|f| f.rule == RULE.name)
            .collect()
    }

    fn lint(src: &str) -> Vec<(&'static str, String)> {
        lint_opts(src, &LintOptions::new(PolicyType::Scp))
            .iter()
            .map(|f| (f.issue_code, src[f.span.start..f.span.end].to_owned()))
            .collect()
    }

    fn policy(statements: &[&str]) -> String {
        format!(
            r#"{{"Version": "2012-10-17", "Statement": [{}]}}"#,
            statements.join(", ")
        )
    }

    /// The statements left out before compiling are those the evaluator finds matching no
    /// critical action.
    #[test]
    fn only_statements_matching_no_critical_action_are_left_out() {
        let patterns = [
            "*",
            "iam:*",
            "IAM:attachrolepolicy",
            "i*:Attach*",
            "?am:*",
            "iam:Attach?olePolicy",
            "iam:Put*",
            "iam:Delete*",
            "sts:Assume*",
            "sts:AssumeRoleWithSAML",
            "ec2:Run*",
            "ec2:*Instances",
            "ec2:Describe*",
            "s3:*",
            "*:Describe*",
            "*:Create*",
            "organizations:Describe*",
            "organizations:Leave*",
            "cloudformation:*Stack",
            "cloudformation:Delete*",
            "*Role*",
            "kms:*",
            "iam:Create*",
            "iam:UpdateAssume*",
        ];
        let requests: Vec<Request> = CRITICAL
            .iter()
            .map(|(action, resource)| {
                Request::new(
                    "arn:aws:sts::123456789012:assumed-role/r/s",
                    action,
                    &resource.replace("{region}", "us-east-1"),
                    None,
                    Context::new(),
                )
            })
            .collect();
        let mut kept = 0;
        for negated in [false, true] {
            for pattern in patterns {
                let element = if negated { "NotAction" } else { "Action" };
                let src = policy(&[&format!(
                    r#"{{"Effect": "Deny", "{element}": "{pattern}", "Resource": "*"}}"#
                )]);
                let parsed = orgctl_policy::Policy::parse(&src).unwrap();
                let compiled = CompiledPolicy::statement(&parsed, 0).unwrap();
                let evaluator = requests.iter().any(|r| compiled.matches_action(r));
                let st = &parsed.statements[0];
                assert!(names_critical(st) || !evaluator, "{element} {pattern}");
                if !negated {
                    assert_eq!(names_critical(st), evaluator, "{pattern}");
                }
                kept += usize::from(names_critical(st));
            }
        }
        assert!(kept > patterns.len(), "some kept, some left out");
    }

    #[test]
    fn docustack_scps_leave_the_role_alone() {
        for src in [
            include_str!("../../../../examples/docustack/policies/DenyPublicS3.json"),
            include_str!("../../../../examples/docustack/policies/FullAWSAccess.json"),
            include_str!("../../../../examples/docustack/policies/ProtectCloudTrail.json"),
            include_str!("../../../../examples/docustack/policies/ProtectLogArchive.json"),
            include_str!("../../../../examples/docustack/policies/RegionDeny.json"),
            include_str!("../../../../examples/docustack/policies/RequireS3Encryption.json"),
        ] {
            assert!(lint(src).is_empty(), "{src}");
        }
    }

    #[test]
    fn deny_of_iam_without_exemption() {
        let st = r#"{"Sid": "NoIam", "Effect": "Deny", "Action": ["iam:Attach*", "iam:PutRolePolicy", "s3:*"], "Resource": "*"}"#;
        let src = policy(&[st]);
        assert_eq!(lint(&src), [("LOCKOUT_RISK", st.to_owned())]);
        let f = &lint_opts(&src, &LintOptions::new(PolicyType::Scp))[0];
        assert_eq!(
            f.message,
            "the statement denies `iam:AttachRolePolicy`, `iam:PutRolePolicy` to `OrganizationAccountAccessRole`, a role that must keep administering the account"
        );
        assert!(f.hint.as_deref().unwrap().contains(
            r#"`"ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/OrganizationAccountAccessRole"}`"#
        ));
    }

    #[test]
    fn exempted_role_is_not_locked_out() {
        let st = r#"{"Effect": "Deny", "Action": "iam:*", "Resource": "*",
            "Condition": {"ArnNotLike": {"aws:PrincipalArn": ["arn:aws:iam::*:role/OrganizationAccountAccessRole", "arn:aws:iam::*:role/BreakGlass"]}}}"#;
        assert!(lint(&policy(&[st])).is_empty());
        // Another protected role is not exempt.
        let mut options = LintOptions::new(PolicyType::Scp);
        options.protected_roles.push("Admin".into());
        let found = lint_opts(&policy(&[st]), &options);
        assert_eq!(found.len(), 1);
        assert!(
            found[0].message.contains("to `Admin`"),
            "{}",
            found[0].message
        );
    }

    #[test]
    fn region_locks_are_checked_in_an_allowed_region() {
        // Allowed region eu-west-1: ec2 and cloudformation pass, IAM is exempt.
        let lock = r#"{"Effect": "Deny", "NotAction": ["iam:*", "sts:*", "organizations:*"], "Resource": "*",
            "Condition": {"StringNotEquals": {"aws:RequestedRegion": ["eu-west-1"]}}}"#;
        assert!(lint(&policy(&[lock])).is_empty());
        // A deny in a listed region does not make that region the allowed one.
        let deny_in = r#"{"Effect": "Deny", "Action": "*", "Resource": "*",
            "Condition": {"StringEquals": {"aws:RequestedRegion": "us-east-1"}}}"#;
        assert!(lint(&policy(&[deny_in])).is_empty());
    }

    #[test]
    fn unmodeled_conditions_stay_silent() {
        let st = r#"{"Effect": "Deny", "Action": "*", "Resource": "*",
            "Condition": {"StringNotEquals": {"aws:PrincipalTag/team": "platform"}}}"#;
        assert!(lint(&policy(&[st])).is_empty());
    }

    /// awslabs/landing-zone-accelerator-on-aws, sample configuration `quarantine.json`
    /// (Apache-2.0): its exemption is still a template, so nothing is exempt.
    const LZA_QUARANTINE: &str = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "DenyAllAWSServicesExceptBreakglassRoles",
      "Effect": "Deny",
      "Action": "*",
      "Resource": "*",
      "Condition": {
        "ArnNotLike": {
          "aws:PrincipalArn": [
            "arn:${PARTITION}:iam::*:role/${MANAGEMENT_ACCOUNT_ACCESS_ROLE}",
            "arn:${PARTITION}:iam::*:role/aws*",
            "arn:${PARTITION}:iam::*:role/${ACCELERATOR_PREFIX}*",
            "arn:${PARTITION}:iam::*:role/cdk-accel*"
          ]
        }
      }
    }
  ]
}"#;

    #[test]
    fn real_scps() {
        let found = lint(LZA_QUARANTINE);
        assert_eq!(found.len(), 1);
        assert!(found[0].1.starts_with(
            r#"{
      "Sid": "DenyAllAWSServicesExceptBreakglassRoles""#
        ));
        // Filled in, the template exempts the role.
        let filled = LZA_QUARANTINE.replace("${PARTITION}", "aws").replace(
            "${MANAGEMENT_ACCOUNT_ACCESS_ROLE}",
            "OrganizationAccountAccessRole",
        );
        assert!(lint(&filled).is_empty());
        // aws-samples/service-control-policy-examples, Deny-modifications-to-specific-IAM-roles
        // (MIT-0): it protects other roles, and leaves the administrator its work.
        let protect = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Deny",
            "Action": ["iam:AttachRolePolicy", "iam:CreateRole", "iam:DeleteRole", "iam:PutRolePolicy",
                       "iam:UpdateAssumeRolePolicy", "sts:AssumeRole"],
            "Resource": ["arn:aws:iam::*:role/[PROTECTED_ROLE_PREFIX]*", "arn:aws:iam::*:role/[PROTECTED_ROLE_NAME]"],
            "Condition": {"ArnNotLike": {"aws:PrincipalARN": "arn:aws:iam::${Account}:role/[PRIVILEGED_ROLE]"}}}]}"#;
        assert!(lint(protect).is_empty());
    }

    #[test]
    fn deny_all_scp() {
        let src = r#"{"Version": "2012-10-17", "Statement": {"Effect": "Deny", "Action": "*", "Resource": "*"}}"#;
        assert_eq!(lint(src), [("LOCKOUT_RISK", r#""*""#.to_owned())]);
        let mut options = LintOptions::new(PolicyType::Scp);
        options.protected_roles.clear();
        assert_eq!(lint_opts(src, &options).len(), 1);
        // Identity policies are not checked.
        assert!(lint_opts(src, &LintOptions::new(PolicyType::Identity)).is_empty());
    }
}

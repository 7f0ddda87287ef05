//! ## What it does
//! Finds template placeholders left in a policy: `${PARTITION}`, `${Account}` and other `${...}`
//! that are not IAM policy variables, `[PRIVILEGED_ROLE]`-style brackets, `{{handlebars}}` and
//! `<ACCOUNT_ID>`.
//!
//! ## Why is this bad?
//! Example policies are published as templates, and they get deployed as they are. AWS reads
//! `${Account}` as a policy variable for a key that no request has, so the string matches
//! nothing; a bracketed role name matches no role. In a region lock's `ArnNotLike` exemption
//! that means the privileged role is not exempt after all, and nobody can use the other
//! regions, including the people who must fix it.
//!
//! ## Example
//! ```json
//! "ArnNotLike": {"aws:PrincipalARN": "arn:aws:iam::${Account}:role/[PRIVILEGED_ROLE]"}
//! ```
//!
//! Use instead:
//! ```json
//! "ArnNotLike": {"aws:PrincipalARN": "arn:aws:iam::*:role/BreakGlass"}
//! ```
//!
//! ## References
//! - IAM User Guide, policy variables (`${aws:username}`, `${*}`, defaults)
//! - aws-samples/service-control-policy-examples (templates with `${Account}` and `[PRIVILEGED_ROLE]`)

use super::Rule;
use crate::context::LintContext;
use crate::finding::FindingType;
use crate::util::{each_policy_string, placeholder};

/// The rule.
pub const RULE: Rule = Rule {
    name: "template-placeholder",
    summary: "template placeholders that are not IAM policy variables",
    docs: include_str!("template_placeholder.rs"),
    check,
};

fn check(cx: &mut LintContext<'_>) {
    let catalog = cx.catalog;
    let mut found = Vec::new();
    each_policy_string(cx.policy, |text, span, element| {
        if let Some(placeholder) = placeholder(text, |prefix| {
            prefix.eq_ignore_ascii_case("aws") || catalog.service(prefix).is_some()
        }) {
            found.push((
                span,
                format!(
                    "`{placeholder}` in `{element}` is a template placeholder, not a policy value"
                ),
            ));
        }
    });
    for (span, message) in found {
        cx.report(
            FindingType::Error,
            "TEMPLATE_PLACEHOLDER",
            span,
            message,
            "fill in the template before deploying; IAM variables look like `${aws:username}`",
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::util::placeholder;

    fn p(text: &str) -> Option<&str> {
        placeholder(text, |prefix| {
            ["aws", "s3", "ec2"].contains(&prefix.to_ascii_lowercase().as_str())
        })
    }

    #[test]
    fn finds_template_placeholders() {
        assert_eq!(p("arn:${PARTITION}:s3:::b"), Some("${PARTITION}"));
        assert_eq!(p("arn:aws:iam::${Account}:role/x"), Some("${Account}"));
        assert_eq!(
            p("arn:aws:iam::*:role/[PRIVILEGED_ROLE]"),
            Some("[PRIVILEGED_ROLE]")
        );
        assert_eq!(p("{{ account_id }}"), Some("{{ account_id }}"));
        assert_eq!(p("arn:aws:iam::<ACCOUNT_ID>:root"), Some("<ACCOUNT_ID>"));
        assert_eq!(
            p("${ACCEL_LOOKUP::ACCOUNT_ID:Audit}"),
            Some("${ACCEL_LOOKUP::ACCOUNT_ID:Audit}")
        );
    }

    #[test]
    fn leaves_iam_variables_and_plain_text_alone() {
        assert_eq!(p("arn:aws:s3:::home/${aws:username}/*"), None);
        assert_eq!(p("${aws:PrincipalTag/team, 'x'}-${*}${?}${$}"), None);
        assert_eq!(p("${s3:prefix}"), None);
        assert_eq!(p("arn:aws:s3:::bucket[1]"), None);
        assert_eq!(p("a < b > c"), None);
        assert_eq!(
            p("<OIDC_provider_name_1>:sub"),
            Some("<OIDC_provider_name_1>")
        );
        assert_eq!(p("<action>"), Some("<action>"));
    }
}

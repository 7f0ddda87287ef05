//! The policy linter: findings over the policy model and the AWS catalog, in IAM Access
//! Analyzer's vocabulary (ERROR, SECURITY_WARNING, WARNING, SUGGESTION; issue codes; spans),
//! plus the SCP and RCP rules that break organizations in practice.
//!
//! ```
//! use orgctl_lint::{FindingType, LintOptions, PolicyType, lint};
//!
//! let report = lint(
//!     r#"{"Version": "2012-10-17", "Statement": {"Effect": "Deny", "Action": "s3:GetObjects", "Resource": "*"}}"#,
//!     &LintOptions::new(PolicyType::Scp),
//! ).unwrap();
//! assert_eq!(report.findings[0].issue_code, "INVALID_ACTION");
//! assert_eq!(report.findings[0].finding_type, FindingType::Error);
//! ```
//!
//! Each rule lives in its own file under `rules/` with its documentation. The linter does no
//! I/O and never prints.

mod context;
mod finding;
mod memo;
mod options;
pub mod rules;
mod util;

use orgctl_catalog::{Catalog, CatalogError};
use orgctl_policy::{ErrorKind, Policy};

pub use context::LintContext;
pub use finding::{Finding, FindingType};
pub use options::{Limits, LintOptions, PolicyType, ScpDialect};
pub use util::closest;

/// The findings of one policy document.
#[derive(Debug, Clone)]
pub struct LintReport {
    /// Every finding, in source order.
    pub findings: Vec<Finding>,
    /// The policy, when the document could be read far enough to run the rules.
    pub policy: Option<Policy>,
}

impl LintReport {
    /// The most serious finding type, if there are findings.
    pub fn worst(&self) -> Option<FindingType> {
        self.findings.iter().map(|f| f.finding_type).max()
    }
}

/// Lints one policy document.
///
/// # Errors
/// Only when the embedded catalog is damaged.
pub fn lint(src: &str, options: &LintOptions) -> Result<LintReport, CatalogError> {
    let catalog = Catalog::embedded()?;
    Ok(lint_with(src, options, catalog))
}

/// Lints one policy document against a given catalog.
pub fn lint_with(src: &str, options: &LintOptions, catalog: &Catalog) -> LintReport {
    let (policy, errors) = Policy::parse_with_errors(src);
    let mut findings: Vec<Finding> = errors
        .iter()
        .map(|e| Finding {
            finding_type: FindingType::Error,
            issue_code: e.code(),
            rule: if matches!(
                e.kind(),
                ErrorKind::JsonSyntax
                    | ErrorKind::JsonComment
                    | ErrorKind::TrailingComma
                    | ErrorKind::InvalidCharacter
            ) {
                "json-syntax"
            } else {
                "policy-grammar"
            },
            message: e.message().to_owned(),
            hint: e.help().map(str::to_owned),
            span: e.span(),
        })
        .collect();
    if let Some(policy) = &policy {
        let mut cx = LintContext::new(src, policy, options, catalog);
        for rule in rules::RULES {
            cx.set_rule(rule.name);
            (rule.check)(&mut cx);
        }
        findings.extend(cx.into_findings());
    }
    findings.sort_by(|a, b| {
        (
            a.span.start,
            a.span.end,
            std::cmp::Reverse(a.finding_type),
            a.issue_code,
        )
            .cmp(&(
                b.span.start,
                b.span.end,
                std::cmp::Reverse(b.finding_type),
                b.issue_code,
            ))
    });
    findings.dedup_by(|a, b| {
        a.span == b.span && a.issue_code == b.issue_code && a.message == b.message
    });
    LintReport { findings, policy }
}

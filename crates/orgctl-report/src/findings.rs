//! The linter's findings on every policy of the spec, with the options `orgctl validate`
//! uses: the policy's type (SCP or RCP), the spec's quotas and SCP dialect, and the
//! organization's access role as the role guardrails must not lock out. Suggestions are
//! kept (validate leaves them out).

use std::fmt::Write as _;

use orgctl_catalog::Catalog;
use orgctl_lint::{FindingType, Limits, LintOptions, PolicyType, ScpDialect};
use orgctl_org::{PolicyKind, Spec};

use crate::html::{count, esc, plural};

/// One finding, with the policy and place it is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyFinding {
    /// The policy's name.
    pub policy: String,
    /// SCP or RCP.
    pub kind: PolicyKind,
    /// The policy file, as the spec names it.
    pub file: String,
    /// Line of the finding, from 1.
    pub line: usize,
    /// Column, from 1.
    pub column: usize,
    /// How serious it is.
    pub finding_type: FindingType,
    /// The issue code (`STALE_ENCRYPTION_HEADER_CHECK`).
    pub issue_code: String,
    /// The rule that found it.
    pub rule: String,
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub hint: Option<String>,
}

/// What was linted and what was found.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Findings {
    /// Policy documents linted.
    pub linted: usize,
    /// AWS-managed policies, which have no document of the spec's to lint.
    pub managed: usize,
    /// The findings, by policy in spec order, then by place.
    pub items: Vec<PolicyFinding>,
}

/// Lints every policy document of the spec.
pub fn lint(spec: &Spec, catalog: &Catalog) -> Findings {
    let limits = Limits {
        policy_chars: spec.quotas.policy_size as usize,
        attachments_per_target: spec.quotas.policies_per_target as usize,
    };
    let mut findings = Findings::default();
    for policy in &spec.policies {
        if policy.aws_managed {
            findings.managed += 1;
            continue;
        }
        let Some((file, text)) = &policy.document else {
            continue;
        };
        findings.linted += 1;
        let mut options = LintOptions::new(match policy.kind {
            PolicyKind::Scp => PolicyType::Scp,
            PolicyKind::Rcp => PolicyType::Rcp,
        });
        options.limits = limits;
        if spec.legacy_scp_dialect {
            options.scp_dialect = ScpDialect::Legacy;
        }
        options.protected_roles = vec![spec.organization.access_role_name.clone()];
        let source = spec.sources.get(*file);
        for f in orgctl_lint::lint_with(text, &options, catalog).findings {
            let (line, column) = source.map_or((0, 0), |s| s.line_col(f.span.start));
            findings.items.push(PolicyFinding {
                policy: policy.name.clone(),
                kind: policy.kind,
                file: policy.file.display().to_string(),
                line,
                column,
                finding_type: f.finding_type,
                issue_code: f.issue_code.to_owned(),
                rule: f.rule.to_owned(),
                message: f.message,
                hint: f.hint,
            });
        }
    }
    findings
}

/// The findings as a table, with counts by type.
pub fn render(findings: &Findings) -> String {
    let mut out = String::new();
    let mut by_type = Vec::new();
    for t in [
        FindingType::Error,
        FindingType::SecurityWarning,
        FindingType::Warning,
        FindingType::Suggestion,
    ] {
        let n = findings
            .items
            .iter()
            .filter(|f| f.finding_type == t)
            .count();
        if n > 0 {
            by_type.push(format!("{} {}", count(n), t.as_str()));
        }
    }
    let _ = writeln!(
        out,
        "<p class=\"findings-summary\" data-findings=\"{}\">{} linted{}: {}.</p>",
        findings.items.len(),
        plural(findings.linted, "policy", "policies"),
        if findings.managed > 0 {
            format!(
                " ({} AWS-managed, nothing to lint)",
                plural(findings.managed, "policy", "policies")
            )
        } else {
            String::new()
        },
        if findings.items.is_empty() {
            "no findings".to_owned()
        } else {
            format!(
                "{} ({})",
                plural(findings.items.len(), "finding", "findings"),
                by_type.join(", ")
            )
        }
    );
    if findings.items.is_empty() {
        return out;
    }
    out.push_str("<table class=\"findings\"><thead><tr><th scope=\"col\">Type</th><th scope=\"col\">Policy</th><th scope=\"col\">Where</th><th scope=\"col\">Finding</th></tr></thead><tbody>\n");
    for f in &findings.items {
        let kind = f.finding_type.as_str();
        let _ = write!(
            out,
            "<tr class=\"finding {}\" data-issue=\"{}\"><td><span class=\"badge {}\">{}</span></td><td>{} <span class=\"muted\">{}</span></td><td><code>{}:{}:{}</code></td><td><b>{}</b> {}",
            kind.to_ascii_lowercase(),
            esc(&f.issue_code),
            kind.to_ascii_lowercase(),
            esc(kind),
            esc(&f.policy),
            f.kind.short().to_ascii_uppercase(),
            esc(&f.file),
            f.line,
            f.column,
            esc(&f.issue_code),
            esc(&f.message)
        );
        if let Some(hint) = &f.hint {
            let _ = write!(out, "<br><span class=\"hint\">{}</span>", esc(hint));
        }
        let _ = writeln!(
            out,
            " <span class=\"muted\">(orgctl lint --explain {})</span></td></tr>",
            esc(&f.rule)
        );
    }
    out.push_str("</tbody></table>\n");
    out
}

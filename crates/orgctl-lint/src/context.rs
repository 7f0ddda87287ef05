//! What a rule sees: the policy, its source, the options and the catalog; and where it
//! reports.

use orgctl_catalog::Catalog;
use orgctl_policy::{Policy, Span};

use crate::finding::{Finding, FindingType};
use crate::options::LintOptions;

/// The input of one lint run, shared by every rule.
#[derive(Debug)]
pub struct LintContext<'a> {
    /// The source text.
    pub src: &'a str,
    /// The policy read from it.
    pub policy: &'a Policy,
    /// The run's options.
    pub options: &'a LintOptions,
    /// The AWS catalog.
    pub catalog: &'a Catalog,
    findings: Vec<Finding>,
    rule: &'static str,
}

impl<'a> LintContext<'a> {
    pub(crate) fn new(
        src: &'a str,
        policy: &'a Policy,
        options: &'a LintOptions,
        catalog: &'a Catalog,
    ) -> Self {
        Self {
            src,
            policy,
            options,
            catalog,
            findings: Vec::new(),
            rule: "",
        }
    }

    pub(crate) fn set_rule(&mut self, rule: &'static str) {
        self.rule = rule;
    }

    pub(crate) fn into_findings(self) -> Vec<Finding> {
        self.findings
    }

    /// Reports a finding of the running rule.
    pub fn report(
        &mut self,
        finding_type: FindingType,
        issue_code: &'static str,
        span: Span,
        message: impl Into<String>,
        hint: impl Into<String>,
    ) {
        let hint = hint.into();
        self.findings.push(Finding {
            finding_type,
            issue_code,
            rule: self.rule,
            message: message.into(),
            hint: (!hint.is_empty()).then_some(hint),
            span,
        });
    }
}

//! What the linter reports: findings in IAM Access Analyzer's vocabulary.

use std::fmt;

use orgctl_policy::Span;
use serde::Serialize;

/// How serious a finding is, from Access Analyzer's `ValidatePolicy` finding types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum FindingType {
    /// A stylistic improvement that does not change access.
    Suggestion,
    /// A policy that does not follow good practice.
    Warning,
    /// Access that is broader than it looks, or guardrails that do not hold.
    SecurityWarning,
    /// A part of the policy that does not work, or that AWS rejects.
    Error,
}

impl FindingType {
    /// The name as Access Analyzer writes it: `ERROR`, `SECURITY_WARNING`, `WARNING`, `SUGGESTION`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Error => "ERROR",
            Self::SecurityWarning => "SECURITY_WARNING",
            Self::Warning => "WARNING",
            Self::Suggestion => "SUGGESTION",
        }
    }

    /// Reads a finding type name, in any case, with `-` or `_`.
    pub fn parse(name: &str) -> Option<Self> {
        match name.to_ascii_uppercase().replace('-', "_").as_str() {
            "ERROR" => Some(Self::Error),
            "SECURITY_WARNING" => Some(Self::SecurityWarning),
            "WARNING" => Some(Self::Warning),
            "SUGGESTION" => Some(Self::Suggestion),
            _ => None,
        }
    }
}

impl fmt::Display for FindingType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One finding: where, what, why and how to fix it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// How serious it is.
    pub finding_type: FindingType,
    /// The issue code, Access Analyzer's where the meaning matches (`INVALID_ACTION`).
    pub issue_code: &'static str,
    /// The rule that found it (`unknown-action`); see the rule's documentation.
    pub rule: &'static str,
    /// One line saying what is wrong, user values in backticks.
    pub message: String,
    /// How to fix it.
    pub hint: Option<String>,
    /// Where in the source.
    #[serde(skip)]
    pub span: Span,
}

//! What kind of policy is linted, and under which AWS rules and limits.

/// The kind of policy, which decides which elements and rules apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PolicyType {
    /// A policy attached to a user, group or role (also permissions boundaries).
    Identity,
    /// A policy attached to a resource (bucket policy, key policy, trust policy, ...).
    Resource,
    /// A service control policy.
    Scp,
    /// A resource control policy.
    Rcp,
}

impl PolicyType {
    /// Reads `identity`, `resource`, `scp` or `rcp`.
    pub fn parse(name: &str) -> Option<Self> {
        match name.to_ascii_lowercase().as_str() {
            "identity" => Some(Self::Identity),
            "resource" => Some(Self::Resource),
            "scp" => Some(Self::Scp),
            "rcp" => Some(Self::Rcp),
            _ => None,
        }
    }

    /// The name used on the command line.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Identity => "identity",
            Self::Resource => "resource",
            Self::Scp => "scp",
            Self::Rcp => "rcp",
        }
    }
}

/// Which SCP language AWS Organizations accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum ScpDialect {
    /// Before 19 September 2025: `Condition`, `NotAction` and specific `Resource`s only in
    /// `Deny` statements, no `NotResource`, action wildcards only at the end.
    Legacy,
    /// Since 19 September 2025: the full IAM language except `Principal` and `NotPrincipal`.
    #[default]
    Current,
}

/// Quotas of AWS Organizations that the linter checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest SCP or RCP document, in characters of its minified form.
    pub policy_chars: usize,
    /// Most SCPs (or RCPs) attached directly to one root, OU or account.
    pub attachments_per_target: usize,
}

impl Limits {
    /// The 2026 quotas: 10,240 characters, 10 policies per target.
    pub const CURRENT: Self = Self {
        policy_chars: 10_240,
        attachments_per_target: 10,
    };
    /// The earlier quotas: 5,120 characters, 5 policies per target.
    pub const LEGACY: Self = Self {
        policy_chars: 5_120,
        attachments_per_target: 5,
    };
}

impl Default for Limits {
    fn default() -> Self {
        Self::CURRENT
    }
}

/// Everything that shapes a lint run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LintOptions {
    /// The kind of policy.
    pub policy_type: PolicyType,
    /// The SCP language in force.
    pub scp_dialect: ScpDialect,
    /// Organization quotas.
    pub limits: Limits,
    /// Roles that guardrails must never lock out: the organization's access role and any
    /// break-glass roles (names, not ARNs).
    pub protected_roles: Vec<String>,
}

impl LintOptions {
    /// Defaults for a kind of policy: current dialect and quotas, and the role AWS
    /// Organizations creates in member accounts, `OrganizationAccountAccessRole`, protected.
    pub fn new(policy_type: PolicyType) -> Self {
        Self {
            policy_type,
            scp_dialect: ScpDialect::default(),
            limits: Limits::default(),
            protected_roles: vec!["OrganizationAccountAccessRole".to_owned()],
        }
    }
}

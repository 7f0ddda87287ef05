//! The lint rules, one file each. Every rule's documentation says what it does, why that
//! matters, and gives an example with the fix; `orgctl lint --explain RULE` prints it.

use crate::context::LintContext;

mod allow_with_not;
mod arn_format;
mod condition_style;
mod condition_type;
mod element_rules;
mod ip_range;
mod lockout;
mod mfa_pattern;
mod pass_role;
mod policy_size;
mod rcp_syntax;
mod redundant_statement;
mod redundant_value;
mod region_deny;
mod scp_syntax;
mod set_operator;
mod stale_encryption;
mod template_placeholder;
mod unknown_action;
mod unknown_condition_key;

/// A lint rule.
#[derive(Debug, Clone, Copy)]
pub struct Rule {
    /// The rule's name, as findings report it.
    pub name: &'static str,
    /// What the rule checks, in one line.
    pub summary: &'static str,
    /// The rule's full documentation (Markdown).
    pub docs: &'static str,
    /// Runs the rule.
    pub check: fn(&mut LintContext<'_>),
}

/// Every rule, in the order they run.
pub const RULES: &[Rule] = &[
    unknown_action::RULE,
    unknown_condition_key::RULE,
    scp_syntax::RULE,
    rcp_syntax::RULE,
    policy_size::RULE,
    template_placeholder::RULE,
    // Conditions and ARNs.
    condition_type::RULE,
    set_operator::RULE,
    condition_style::RULE,
    mfa_pattern::RULE,
    arn_format::RULE,
    ip_range::RULE,
    // Statements and guardrail semantics.
    element_rules::RULE,
    allow_with_not::RULE,
    pass_role::RULE,
    redundant_statement::RULE,
    redundant_value::RULE,
    region_deny::RULE,
    lockout::RULE,
    stale_encryption::RULE,
];

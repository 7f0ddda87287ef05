//! The lint rules, one file each. Every rule's documentation says what it does, why that
//! matters, and gives an example with the fix; `orgctl lint --explain RULE` prints it.

use crate::context::LintContext;

mod policy_size;
mod rcp_syntax;
mod scp_syntax;
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
];

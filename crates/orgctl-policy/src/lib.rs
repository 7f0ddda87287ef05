//! The AWS policy language: read IAM, SCP and RCP policy documents with the span of every
//! element, report every problem with a hint, and write policies back out.
//!
//! ```
//! let policy = orgctl_policy::Policy::parse(
//!     r#"{"Version": "2012-10-17", "Statement": {"Effect": "Deny", "Action": "s3:*", "Resource": "*"}}"#,
//! ).unwrap();
//! assert_eq!(policy.statements.len(), 1);
//! assert_eq!(policy.minified_size().chars, 85);
//! ```
//!
//! Reading happens in two stages, each with its own module: [`json`] reads text into a tree
//! that keeps spans, duplicate keys and recoverable syntax slips; `lower` turns the tree into
//! the typed [`Policy`], collecting every problem rather than stopping at the first.
//!
//! This crate does no I/O, knows no AWS catalog and never prints.

pub mod error;
pub mod glob;
pub mod json;
mod lower;
pub mod model;
pub mod operator;
mod print;
pub mod span;

pub use error::{ErrorKind, ParseErrors, PolicyError};
pub use model::{
    ConditionBlock, ConditionEntry, ConditionValue, Effect, ListElement, Policy, Principal,
    PrincipalElement, PrincipalType, Statement, StringList, Version,
};
pub use operator::{BaseOperator, Operator, OperatorFamily, SetQualifier};
pub use print::Size;
pub use span::{LineCol, LineIndex, Span, Spanned};

impl Policy {
    /// Reads a policy document.
    ///
    /// # Errors
    /// Every problem found, when there is at least one: AWS would reject the document.
    pub fn parse(src: &str) -> Result<Self, ParseErrors> {
        match Self::parse_with_errors(src) {
            (Some(policy), errors) if errors.is_empty() => Ok(policy),
            (_, errors) => Err(ParseErrors { errors }),
        }
    }

    /// Reads a policy document as far as possible, returning what could be read with every
    /// problem found. Tools that report on flawed documents (the linter) start here.
    pub fn parse_with_errors(src: &str) -> (Option<Self>, Vec<PolicyError>) {
        let (root, mut errors) = json::parse(src);
        let policy = root.and_then(|root| lower::lower(root, &mut errors));
        errors.sort_by_key(|e| (e.span().start, e.span().end));
        (policy, errors)
    }
}

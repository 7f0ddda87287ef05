//! The typed policy model: what a policy document says, with the span of every element.

use crate::operator::Operator;
use crate::span::{Span, Spanned};

/// A parsed policy document.
#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    /// `Version`, when present.
    pub version: Option<Spanned<String>>,
    /// `Id`, when present.
    pub id: Option<Spanned<String>>,
    /// The statements, in document order.
    pub statements: Vec<Statement>,
    /// Whether `Statement` was written as an array (rather than a single object).
    pub statement_is_array: bool,
    /// The whole document.
    pub span: Span,
}

/// The language version a policy declares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Version {
    /// `2012-10-17`: policy variables are substituted.
    V2012_10_17,
    /// `2008-10-17`, or no `Version`: `${...}` is literal text.
    V2008_10_17,
}

impl Policy {
    /// The effective language version. A missing `Version` means `2008-10-17`.
    pub fn language_version(&self) -> Version {
        match self.version.as_ref().map(|v| v.node.as_str()) {
            Some("2012-10-17") => Version::V2012_10_17,
            _ => Version::V2008_10_17,
        }
    }
}

/// `Allow` or `Deny`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Effect {
    /// `Allow`.
    Allow,
    /// `Deny`.
    Deny,
}

impl Effect {
    /// The keyword as written in policies.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Allow => "Allow",
            Self::Deny => "Deny",
        }
    }
}

/// One statement of a policy.
#[derive(Debug, Clone, PartialEq)]
pub struct Statement {
    /// `Sid`, when present.
    pub sid: Option<Spanned<String>>,
    /// `Effect`.
    pub effect: Spanned<Effect>,
    /// `Principal` or `NotPrincipal`, when present.
    pub principal: Option<PrincipalElement>,
    /// `Action` or `NotAction`.
    pub action: ListElement,
    /// `Resource` or `NotResource`; absent in role trust policies.
    pub resource: Option<ListElement>,
    /// `Condition` blocks, in document order.
    pub condition: Vec<ConditionBlock>,
    /// Span of the `Condition` element's value, when present.
    pub condition_span: Option<Span>,
    /// The whole statement.
    pub span: Span,
}

/// One string, or an array of strings, as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StringList {
    /// The strings, in order.
    pub items: Vec<Spanned<String>>,
    /// Whether the value was an array (rather than a bare string).
    pub is_array: bool,
    /// The whole value.
    pub span: Span,
}

/// `Action`/`NotAction` or `Resource`/`NotResource`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListElement {
    /// Whether this is the `Not` form.
    pub negated: bool,
    /// The patterns.
    pub values: StringList,
    /// The element's key.
    pub key_span: Span,
}

/// `Principal` or `NotPrincipal`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrincipalElement {
    /// Whether this is `NotPrincipal`.
    pub negated: bool,
    /// What it names.
    pub value: Principal,
    /// The element's key.
    pub key_span: Span,
    /// The element's value.
    pub span: Span,
}

/// The value of a `Principal` element.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Principal {
    /// `"*"`: everyone, including anonymous callers.
    Any,
    /// An object of principal types to identifiers, in document order.
    Typed(Vec<(Spanned<PrincipalType>, StringList)>),
}

/// The key of a typed principal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PrincipalType {
    /// `AWS`: accounts, users, roles, sessions.
    Aws,
    /// `Service`: AWS service principals.
    Service,
    /// `Federated`: identity providers.
    Federated,
    /// `CanonicalUser`: S3 canonical user ids.
    CanonicalUser,
}

impl PrincipalType {
    /// The key as written in policies.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Aws => "AWS",
            Self::Service => "Service",
            Self::Federated => "Federated",
            Self::CanonicalUser => "CanonicalUser",
        }
    }

    /// Every principal type.
    pub const ALL: [Self; 4] = [
        Self::Aws,
        Self::Service,
        Self::Federated,
        Self::CanonicalUser,
    ];
}

/// One operator with its keys, such as `"StringEquals": {"aws:RequestedRegion": "us-east-1"}`.
#[derive(Debug, Clone, PartialEq)]
pub struct ConditionBlock {
    /// The operator.
    pub operator: Spanned<Operator>,
    /// The operator as written, kept for faithful output.
    pub operator_text: String,
    /// The keys with their values, in document order.
    pub entries: Vec<ConditionEntry>,
}

/// One condition key with its values.
#[derive(Debug, Clone, PartialEq)]
pub struct ConditionEntry {
    /// The key as written (AWS compares keys without regard to case).
    pub key: Spanned<String>,
    /// The values.
    pub values: Vec<Spanned<ConditionValue>>,
    /// Whether the values were an array.
    pub is_array: bool,
    /// The whole value.
    pub span: Span,
}

/// A condition value as written. AWS reads bare booleans and numbers as their text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConditionValue {
    /// A JSON string.
    String(String),
    /// A bare `true` or `false`.
    Bool(bool),
    /// A bare number, as written.
    Number(String),
}

impl ConditionValue {
    /// The value as the text AWS compares.
    pub fn as_text(&self) -> &str {
        match self {
            Self::String(s) | Self::Number(s) => s,
            Self::Bool(true) => "true",
            Self::Bool(false) => "false",
        }
    }
}

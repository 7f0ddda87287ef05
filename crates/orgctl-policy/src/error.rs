//! Errors found while reading a policy document.

use std::fmt;

use crate::span::Span;

/// What is wrong with a policy document. Each kind has a stable issue code, the same as IAM
/// Access Analyzer's where the meaning matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The text is not valid JSON.
    JsonSyntax,
    /// A comment, which JSON and AWS do not allow.
    JsonComment,
    /// A comma before a closing bracket or brace.
    TrailingComma,
    /// The same key twice in one object.
    DuplicateKey,
    /// A character AWS does not accept in policy documents.
    InvalidCharacter,
    /// An element name AWS does not know at this place.
    UnknownElement,
    /// An element of the wrong JSON type.
    WrongType,
    /// A document without `Statement`.
    MissingStatement,
    /// A statement without `Effect`.
    MissingEffect,
    /// A statement without `Action` or `NotAction`.
    MissingAction,
    /// A statement without `Resource` or `NotResource`.
    MissingResource,
    /// An `Effect` other than `Allow` or `Deny`.
    InvalidEffect,
    /// A `Version` other than `2012-10-17` or `2008-10-17`.
    InvalidVersion,
    /// A condition operator AWS does not define.
    InvalidConditionOperator,
    /// `Null` combined with `IfExists`.
    NullWithIfExists,
    /// Two elements that exclude each other, such as `Action` and `NotAction`.
    ElementCombination,
    /// A principal type other than `AWS`, `Service`, `Federated` or `CanonicalUser`.
    InvalidPrincipalKey,
    /// Two statements with the same `Sid`.
    DuplicateSid,
    /// An empty string where a value is required.
    EmptyValue,
}

impl ErrorKind {
    /// The stable issue code of this kind.
    pub const fn code(self) -> &'static str {
        match self {
            Self::JsonSyntax | Self::JsonComment | Self::TrailingComma | Self::InvalidCharacter => {
                "JSON_SYNTAX_ERROR"
            }
            Self::DuplicateKey => "DUPLICATE_KEY",
            Self::UnknownElement => "INVALID_POLICY_ELEMENT",
            Self::WrongType => "DATA_TYPE_MISMATCH",
            Self::MissingStatement => "MISSING_STATEMENT",
            Self::MissingEffect => "MISSING_EFFECT",
            Self::MissingAction => "MISSING_ACTION",
            Self::MissingResource => "MISSING_RESOURCE",
            Self::InvalidEffect => "INVALID_EFFECT",
            Self::InvalidVersion => "INVALID_VERSION",
            Self::InvalidConditionOperator => "INVALID_CONDITION_OPERATOR",
            Self::NullWithIfExists => "NULL_WITH_IF_EXISTS",
            Self::ElementCombination => "UNSUPPORTED_ELEMENT_COMBINATION",
            Self::InvalidPrincipalKey => "INVALID_PRINCIPAL_KEY",
            Self::DuplicateSid => "UNIQUE_SIDS_REQUIRED",
            Self::EmptyValue => "EMPTY_VALUE",
        }
    }
}

/// One problem in a policy document, with where it is and how to fix it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct PolicyError {
    kind: ErrorKind,
    message: String,
    help: Option<String>,
    span: Span,
}

impl PolicyError {
    pub(crate) fn new(kind: ErrorKind, span: Span, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
            help: None,
            span,
        }
    }

    #[must_use]
    pub(crate) fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// What kind of problem this is.
    pub const fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The stable issue code.
    pub const fn code(&self) -> &'static str {
        self.kind.code()
    }

    /// The one-line message.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// How to fix it, when there is something to say.
    pub fn help(&self) -> Option<&str> {
        self.help.as_deref()
    }

    /// Where in the source it is.
    pub const fn span(&self) -> Span {
        self.span
    }
}

impl miette::Diagnostic for PolicyError {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.kind.code()))
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_deref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display + 'a>)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = miette::LabeledSpan> + '_>> {
        Some(Box::new(std::iter::once(
            miette::LabeledSpan::new_with_span(None, self.span),
        )))
    }
}

/// Every problem found in one policy document; a document with any is rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{} in policy document", count_problems(.errors.len()))]
pub struct ParseErrors {
    /// The problems, in source order.
    pub errors: Vec<PolicyError>,
}

fn count_problems(n: usize) -> String {
    if n == 1 {
        "1 problem".to_owned()
    } else {
        format!("{n} problems")
    }
}

impl miette::Diagnostic for ParseErrors {
    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn miette::Diagnostic> + 'a>> {
        Some(Box::new(
            self.errors.iter().map(|e| e as &dyn miette::Diagnostic),
        ))
    }
}

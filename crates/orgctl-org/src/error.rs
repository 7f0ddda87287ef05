//! Backend failures, typed, each with a help line.

use thiserror::Error;

/// A backend call that failed.
#[derive(Debug, Clone, PartialEq, Eq, Error, miette::Diagnostic)]
pub enum BackendError {
    /// A policy (an SCP, usually) or missing permission denied the call.
    #[error("access denied: {principal} may not {action} on {resource}: {reason}")]
    #[diagnostic(
        code(orgctl::access_denied),
        help(
            "check the named policy, or run `orgctl simulate` with the same request to see every statement that decided it"
        )
    )]
    AccessDenied {
        /// Who made the call.
        principal: String,
        /// The API action.
        action: String,
        /// What it was called on.
        resource: String,
        /// Which policy denied it, or what was missing.
        reason: String,
    },
    /// Something named in the call does not exist.
    #[error("{what} not found")]
    #[diagnostic(
        code(orgctl::not_found),
        help("run `orgctl plan` again: the organization changed")
    )]
    NotFound {
        /// What was looked for.
        what: String,
    },
    /// Something of that name or id exists already.
    #[error("{what} already exists")]
    #[diagnostic(
        code(orgctl::already_exists),
        help("run `orgctl plan` again: the organization changed")
    )]
    AlreadyExists {
        /// What clashed.
        what: String,
    },
    /// Organizations refused the change (its `ConstraintViolationException`).
    #[error("constraint violated: {reason}")]
    #[diagnostic(code(orgctl::constraint_violation), help("{help}"))]
    ConstraintViolation {
        /// Organizations' reason code or a sentence.
        reason: String,
        /// What to do about it.
        help: String,
    },
    /// A quota would be exceeded.
    #[error("quota exceeded: {what} (limit {limit})")]
    #[diagnostic(
        code(orgctl::quota),
        help(
            "raise the quota in the spec's `quotas` block if AWS raised it for you, or change the spec"
        )
    )]
    QuotaExceeded {
        /// Which quota.
        what: String,
        /// Its value.
        limit: u64,
    },
    /// A bucket name is owned by another account: state must never go there.
    #[error("bucket `{bucket}` is owned by another account{}", owner.as_ref().map(|o| format!(" ({o})")).unwrap_or_default())]
    #[diagnostic(
        code(orgctl::bucket_squatted),
        help(
            "S3 bucket names are global: choose another `bucket_prefix`, or use the account-regional namespace setting"
        )
    )]
    BucketSquatted {
        /// The bucket.
        bucket: String,
        /// Its owner, when known.
        owner: Option<String>,
    },
    /// The input was rejected.
    #[error("invalid input: {message}")]
    #[diagnostic(code(orgctl::invalid_input))]
    InvalidInput {
        /// What was wrong.
        message: String,
    },
    /// The backend's own storage or transport failed.
    #[error("{backend} backend: {message}")]
    #[diagnostic(code(orgctl::backend), help("{help}"))]
    Backend {
        /// Which backend.
        backend: String,
        /// What failed.
        message: String,
        /// What to try.
        help: String,
    },
}

//! orgctl's AWS backend: an AWS organization behind the [`Backend`](orgctl_org::Backend)
//! trait, through the official AWS SDK for Rust.
//!
//! Organizations calls run with the caller's credentials, which must be the management
//! account's. Calls inside member accounts (state buckets, lock tables, the log archive
//! bucket) assume the organization's access role there (`OrganizationAccountAccessRole`
//! unless told otherwise) and keep the credentials for the backend's life. Every S3 call
//! that takes it carries `ExpectedBucketOwner`, so a bucket name taken by another account
//! is reported ([`BackendError::BucketSquatted`](orgctl_org::BackendError)) and never
//! written to. Puts make only the calls whose setting differs, so an apply with nothing to
//! change makes no mutating call ([`AwsBackend::call_counts`]).
//!
//! ```no_run
//! use orgctl_aws::{AwsBackend, AwsOptions};
//! use orgctl_org::Backend;
//!
//! let backend = AwsBackend::connect_with_fallback_region(
//!     AwsOptions { profile: Some("management".into()), ..AwsOptions::default() },
//!     "us-east-1",
//! )?;
//! let state = backend.read_state(&[])?;
//! println!("{} accounts", state.accounts.len());
//! # Ok::<(), orgctl_org::BackendError>(())
//! ```
//!
//! Errors are [`BackendError`](orgctl_org::BackendError)s mapped from AWS's error codes,
//! each with a next step; the SDK's adaptive retry mode absorbs throttling first. This
//! crate never prints.

mod accounts;
mod aggregators;
mod backend;
mod buckets;
mod call;
mod counts;
mod fault;
mod identity;
mod kinds;
mod mapping;
mod once;
mod options;
mod organization;
mod policies;
mod read;
mod reasons;
mod redact;
mod session;
mod tables;
mod trails;
mod trait_impl;
mod units;

pub use aggregators::config_aggregator_role;
pub use backend::AwsBackend;
pub use counts::CallCounts;
pub use options::{AwsOptions, DEFAULT_ACCESS_ROLE};

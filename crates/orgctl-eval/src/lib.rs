//! Exact evaluation of AWS authorization requests against IAM, SCP and RCP policies.
//!
//! Compile each policy once with [`CompiledPolicy::new`], gather them by layer in a
//! [`PolicySet`], and [`PolicySet::decide`] any number of [`Request`]s. A [`Decision`] is
//! `Allow`, `ExplicitDeny` or `ImplicitDeny` and carries the [`Reason`]s that decided it.
//!
//! ```
//! use orgctl_eval::{CompiledPolicy, Context, ContextValue, Outcome, PolicySet, Request};
//! use orgctl_policy::Policy;
//!
//! let region_lock = Policy::parse(r#"{"Version": "2012-10-17", "Statement": {
//!     "Effect": "Deny", "NotAction": "iam:*", "Resource": "*",
//!     "Condition": {"StringNotEquals": {"aws:RequestedRegion": "us-east-1"}}}}"#).unwrap();
//! let full = Policy::parse(r#"{"Statement": {"Effect": "Allow", "Action": "*", "Resource": "*"}}"#).unwrap();
//! let set = PolicySet {
//!     identity: vec![CompiledPolicy::new("admin", &full)],
//!     scps: Some(vec![vec![
//!         CompiledPolicy::new("FullAWSAccess", &full),
//!         CompiledPolicy::new("RegionLock", &region_lock),
//!     ]]),
//!     ..PolicySet::default()
//! };
//! let mut ctx = Context::new();
//! ctx.insert("aws:RequestedRegion", ContextValue::Single("eu-west-1".into()));
//! let req = Request::new("arn:aws:iam::111122223333:role/Dev", "ec2:RunInstances", "*", None, ctx);
//! let decision = set.decide(&req);
//! assert_eq!(decision.outcome, Outcome::ExplicitDeny);
//! assert_eq!(set.policy(&decision.reasons[0]).unwrap().name(), "RegionLock");
//! ```
//!
//! Evaluation does no I/O and, past building the [`Request`], allocates nothing for policies
//! without variables in long patterns. This crate never prints.

pub mod batch;
pub mod compile;
pub mod condition;
pub mod decide;
pub use orgctl_policy::glob;
pub mod prove;
pub mod request;
pub mod template;
pub mod values;

pub use compile::{CompiledPolicy, CompiledStatement, Grant};
pub use decide::{Decision, Layer, NEEDS_NO_PERMISSION, Outcome, PolicySet, RCP_SERVICES, Reason};
pub use request::{Context, ContextValue, Lookup, Principal, PrincipalKind, Request, ValueRef};

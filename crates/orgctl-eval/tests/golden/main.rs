//! Golden truth tables: the evaluator against statements of the AWS documentation.
//!
//! Each module encodes one area and cites the AWS documentation pages it follows (the URLs
//! come from the research notes `iam-semantics.md`). Tables are data — operator, policy
//! value(s), request value or `ABSENT`, expected result — driven through the helpers of
//! [`support`], which report every failing row at once.
//!
//! A row that fails because the evaluator contradicts the documentation stays asserting the
//! documented behaviour, in a separate test marked `#[ignore = "BUG: ..."]`.

#![allow(
    clippy::unwrap_used,
    clippy::panic,
    reason = "test code: a failure should stop the test"
)]

mod support;

mod layers;
mod matching;
mod missing_keys;
mod operators;
mod rcp;
mod scp;
mod set_operators;
mod variables;

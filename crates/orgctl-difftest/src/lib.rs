//! Differential testing of orgctl's evaluator against iam-simulate.
//!
//! [`generator`] writes random batch lines from a seed; [`run`] decides them with orgctl in-process
//! and with the iam-simulate oracle (`oracles/iam-simulate-batch.mjs`) in one subprocess,
//! compares, and classifies each disagreement as a known, documented deviation of
//! iam-simulate ([`deviations`], [`model`]) or as unexplained. See `docs/difftest.md`.

pub mod deviations;
pub mod generator;
pub mod minimize;
pub mod model;
pub mod oracle;
pub mod rng;
pub mod run;

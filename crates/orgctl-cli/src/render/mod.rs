//! Turning results into text: decisions for stdout, diagnostics for stderr.

pub mod decision;
pub mod diagnostic;
pub mod findings;
pub mod sarif;
pub mod spec;

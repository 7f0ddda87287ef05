//! The AWS catalog.

//! Tests of the `orgctl` binary: one integration test binary, one module per subject.

mod audit;
mod aws;
mod batch;
mod common;
mod expand;
mod init;
mod lint;
mod lockout;
mod org;
mod progress;
mod prove;
mod reliability;
mod replay;
mod report;
mod secrets;
mod simulate;
mod smoke;

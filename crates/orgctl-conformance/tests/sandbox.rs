//! The conformance suite against the sandbox: every check passes, none is a known gap.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "test code")]

use orgctl_conformance::{Gaps, Setup, checks, run};
use orgctl_sandbox::{Sandbox, SandboxOptions};

#[test]
fn the_sandbox_conforms() {
    let setup = Setup {
        management_account_id: "348665872333".to_owned(),
        region: "us-east-1".to_owned(),
    };
    let mut sandbox = Sandbox::in_memory(SandboxOptions {
        management_account_id: setup.management_account_id.clone(),
        ..SandboxOptions::default()
    })
    .unwrap();
    let report = run(&mut sandbox, &setup, &Gaps::default());
    assert!(report.failed.is_empty(), "{}", report.summary());
    assert_eq!(report.passed.len(), checks().len(), "{}", report.summary());
}

/// The checks can fail: run again on the same sandbox, the organization already exists and
/// the names are taken, and the suite says so.
#[test]
fn the_suite_notices_a_backend_that_is_not_fresh() {
    let setup = Setup {
        management_account_id: "348665872333".to_owned(),
        region: "us-east-1".to_owned(),
    };
    let mut sandbox = Sandbox::in_memory(SandboxOptions {
        management_account_id: setup.management_account_id.clone(),
        ..SandboxOptions::default()
    })
    .unwrap();
    let first = run(&mut sandbox, &setup, &Gaps::default());
    assert!(first.failed.is_empty(), "{}", first.summary());
    let second = run(&mut sandbox, &setup, &Gaps::default());
    let failed: Vec<&str> = second.failed.iter().map(|(c, _)| *c).collect();
    assert!(
        failed.contains(&"no organization at first"),
        "{}",
        second.summary()
    );
    assert!(
        failed.contains(&"create organization"),
        "{}",
        second.summary()
    );
}

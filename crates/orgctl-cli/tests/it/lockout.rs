//! The lockout guard in `plan` and `apply`: refusal with the counterexample, and the override.

#![allow(clippy::expect_used, reason = "tests fail by panicking")]

use crate::common::{docustack_copy, orgctl};

/// DocuStack with an SCP on the workloads that denies S3 to everyone, the access role too.
fn locked_out() -> tempfile::TempDir {
    let dir = docustack_copy();
    std::fs::write(
        dir.path().join("policies/NoS3.json"),
        r#"{"Version":"2012-10-17","Statement":[{"Sid":"NoS3","Effect":"Deny","Action":"s3:*","Resource":"*"}]}"#,
    )
    .expect("writing the policy");
    let org = dir.path().join("org.hcl");
    let mut text = std::fs::read_to_string(&org).expect("org.hcl");
    text.push_str(
        "\npolicy \"no_s3\" {\n  type   = \"scp\"\n  name   = \"NoS3\"\n  file   = \"policies/NoS3.json\"\n  attach = [unit.workloads]\n}\n",
    );
    std::fs::write(&org, text).expect("org.hcl");
    dir
}

#[test]
fn plan_refuses_a_lockout_and_shows_the_counterexample() {
    let dir = locked_out();
    let out = orgctl(dir.path(), &["plan", "."], None);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(
        out.stderr
            .contains("would lock orgctl or the organization's owners out"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("the access role OrganizationAccountAccessRole cannot call s3:CreateBucket in Production (us-east-1)"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("request: arn:aws:sts::"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr
            .contains("denied:  NoS3 statement NoS3 (SCP at Workloads) denies every request"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("--force-lockout --reason"),
        "{}",
        out.stderr
    );
}

#[test]
fn the_override_needs_a_reason_and_then_plans() {
    let dir = locked_out();
    let out = orgctl(dir.path(), &["plan", ".", "--force-lockout"], None);
    assert_eq!(out.code, 2, "clap's usage error: {}", out.stderr);
    assert!(out.stderr.contains("--reason"), "{}", out.stderr);
    let out = orgctl(
        dir.path(),
        &[
            "plan",
            ".",
            "--force-lockout",
            "--reason",
            "S3 moves to the data account",
        ],
        None,
    );
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stderr
            .contains("going on because of --force-lockout: S3 moves to the data account"),
        "{}",
        out.stderr
    );
}

#[test]
fn apply_refuses_before_changing_anything() {
    let dir = locked_out();
    let out = orgctl(dir.path(), &["apply", "."], None);
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(out.stderr.contains("nothing was changed"), "{}", out.stderr);
    // The organization was not created: a plan still starts from nothing.
    let out = orgctl(
        dir.path(),
        &["plan", ".", "--force-lockout", "--reason", "check"],
        None,
    );
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(
        out.stdout.contains("+ create organization"),
        "{}",
        out.stdout
    );
}

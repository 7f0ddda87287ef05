//! `orgctl apply --backend aws` against moto's server on 127.0.0.1: the DocuStack organization
//! is built, and a second apply plans nothing and makes no mutating call.
//!
//! Moto does not implement InviteAccountToOrganization, nor delegated administration for
//! Security Hub and Config: the spec used here is DocuStack's with Dev created rather than
//! invited and GuardDuty as the one delegated service.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "test code")]

use std::process::{Command, Stdio};

use crate::common::{docustack_for_moto, moto};

fn orgctl_aws(dir: &std::path::Path, endpoint: &str, args: &[&str]) -> (i32, String, String) {
    let mut all = args.to_vec();
    all.push(dir.to_str().unwrap());
    orgctl_args(endpoint, &all)
}

#[test]
fn docustack_on_moto_then_no_mutating_call() {
    let Some(moto) = moto() else { return };
    let dir = docustack_for_moto();
    let (code, _, stderr) = orgctl_aws(dir.path(), &moto.endpoint(), &["plan"]);
    assert_eq!(code, 2, "{stderr}");
    let (code, stdout, stderr) = orgctl_aws(dir.path(), &moto.endpoint(), &["apply"]);
    assert_eq!(
        code, 1,
        "apply against AWS needs --yes without a terminal: {stdout}{stderr}"
    );
    let (code, stdout, stderr) = orgctl_aws(dir.path(), &moto.endpoint(), &["apply", "--yes"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(stdout.contains("Apply complete"), "{stdout}");
    assert!(stdout.contains("6 accounts created"), "{stdout}");
    assert!(
        dir.path()
            .join("infrastructure-live/production/account.hcl")
            .exists()
    );

    let (code, stdout, stderr) = orgctl_aws(dir.path(), &moto.endpoint(), &["apply", "--yes"]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert_eq!(stdout, "No changes. The organization matches the spec.\n");
    assert!(stderr.contains("0 of them mutating"), "{stderr}");
    let (code, _, _) = orgctl_aws(dir.path(), &moto.endpoint(), &["plan"]);
    assert_eq!(code, 0);
}

#[test]
fn an_unreachable_endpoint_is_a_clear_error() {
    let dir = docustack_for_moto();
    // Nothing listens on port 9 of loopback.
    let (code, _, stderr) = orgctl_aws(dir.path(), "http://127.0.0.1:9", &["plan"]);
    assert_eq!(code, 1);
    assert!(stderr.contains("127.0.0.1:9"), "{stderr}");
    assert!(
        !stderr.contains("DispatchFailure"),
        "no raw SDK dump: {stderr}"
    );
}

#[test]
fn vend_then_import_on_moto() {
    let Some(moto) = moto() else { return };
    let dir = docustack_for_moto();
    let (code, stdout, stderr) = orgctl_aws(dir.path(), &moto.endpoint(), &["apply", "--yes"]);
    assert_eq!(code, 0, "{stdout}{stderr}");

    let d = dir.path().to_str().unwrap();
    let (code, stdout, stderr) = orgctl_args(
        &moto.endpoint(),
        &[
            "account",
            "create",
            "QA",
            "--ou",
            "workloads",
            "--email",
            "aws-qa@docustack.example",
            "--dir",
            d,
        ],
    );
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(stdout.contains("is vended"), "{stdout}");
    assert!(
        std::fs::read_to_string(dir.path().join("org.hcl"))
            .unwrap()
            .contains("account \"qa\"")
    );
    let (code, stdout, stderr) = orgctl_aws(dir.path(), &moto.endpoint(), &["plan"]);
    assert_eq!(
        code, 0,
        "the vended account is in the spec and the organization: {stdout}{stderr}"
    );

    let out = dir.path().join("imported");
    let (code, stdout, stderr) = orgctl_args(
        &moto.endpoint(),
        &[
            "import",
            "--out",
            out.to_str().unwrap(),
            "--name",
            "docustack",
        ],
    );
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(stdout.contains("8 accounts"), "{stdout}");
    let (code, stdout, stderr) = orgctl_aws(&out, &moto.endpoint(), &["plan"]);
    assert_eq!(
        code, 0,
        "a plan right after import shows no changes: {stdout}{stderr}"
    );
}

/// Runs orgctl with `args` then the AWS backend options, against `endpoint`.
fn orgctl_args(endpoint: &str, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_orgctl"))
        .args(args)
        .args(["--backend", "aws", "--endpoint-url", endpoint])
        .env("NO_COLOR", "1")
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env_remove("AWS_PROFILE")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

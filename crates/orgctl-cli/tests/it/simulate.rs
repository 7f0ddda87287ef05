//! `orgctl simulate` with one request from flags, over the DocuStack policies.

use crate::assert_run;
use crate::common::{docustack, orgctl, temp_dir};

/// The DocuStack hierarchy for a Workloads account: root, Workloads OU, account.
const WORKLOADS: [&str; 6] = [
    "--scp",
    "policies/FullAWSAccess.json,policies/RegionDeny.json,policies/ProtectCloudTrail.json",
    "--scp",
    "policies/FullAWSAccess.json,policies/RequireS3Encryption.json,policies/DenyPublicS3.json",
    "--scp",
    "policies/FullAWSAccess.json",
];

fn simulate(extra: &[&str]) -> crate::common::Output {
    let mut args = vec!["simulate"];
    args.extend(WORKLOADS);
    args.extend(["--identity", "policies/FullAWSAccess.json"]);
    args.extend(extra);
    orgctl(&docustack(), &args, None)
}

#[test]
fn allowed_global_service_outside_the_region() {
    // iam:* is exempt from the region lock.
    let out = simulate(&[
        "--action",
        "iam:CreateRole",
        "--context",
        "aws:RequestedRegion=eu-west-1",
    ]);
    assert_run!("simulate_allow", out);
}

#[test]
fn explicit_scp_deny_outside_the_region() {
    let out = simulate(&[
        "--action",
        "ec2:RunInstances",
        "--context",
        "aws:RequestedRegion=eu-west-1",
    ]);
    assert_run!("simulate_explicit_deny", out);
}

#[test]
fn every_matching_deny_is_named() {
    let out = simulate(&[
        "--action",
        "cloudtrail:StopLogging",
        "--context",
        "aws:RequestedRegion=eu-west-1",
    ]);
    assert_run!("simulate_two_denies", out);
}

#[test]
fn implicit_deny_from_a_level_without_full_access() {
    let out = orgctl(
        &docustack(),
        &[
            "simulate",
            "--action",
            "s3:GetObject",
            "--resource",
            "arn:aws:s3:::docs/report.pdf",
            "--context",
            "aws:RequestedRegion=us-east-1",
            "--scp",
            "policies/FullAWSAccess.json",
            "--scp",
            "policies/RegionDeny.json,policies/ProtectCloudTrail.json",
            "--identity",
            "policies/FullAWSAccess.json",
        ],
        None,
    );
    assert_run!("simulate_implicit_deny_scp_level", out);
}

#[test]
fn region_is_short_for_the_requested_region_key() {
    let out = simulate(&["--action", "ec2:RunInstances", "--region", "eu-west-1"]);
    assert_run!("simulate_region", out);
    // The same request spelled with --context decides the same way.
    let spelled_out = simulate(&[
        "--action",
        "ec2:RunInstances",
        "--context",
        "aws:RequestedRegion=eu-west-1",
    ]);
    assert_eq!(out.stdout, spelled_out.stdout);
}

#[test]
fn context_wins_over_region() {
    let out = simulate(&[
        "--action",
        "ec2:RunInstances",
        "--region",
        "eu-west-1",
        "--context",
        "AWS:RequestedRegion=us-east-1",
    ]);
    assert_run!("simulate_region_context_wins", out);
}

#[test]
fn json_format_is_the_batch_line() {
    let out = simulate(&[
        "--action",
        "ec2:RunInstances",
        "--context",
        "aws:RequestedRegion=eu-west-1",
        "--format",
        "json",
    ]);
    assert_run!("simulate_json", out);
}

#[test]
fn multivalued_context_from_repeated_keys() {
    let policy = r#"{"Version": "2012-10-17", "Statement": [{
        "Sid": "OnlyTeamTags", "Effect": "Allow", "Action": "iam:TagRole", "Resource": "*",
        "Condition": {"ForAllValues:StringEquals": {"aws:TagKeys": ["team", "env"]}}}]}"#;
    let dir = temp_dir(&[("tags.json", policy)]);
    let run = |extra: &[&str]| {
        let mut args = vec![
            "simulate",
            "--action",
            "iam:TagRole",
            "--identity",
            "tags.json",
        ];
        args.extend(extra);
        orgctl(dir.path(), &args, None)
    };
    let allowed = run(&[
        "--context",
        "aws:TagKeys=team",
        "--context",
        "aws:TagKeys=env",
    ]);
    assert!(allowed.stdout.starts_with("Allow:"), "{}", allowed.stdout);
    let denied = run(&[
        "--context",
        "aws:TagKeys=team",
        "--context",
        "aws:TagKeys=owner",
    ]);
    assert!(
        denied.stdout.starts_with("ImplicitDeny:"),
        "{}",
        denied.stdout
    );
}

#[test]
fn json_syntax_error_shows_line_column_and_help() {
    let dir = temp_dir(&[(
        "broken.json",
        "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\"Effect\": \"Allow\" \"Action\": \"s3:*\", \"Resource\": \"*\"}\n  ]\n}\n",
    )]);
    let out = orgctl(
        dir.path(),
        &[
            "simulate",
            "--action",
            "s3:GetObject",
            "--identity",
            "broken.json",
        ],
        None,
    );
    assert_run!("simulate_json_syntax_error", out, dir.path());
}

#[test]
fn missing_effect_and_every_other_problem() {
    let dir = temp_dir(&[(
        "no-effect.json",
        "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\n      \"Sid\": \"ReadDocs\",\n      \"Action\": \"s3:GetObject\",\n      \"Resource\": \"*\"\n    },\n    {\n      \"Effect\": \"Permit\",\n      \"Action\": \"s3:PutObject\",\n      \"Resource\": \"*\"\n    }\n  ]\n}\n",
    )]);
    // Absolute paths are filtered out of the snapshot.
    let path = dir.path().join("no-effect.json");
    let path = path.to_str().expect("UTF-8 temp path");
    let out = orgctl(
        dir.path(),
        &[
            "simulate",
            "--action",
            "s3:GetObject",
            "--scp",
            path,
            "--identity",
            "missing.json",
        ],
        None,
    );
    assert_run!("simulate_missing_effect", out, dir.path());
}

#[test]
fn usage_errors_exit_2() {
    let out = orgctl(&docustack(), &["simulate"], None);
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("--action"), "{}", out.stderr);
    let out = orgctl(
        &docustack(),
        &[
            "simulate",
            "--action",
            "s3:GetObject",
            "--context",
            "novalue",
        ],
        None,
    );
    assert_eq!(out.code, 2, "{}", out.stderr);
    let out = orgctl(
        &docustack(),
        &["simulate", "--batch", "x.jsonl", "--action", "s3:GetObject"],
        None,
    );
    assert_eq!(out.code, 2, "{}", out.stderr);
}

#[test]
fn help_documents_exit_status_and_context() {
    let out = orgctl(&docustack(), &["simulate", "--help"], None);
    assert_run!("simulate_help", out);
}

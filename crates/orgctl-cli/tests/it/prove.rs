//! `orgctl prove`: verdicts per account and region, properties, formats and exit codes.

#![allow(clippy::expect_used, reason = "tests fail by panicking")]

use crate::common::{docustack, docustack_copy, orgctl};

#[test]
fn one_account_human() {
    let out = orgctl(
        &docustack(),
        &[
            "prove",
            ".",
            "--account",
            "production",
            "--action",
            "s3:Put*Public*",
            "--action",
            "cloudtrail:StopLogging",
        ],
        None,
    );
    crate::assert_run!("prove_production_human", out);
}

#[test]
fn json_lists_every_verdict_with_its_witness_or_reason() {
    let out = orgctl(
        &docustack(),
        &[
            "prove",
            ".",
            "--account",
            "dev",
            "--action",
            "ec2:RunInstances",
            "--action",
            "iam:CreateRole",
            "--region",
            "us-east-1",
            "--region",
            "eu-west-1",
            "--format",
            "json",
        ],
        None,
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    let doc: serde_json::Value = serde_json::from_str(&out.stdout).expect("valid JSON");
    let verdicts = doc["verdicts"].as_array().expect("verdicts");
    assert_eq!(verdicts.len(), 4);
    for v in verdicts {
        assert_eq!(v["account"]["name"], "Dev");
        assert_eq!(v["account"]["id"], "216482851263");
        let denied = v["region"] == "eu-west-1" && v["action"] == "ec2:RunInstances";
        if denied {
            assert_eq!(v["status"], "denied");
            let reason = v["reason"].as_str().expect("a reason");
            assert!(reason.contains("RegionDeny"), "{reason}");
        } else {
            assert_eq!(v["status"], "allowed", "{v}");
            assert_eq!(v["witness"]["action"], v["action"]);
            assert_eq!(v["witness"]["context"]["aws:RequestedRegion"], v["region"]);
        }
    }
    let summary = doc["summary"].as_array().expect("summary");
    assert_eq!(summary.len(), 2);
    assert_eq!(doc["properties"].as_array().expect("properties").len(), 5);
}

#[test]
fn a_violated_property_fails_with_its_counterexample() {
    let dir = docustack_copy();
    std::fs::copy(
        docustack().join("properties.hcl"),
        dir.path().join("properties.hcl"),
    )
    .expect("copying properties");
    let org = dir.path().join("org.hcl");
    let text = std::fs::read_to_string(&org).expect("org.hcl").replace(
        "file        = \"policies/RegionDeny.json\"\n  attach      = [root]",
        "file        = \"policies/RegionDeny.json\"\n  attach      = [unit.security]",
    );
    std::fs::write(&org, text).expect("org.hcl");
    let out = orgctl(
        dir.path(),
        &["prove", ".", "--action", "sts:GetCallerIdentity"],
        None,
    );
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(
        out.stdout.contains("violated region_lock"),
        "{}",
        out.stdout
    );
    assert!(out.stdout.contains("counterexample:"), "{}", out.stdout);
}

#[test]
fn unknown_names_fail_with_help() {
    let out = orgctl(&docustack(), &["prove", ".", "--account", "prod"], None);
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("no account `prod`"), "{}", out.stderr);
    let out = orgctl(&docustack(), &["prove", ".", "--action", "nosuch:*"], None);
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("matches no action"), "{}", out.stderr);
}

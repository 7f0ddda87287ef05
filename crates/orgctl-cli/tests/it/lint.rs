//! `orgctl lint`: findings in every format, exit codes, rule documentation.

#![allow(
    clippy::expect_used,
    reason = "test helpers fail the test by panicking"
)]

use std::path::Path;
use std::process::Command;

use crate::assert_run;
use crate::common::{orgctl, temp_dir};

/// An SCP with a typo in an exemption, a template placeholder and a `Principal`.
const BROKEN_SCP: &str = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "DenyOutsideEU",
      "Effect": "Deny",
      "NotAction": ["iam:*", "sts:*", "organizations:*", "s3:ListAllMyBucket"],
      "Resource": "*",
      "Condition": {
        "StringNotEquals": {"aws:RequestedRegion": ["us-east-1", "eu-west-1"]},
        "ArnNotLike": {"aws:PrincipalARN": "arn:aws:iam::${Account}:role/OrganizationAccountAccessRole"}
      }
    },
    {
      "Effect": "Deny",
      "Principal": "*",
      "Action": "cloudtrail:StopLogging",
      "Resource": "*"
    }
  ]
}
"#;

/// An SCP without findings.
const CLEAN_SCP: &str = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {"Sid": "ProtectTrail", "Effect": "Deny", "Action": ["cloudtrail:StopLogging", "cloudtrail:DeleteTrail"], "Resource": "*"}
  ]
}
"#;

#[test]
fn human_output_underlines_each_finding() {
    let dir = temp_dir(&[
        ("scps/broken.json", BROKEN_SCP),
        ("scps/clean.json", CLEAN_SCP),
    ]);
    let out = orgctl(dir.path(), &["lint", "--type", "scp", "scps"], None);
    assert_eq!(out.code, 1, "errors fail the run by default");
    assert_run!("lint_human", out, dir.path());
}

#[test]
fn json_output_lists_findings_with_positions() {
    let dir = temp_dir(&[("broken.json", BROKEN_SCP)]);
    let out = orgctl(
        dir.path(),
        &["lint", "--type", "scp", "--format", "json", "broken.json"],
        None,
    );
    let doc: serde_json::Value = serde_json::from_str(&out.stdout).expect("JSON on stdout");
    let findings = doc["files"][0]["findings"].as_array().expect("findings");
    let codes: Vec<&str> = findings
        .iter()
        .filter_map(|f| f["issue_code"].as_str())
        .collect();
    assert!(codes.contains(&"INVALID_ACTION"), "{codes:?}");
    assert!(codes.contains(&"TEMPLATE_PLACEHOLDER"), "{codes:?}");
    assert!(codes.contains(&"SCP_SYNTAX_ERROR_PRINCIPAL"), "{codes:?}");
    let typo = findings
        .iter()
        .find(|f| f["issue_code"] == "INVALID_ACTION")
        .expect("typo finding");
    assert_eq!(typo["location"]["start"]["line"], 7);
    assert_eq!(typo["location"]["start"]["column"], 58);
    assert_eq!(typo["hint"], "did you mean `s3:ListAllMyBuckets`?");
    let errors = findings
        .iter()
        .filter(|f| f["finding_type"] == "ERROR")
        .count() as u64;
    assert_eq!(doc["summary"]["by_type"]["ERROR"].as_u64(), Some(errors));
    assert_eq!(
        doc["summary"]["findings"].as_u64(),
        Some(findings.len() as u64)
    );
    assert_eq!(out.code, 1);
}

#[test]
fn fail_on_sets_the_exit_status() {
    let dir = temp_dir(&[("clean.json", CLEAN_SCP), ("broken.json", BROKEN_SCP)]);
    let clean = orgctl(
        dir.path(),
        &[
            "lint",
            "--type",
            "scp",
            "--fail-on",
            "suggestion",
            "clean.json",
        ],
        None,
    );
    assert_eq!(clean.code, 0, "{}", clean.stdout);
    let never = orgctl(
        dir.path(),
        &["lint", "--type", "scp", "--fail-on", "never", "broken.json"],
        None,
    );
    assert_eq!(never.code, 0);
    let missing = orgctl(dir.path(), &["lint", "nope.json"], None);
    assert_eq!(missing.code, 2);
    assert!(
        missing.stderr.contains("cannot read `nope.json`"),
        "{}",
        missing.stderr
    );
}

#[test]
fn sarif_output_is_valid_sarif() {
    let dir = temp_dir(&[("broken.json", BROKEN_SCP), ("clean.json", CLEAN_SCP)]);
    let out = orgctl(
        dir.path(),
        &[
            "lint",
            "--type",
            "scp",
            "--format",
            "sarif",
            "broken.json",
            "clean.json",
        ],
        None,
    );
    let doc: serde_json::Value = serde_json::from_str(&out.stdout).expect("JSON on stdout");
    assert_eq!(doc["version"], "2.1.0");
    let results = doc["runs"][0]["results"].as_array().expect("results");
    assert!(!results.is_empty());
    assert!(results.iter().all(
        |r| r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "broken.json"
    ));
    validate_sarif(&dir.path().join("out.sarif"), &out.stdout);
}

/// Validates a SARIF log against the SARIF 2.1.0 schema with the Node validator installed by
/// `scripts/setup-oracles`.
fn validate_sarif(path: &Path, text: &str) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let script = root.join("oracles/validate-sarif.mjs");
    if !root.join("oracles/node_modules/ajv").exists() {
        assert!(
            std::env::var_os("ORGCTL_SKIP_ORACLES").is_some(),
            "the SARIF schema validator is not installed: run scripts/setup-oracles (or set ORGCTL_SKIP_ORACLES=1)"
        );
        return;
    }
    std::fs::write(path, text).expect("SARIF written");
    let out = Command::new("node")
        .arg(&script)
        .arg(path)
        .output()
        .expect("node runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn explain_prints_rule_docs() {
    let dir = temp_dir(&[]);
    let out = orgctl(dir.path(), &["lint", "--explain", "unknown-action"], None);
    assert_eq!(out.code, 0);
    assert!(out.stdout.starts_with("# unknown-action\n"));
    assert!(out.stdout.contains("## Why is this bad?"));
    let all = orgctl(dir.path(), &["lint", "--explain", "all"], None);
    assert!(all.stdout.lines().count() >= 20, "{}", all.stdout);
    let bad = orgctl(dir.path(), &["lint", "--explain", "nope"], None);
    assert_eq!(bad.code, 2);
}

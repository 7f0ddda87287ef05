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

/// An RCP that allows: RCPs only deny (RCPFullAWSAccess aside).
const ALLOWING_RCP: &str = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"}
  ]
}
"#;

/// A bucket policy that lets anyone read.
const PUBLIC_BUCKET: &str = r#"{
  "Version": "2012-10-17",
  "Statement": [
    {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::docs/*"}
  ]
}
"#;

/// Each file's findings by path, from a JSON document of `lint`.
fn findings_by_path(stdout: &str) -> Vec<(String, String, Vec<String>)> {
    let doc: serde_json::Value = serde_json::from_str(stdout).expect("JSON on stdout");
    doc["files"]
        .as_array()
        .expect("files")
        .iter()
        .map(|f| {
            let findings = f["findings"].as_array().expect("findings");
            (
                f["path"].as_str().expect("path").to_owned(),
                f["policy_type"].as_str().expect("policy type").to_owned(),
                findings
                    .iter()
                    .map(|x| format!("{} {}", x["issue_code"], x["location"]["start"]))
                    .collect(),
            )
        })
        .collect()
}

/// Files of every type linted in one run get what a run per type gives them, each reported
/// with its type, in the order PATH arguments, --identity, --resource, --scp, --rcp.
#[test]
fn one_run_lints_policies_of_several_types() {
    let dir = temp_dir(&[
        ("scps/broken.json", BROKEN_SCP),
        ("scps/clean.json", CLEAN_SCP),
        ("rcps/allow.json", ALLOWING_RCP),
        ("buckets/docs.json", PUBLIC_BUCKET),
        ("identity/broken.json", BROKEN_SCP),
    ]);
    let mixed = orgctl(
        dir.path(),
        &[
            "lint",
            "--format",
            "json",
            "--rcp",
            "rcps",
            "--scp",
            "scps",
            "identity/broken.json",
            "--resource",
            "buckets/docs.json",
        ],
        None,
    );
    assert_eq!(mixed.code, 1, "{}", mixed.stderr);
    let mixed = findings_by_path(&mixed.stdout);
    let mut separate = Vec::new();
    for (kind, path) in [
        ("identity", "identity/broken.json"),
        ("resource", "buckets/docs.json"),
        ("scp", "scps"),
        ("rcp", "rcps"),
    ] {
        let out = orgctl(
            dir.path(),
            &["lint", "--type", kind, "--format", "json", path],
            None,
        );
        separate.extend(findings_by_path(&out.stdout));
    }
    assert_eq!(mixed, separate);
    let types: Vec<(&str, &str)> = mixed
        .iter()
        .map(|(path, kind, _)| (path.as_str(), kind.as_str()))
        .collect();
    assert_eq!(
        types,
        [
            ("identity/broken.json", "identity"),
            ("buckets/docs.json", "resource"),
            ("scps/broken.json", "scp"),
            ("scps/clean.json", "scp"),
            ("rcps/allow.json", "rcp"),
        ]
    );
    // The same text is judged by its type: `Principal` is an SCP error only.
    let has = |path: &str, code: &str| {
        mixed
            .iter()
            .any(|(p, _, f)| p == path && f.iter().any(|x| x.contains(code)))
    };
    assert!(has("scps/broken.json", "SCP_SYNTAX_ERROR_PRINCIPAL"));
    assert!(!has("identity/broken.json", "SCP_SYNTAX_ERROR_PRINCIPAL"));
    assert!(
        mixed
            .iter()
            .any(|(p, _, f)| p == "rcps/allow.json" && !f.is_empty())
    );

    // Human output counts the files of each type; SARIF carries each result's type.
    let human = orgctl(
        dir.path(),
        &["lint", "--scp", "scps", "--rcp", "rcps/allow.json"],
        None,
    );
    let summary = human.stdout.lines().last().expect("a summary line");
    assert!(
        summary.starts_with("3 files (2 scp, 1 rcp) linted: "),
        "{summary}"
    );
    let sarif = orgctl(
        dir.path(),
        &[
            "lint", "--format", "sarif", "--scp", "scps", "--rcp", "rcps",
        ],
        None,
    );
    let doc: serde_json::Value = serde_json::from_str(&sarif.stdout).expect("SARIF on stdout");
    let results = doc["runs"][0]["results"].as_array().expect("results");
    for r in results {
        let uri = r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            .as_str()
            .expect("uri");
        let expected = if uri.starts_with("rcps/") {
            "rcp"
        } else {
            "scp"
        };
        assert_eq!(r["properties"]["policyType"], expected, "{uri}");
    }
    assert!(
        results
            .iter()
            .any(|r| r["properties"]["policyType"] == "rcp")
    );
    validate_sarif(&dir.path().join("mixed.sarif"), &sarif.stdout);
}

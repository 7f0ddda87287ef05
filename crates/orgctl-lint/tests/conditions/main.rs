//! Integration checks of the condition and ARN rules (`condition-type`, `set-operator`,
//! `condition-style`, `mfa-pattern`, `arn-format`, `ip-range`) through the public API.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use orgctl_lint::{LintOptions, PolicyType, lint};

const RULES: [&str; 6] = [
    "condition-type",
    "set-operator",
    "condition-style",
    "mfa-pattern",
    "arn-format",
    "ip-range",
];

#[expect(
    clippy::unwrap_used,
    reason = "a test helper: a damaged catalog should fail the test"
)]
fn ours(src: &str, policy_type: PolicyType) -> Vec<(String, &'static str, String)> {
    let report = lint(src, &LintOptions::new(policy_type)).unwrap();
    report
        .findings
        .into_iter()
        .filter(|f| RULES.contains(&f.rule))
        .map(|f| {
            (
                f.rule.to_owned(),
                f.issue_code,
                src[f.span.start..f.span.end].to_owned(),
            )
        })
        .collect()
}

#[test]
fn every_rule_has_docs_in_the_house_style() {
    for rule in orgctl_lint::rules::RULES
        .iter()
        .filter(|r| RULES.contains(&r.name))
    {
        assert!(!rule.summary.is_empty(), "{}", rule.name);
        for heading in [
            "## What it does",
            "## Why is this bad?",
            "## Example",
            "Use instead:",
            "## References",
        ] {
            assert!(rule.docs.contains(heading), "{} lacks {heading}", rule.name);
        }
    }
}

#[test]
fn a_data_perimeter_scp_passes_every_condition_rule() {
    let src = r#"{
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "EnforceNetworkPerimeter",
                "Effect": "Deny",
                "Action": ["s3:*", "sqs:*"],
                "Resource": "*",
                "Condition": {
                    "NotIpAddressIfExists": {"aws:SourceIp": ["203.0.113.0/24", "2001:db8::/32"]},
                    "StringNotEqualsIfExists": {"aws:SourceVpc": "vpc-12345678"},
                    "BoolIfExists": {"aws:PrincipalIsAWSService": "false", "aws:ViaAWSService": "false"},
                    "ArnNotLikeIfExists": {"aws:PrincipalArn": "arn:aws:iam::*:role/aws-service-role/*"}
                }
            },
            {
                "Sid": "DenyWithoutMfa",
                "Effect": "Deny",
                "NotAction": ["iam:ChangePassword", "sts:GetSessionToken"],
                "Resource": "*",
                "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}
            },
            {
                "Sid": "ProtectTags",
                "Effect": "Deny",
                "Action": "ec2:CreateTags",
                "Resource": "arn:aws:ec2:*:*:instance/*",
                "Condition": {"ForAnyValue:StringLike": {"aws:TagKeys": "security:*"}}
            }
        ]
    }"#;
    assert_eq!(ours(src, PolicyType::Scp), Vec::new());
}

#[test]
fn one_finding_per_problem_across_the_rules() {
    // An unparsable IP range is reported once (condition-type), not again by ip-range; a
    // template placeholder in an ARN is left to template-placeholder.
    let src = r#"{
        "Version": "2012-10-17",
        "Statement": {
            "Effect": "Deny",
            "Action": "s3:PutObject",
            "Resource": "arn:${PARTITION}:s3:::bucket/*",
            "Condition": {"NotIpAddress": {"aws:SourceIp": ["10.0.0.256/8", "10.1.2.3/8"]}}
        }
    }"#;
    assert_eq!(
        ours(src, PolicyType::Scp),
        vec![
            (
                "condition-type".to_owned(),
                "TYPE_MISMATCH_IP_RANGE",
                r#""10.0.0.256/8""#.to_owned()
            ),
            (
                "ip-range".to_owned(),
                "PRIVATE_NOTIPADDRESS",
                r#""10.1.2.3/8""#.to_owned()
            ),
            (
                "ip-range".to_owned(),
                "IMPROVE_IP_RANGE",
                r#""10.1.2.3/8""#.to_owned()
            ),
        ]
    );
}

fn json_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            json_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "json") {
            out.push(path);
        }
    }
}

fn policy_type_of(path: &Path) -> PolicyType {
    let p = path.to_string_lossy().to_ascii_lowercase();
    if p.contains("resource_control") || p.contains("resource-control") || p.contains("rcp") {
        PolicyType::Rcp
    } else if p.contains("resource_based") || p.contains("vpc_endpoint") {
        PolicyType::Resource
    } else if p.contains("/scp/") {
        PolicyType::Scp
    } else {
        PolicyType::Identity
    }
}

/// Lints every JSON policy under `$ORGCTL_CORPUS` and prints the findings of these rules with
/// counts per issue code. Run with
/// `ORGCTL_CORPUS=/path/to/policies cargo test -p orgctl-lint --test conditions -- --ignored --nocapture`.
#[test]
#[ignore = "needs a policy corpus in ORGCTL_CORPUS"]
fn corpus_survey() {
    let Some(root) = std::env::var_os("ORGCTL_CORPUS") else {
        return;
    };
    let mut files = Vec::new();
    json_files(Path::new(&root), &mut files);
    files.sort();
    let mut counts: BTreeMap<(String, &str), usize> = BTreeMap::new();
    for path in &files {
        let Ok(src) = std::fs::read_to_string(path) else {
            continue;
        };
        for (rule, code, text) in ours(&src, policy_type_of(path)) {
            println!("{}\t{rule}\t{code}\t{text}", path.display());
            *counts.entry((rule, code)).or_default() += 1;
        }
    }
    println!("{} files", files.len());
    for ((rule, code), n) in counts {
        println!("{n:6}  {rule:16} {code}");
    }
}

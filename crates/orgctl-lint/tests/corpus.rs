//! Conformance on real policies: every file of the corpora in `tests/fixtures/policies` is
//! linted; nothing panics, every file that is not JSON is reported with its line and column,
//! each quirk listed in the fixtures' sources has its test, and the findings of a
//! representative sample are snapshot-tested.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "test code")]

use std::path::{Path, PathBuf};

use orgctl_catalog::Catalog;
use orgctl_lint::{Finding, Limits, LintOptions, PolicyType, lint_with};
use orgctl_policy::LineIndex;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/policies")
}

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files(&path, out);
        } else if path.extension().is_some_and(|e| e == "json") {
            out.push(path);
        }
    }
}

/// The policy type a corpus file is, from where it sits.
fn policy_type(path: &Path) -> PolicyType {
    let p = path.to_string_lossy().to_ascii_lowercase();
    if p.contains("aws-managed") {
        PolicyType::Identity
    } else if p.contains("resource-control") || p.contains("resource_control") || p.contains("/rcp")
    {
        PolicyType::Rcp
    } else if p.contains("vpc_endpoint")
        || p.contains("endpoint-polic")
        || p.contains("bucket")
        || p.contains("key-polic")
    {
        PolicyType::Resource
    } else {
        PolicyType::Scp
    }
}

fn lint(path: &Path, options: &LintOptions) -> (String, Vec<Finding>) {
    let src = String::from_utf8_lossy(&std::fs::read(path).unwrap()).into_owned();
    let report = lint_with(&src, options, Catalog::embedded().unwrap());
    (src, report.findings)
}

fn render(src: &str, findings: &[Finding]) -> String {
    let index = LineIndex::new(src);
    findings
        .iter()
        .map(|f| {
            format!(
                "{} {} {} ({}): {}",
                index.line_col(src, f.span.start),
                f.finding_type,
                f.issue_code,
                f.rule,
                f.message
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn every_corpus_file_lints_and_non_json_is_located() {
    let mut all = Vec::new();
    files(&fixtures(), &mut all);
    assert!(all.len() > 1_700, "{} files", all.len());
    let mut not_json = 0;
    for path in &all {
        let (src, findings) = lint(path, &LintOptions::new(policy_type(path)));
        let syntax: Vec<&Finding> = findings
            .iter()
            .filter(|f| f.issue_code == "JSON_SYNTAX_ERROR")
            .collect();
        let serde_ok = serde_json::from_str::<serde_json::Value>(&src).is_ok();
        if serde_ok {
            assert!(
                syntax.is_empty(),
                "{}: valid JSON reported as a syntax error: {}",
                path.display(),
                render(&src, &findings)
            );
        } else {
            not_json += 1;
            assert!(
                !syntax.is_empty(),
                "{}: invalid JSON not reported",
                path.display()
            );
            for f in syntax {
                assert!(
                    f.span.end <= src.len() && f.span.start <= f.span.end,
                    "{}",
                    path.display()
                );
            }
        }
    }
    assert_eq!(
        not_json, 3,
        "the corpora hold three files that are not JSON"
    );
}

fn fixture(rel: &str) -> PathBuf {
    fixtures().join(rel)
}

#[test]
fn quirk_comment_inside_an_array() {
    let path = fixture(
        "scp/aws-samples_service-control-policy-examples/Service-specific-controls/AWS-IAM/deny-service-specific-credential-by-type.json",
    );
    let (src, findings) = lint(&path, &LintOptions::new(PolicyType::Scp));
    let comment = findings
        .iter()
        .find(|f| f.message == "comments are not allowed in JSON")
        .expect("the comment is reported");
    let at = LineIndex::new(&src).line_col(&src, comment.span.start);
    assert!(src[comment.span.start..comment.span.end].starts_with("//"));
    assert!(at.line > 1);
    // The reader recovers from the comment: the policy's other rules still run.
    assert!(findings.iter().all(|f| f.issue_code != "MISSING_STATEMENT"));
}

#[test]
fn quirk_unquoted_lza_substitutions() {
    for dir in ["snapshot-only", "replacements"] {
        let path = fixture(&format!(
            "scp/awslabs_landing-zone-accelerator-on-aws/source/packages/@aws-accelerator/accelerator/test/configs/{dir}/service-control-policies/data-perimeter.json"
        ));
        let (src, findings) = lint(&path, &LintOptions::new(PolicyType::Scp));
        let syntax = findings
            .iter()
            .find(|f| f.issue_code == "JSON_SYNTAX_ERROR")
            .expect("not JSON");
        assert!(
            src[syntax.span.start..].starts_with("$"),
            "{}",
            &src[syntax.span.start..syntax.span.start + 20]
        );
    }
}

#[test]
fn quirk_template_placeholders() {
    let path = fixture(
        "scp/aws-samples_service-control-policy-examples/Region-controls/Deny-access-to-AWS-based-on-the-requested-AWS-region.json",
    );
    let (src, findings) = lint(&path, &LintOptions::new(PolicyType::Scp));
    let placeholders: Vec<&str> = findings
        .iter()
        .filter(|f| f.issue_code == "TEMPLATE_PLACEHOLDER")
        .map(|f| &src[f.span.start..f.span.end])
        .collect();
    assert_eq!(
        placeholders,
        ["\"arn:aws:iam::${Account}:role/[PRIVILEGED_ROLE]\""]
    );
    let mut all = Vec::new();
    files(&fixtures().join("scp"), &mut all);
    let with_placeholders = all
        .iter()
        .filter(|p| {
            lint(p, &LintOptions::new(policy_type(p)))
                .1
                .iter()
                .any(|f| f.issue_code == "TEMPLATE_PLACEHOLDER")
        })
        .count();
    assert!(
        with_placeholders >= 20,
        "{with_placeholders} files with placeholders"
    );
}

#[test]
fn quirk_bare_booleans_and_numbers_in_conditions() {
    let path = fixture("aws-managed/AWSBackupFullAccess.json");
    let (src, findings) = lint(&path, &LintOptions::new(PolicyType::Identity));
    assert!(src.contains("\"kms:GrantIsForAWSResource\": true"));
    assert!(
        findings
            .iter()
            .all(|f| f.finding_type != orgctl_lint::FindingType::Error),
        "{}",
        render(&src, &findings)
    );
}

#[test]
fn quirk_scps_over_the_old_size_quota() {
    let path = fixture(
        "scp/aws-samples_resource-control-policy-examples/Limit-access-to-trusted-OIDC-identity-providers/Shared-Issuers.json",
    );
    let mut options = LintOptions::new(PolicyType::Rcp);
    options.limits = Limits::LEGACY;
    let (_, findings) = lint(&path, &options);
    let size = findings
        .iter()
        .find(|f| f.issue_code == "POLICY_SIZE_EXCEEDS_RCP_QUOTA")
        .expect("over 5,120");
    assert!(
        size.message.contains("6083 characters even minified"),
        "{}",
        size.message
    );
    // Under the 2026 quota of 10,240 characters it fits.
    let (_, findings) = lint(&path, &LintOptions::new(PolicyType::Rcp));
    assert!(
        findings
            .iter()
            .all(|f| f.issue_code != "POLICY_SIZE_EXCEEDS_RCP_QUOTA")
    );
}

/// A sample across the corpora: region controls, data perimeters, RCPs, LZA configs and
/// AWS managed policies.
const SAMPLE: &[&str] = &[
    "scp/aws-samples_service-control-policy-examples/Region-controls/Deny-access-to-AWS-based-on-the-requested-AWS-region.json",
    "scp/aws-samples_service-control-policy-examples/Service-specific-controls/AWS-IAM/deny-service-specific-credential-by-type.json",
    "scp/aws-samples_data-perimeter-policy-examples/service_control_policies/network_perimeter_vpceorgid_scp.json",
    "scp/aws-samples_data-perimeter-policy-examples/resource_control_policies/identity_perimeter_rcp.json",
    "scp/aws-samples_resource-control-policy-examples/Restrict-resource-access-patterns/Restrict-access-to-only-HTTPS-connections-to-your-resources.json",
    "scp/aws-samples_data-perimeter-policy-examples/vpc_endpoint_policies/s3_endpoint_policy.json",
    "aws-managed/AdministratorAccess-Amplify.json",
    "aws-managed/AWSBackupFullAccess.json",
    "aws-managed/AmazonS3ReadOnlyAccess.json",
];

#[test]
fn findings_of_a_representative_sample() {
    for rel in SAMPLE {
        let path = fixture(rel);
        if !path.exists() {
            panic!("sample file missing: {rel}");
        }
        let (src, findings) = lint(&path, &LintOptions::new(policy_type(&path)));
        let name = rel.rsplit('/').next().unwrap().trim_end_matches(".json");
        insta::with_settings!({snapshot_suffix => name, prepend_module_to_snapshot => false, description => *rel}, {
            insta::assert_snapshot!("corpus", render(&src, &findings));
        });
    }
}

/// Rules keep per-thread memos of what they concluded about an action or an ARN; a file's
/// findings must not depend on what the thread linted before it. Each sampled file is linted
/// on a fresh thread (empty memos), then all of them on one thread forwards and backwards.
#[test]
fn findings_do_not_depend_on_what_was_linted_before() {
    let mut all = Vec::new();
    files(&fixtures(), &mut all);
    all.sort();
    let sample: Vec<PathBuf> = all.into_iter().step_by(7).collect();
    let alone: Vec<Vec<Finding>> = sample
        .iter()
        .map(|path| {
            let path = path.clone();
            std::thread::spawn(move || lint(&path, &LintOptions::new(policy_type(&path))).1)
                .join()
                .unwrap()
        })
        .collect();
    let together = |order: &mut dyn Iterator<Item = usize>| {
        for i in order {
            let path = &sample[i];
            let (_, findings) = lint(path, &LintOptions::new(policy_type(path)));
            assert_eq!(findings, alone[i], "{}", path.display());
        }
    };
    together(&mut (0..sample.len()));
    together(&mut (0..sample.len()).rev());
    assert!(
        alone.iter().filter(|f| !f.is_empty()).count() > 20,
        "the sample has findings to compare"
    );
}

//! Guardrail rules over real policies: the DocuStack example SCPs (always), and every JSON
//! policy of the shared corpus when it is present (`cargo test -p orgctl-lint --test
//! guardrails -- --ignored --nocapture`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use orgctl_catalog::Catalog;
use orgctl_lint::{LintOptions, PolicyType, lint_with};

/// The rules this test watches.
const RULES: &[&str] = &[
    "element-placement",
    "allow-with-not",
    "pass-role",
    "redundant-statement",
    "redundant-value",
    "region-deny",
    "lockout",
    "stale-encryption-check",
];

const CORPUS: &str = "/work/shared/corpora/policies";

fn docustack() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/docustack/policies")
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

/// The kind of policy a corpus file holds, from where it sits.
fn policy_type(path: &Path) -> PolicyType {
    let p = path.to_string_lossy();
    if p.contains("/aws-managed/") {
        PolicyType::Identity
    } else if p.contains("resource_control_policies") || p.contains("resource-control-polic") {
        PolicyType::Rcp
    } else if p.contains("vpc_endpoint_policies")
        || p.contains("vpc-endpoint-policies")
        || p.contains("bucket-policies")
        || p.contains("event-bus-policies")
    {
        PolicyType::Resource
    } else {
        PolicyType::Scp
    }
}

#[test]
fn docustack_findings_of_the_guardrail_rules() {
    let catalog = Catalog::embedded().unwrap();
    let mut files = Vec::new();
    json_files(&docustack(), &mut files);
    files.sort();
    assert_eq!(files.len(), 6);
    let mut seen = Vec::new();
    for path in &files {
        let src = std::fs::read_to_string(path).unwrap();
        let report = lint_with(&src, &LintOptions::new(PolicyType::Scp), catalog);
        for f in report.findings.iter().filter(|f| RULES.contains(&f.rule)) {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            seen.push((name, f.issue_code));
        }
    }
    // Only the header check of RequireS3Encryption, which S3's default encryption made stale.
    assert_eq!(
        seen,
        [(
            "RequireS3Encryption.json".to_owned(),
            "STALE_ENCRYPTION_HEADER_CHECK"
        )]
    );
}

#[test]
#[ignore = "needs the shared corpus; prints counts per issue code"]
fn corpus_counts() {
    let catalog = Catalog::embedded().unwrap();
    let mut files = Vec::new();
    json_files(Path::new(CORPUS), &mut files);
    files.sort();
    let mut counts: BTreeMap<(&str, &str), usize> = BTreeMap::new();
    let mut examples: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    let start = std::time::Instant::now();
    for path in &files {
        let Ok(src) = std::fs::read_to_string(path) else {
            continue;
        };
        let ty = policy_type(path);
        let report = lint_with(&src, &LintOptions::new(ty), catalog);
        for f in report.findings.iter().filter(|f| RULES.contains(&f.rule)) {
            *counts.entry((f.rule, f.issue_code)).or_default() += 1;
            let list = examples.entry(f.issue_code).or_default();
            if list.len() < 400 {
                let rel = path.strip_prefix(CORPUS).unwrap_or(path).display();
                list.push(format!("{rel} [{}]: {}", ty.as_str(), f.message));
            }
        }
    }
    let elapsed = start.elapsed();
    println!("{} files in {elapsed:?}", files.len());
    for ((rule, code), n) in &counts {
        println!("{rule:24} {code:48} {n}");
    }
    if std::env::var_os("GUARDRAILS_VERBOSE").is_some() {
        for (code, list) in &examples {
            println!("\n== {code}");
            for line in list {
                println!("  {line}");
            }
        }
    }
}

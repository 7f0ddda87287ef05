//! The real CloudTrail sample (tests/fixtures/cloudtrail) replayed against DocuStack in its
//! Dev account (Workloads OU), with proposed SCPs that deny what the sample does. Every
//! expected count is computed here from the records with plain `serde_json`, by rules written
//! out in this file, not taken from the replay's output.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "test code")]

use std::collections::BTreeMap;
use std::io::Read as _;
use std::path::{Path, PathBuf};

use orgctl_catalog::Catalog;
use orgctl_replay::report::{Mode, Report};
use orgctl_replay::{ChangeKind, Options, Proposal, ProposalKind, proposed};
use serde_json::Value;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn sample_dir() -> PathBuf {
    root().join("tests/fixtures/cloudtrail/invictus-ir_aws_dataset")
}

fn spec() -> orgctl_org::Spec {
    let (spec, diags) = orgctl_org::load_dir(&root().join("examples/docustack")).unwrap();
    assert!(!diags.has_errors());
    spec
}

/// Every record of the sample, read with plain serde_json (and flate2 for `.gz`).
fn records() -> Vec<Value> {
    let mut out = Vec::new();
    let mut files: Vec<PathBuf> = std::fs::read_dir(sample_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    for f in files {
        let mut text = Vec::new();
        let file = std::fs::File::open(&f).unwrap();
        if f.extension().is_some_and(|x| x == "gz") {
            flate2::read::GzDecoder::new(file)
                .read_to_end(&mut text)
                .unwrap();
        } else {
            std::io::BufReader::new(file)
                .read_to_end(&mut text)
                .unwrap();
        }
        let doc: Value = serde_json::from_slice(&text).unwrap();
        out.extend(doc["Records"].as_array().unwrap().iter().cloned());
    }
    out
}

/// What this test expects of one record, by rules stated independently of the replay code.
#[derive(Debug, PartialEq, Eq)]
enum Fate {
    Service,
    ServiceLinked,
    Unmapped,
    /// Replayed, with the IAM action and whether the call was denied when made.
    Replayed(String, bool),
}

fn fate(r: &Value) -> Fate {
    let ui = &r["userIdentity"];
    if ui["type"] == "AWSService" || r["eventType"] == "AwsServiceEvent" {
        return Fate::Service;
    }
    let source = r["eventSource"].as_str().unwrap();
    let name = r["eventName"].as_str().unwrap();
    let service = match source.split('.').next().unwrap() {
        "monitoring" => "cloudwatch",
        "servicecatalog-appregistry" => "servicecatalog",
        s => s,
    };
    // The sample's events whose IAM action is not their name.
    let name = match (service, name) {
        ("s3", "ListBuckets") => "ListAllMyBuckets".to_owned(),
        ("s3", "GetBucketEncryption") => "GetEncryptionConfiguration".to_owned(),
        ("s3", "GetBucketLifecycle") => "GetLifecycleConfiguration".to_owned(),
        ("s3", "PutBucketLifecycle" | "DeleteBucketLifecycle") => {
            "PutLifecycleConfiguration".to_owned()
        }
        ("s3", "GetBucketReplication") => "GetReplicationConfiguration".to_owned(),
        ("lambda", n) => n
            .trim_end_matches("v2")
            .trim_end_matches(|c: char| c.is_ascii_digit())
            .to_owned(),
        (_, n) => n.to_owned(),
    };
    let action = format!("{service}:{name}");
    let catalog = Catalog::embedded().unwrap();
    if action == "sts:GetCallerIdentity" || catalog.action(&action).is_none() {
        return Fate::Unmapped;
    }
    if ui["arn"]
        .as_str()
        .is_some_and(|a| a.contains("/AWSServiceRoleFor"))
    {
        return Fate::ServiceLinked;
    }
    let code = r["errorCode"].as_str().unwrap_or("");
    let denied = code.contains("AccessDenied") || code.contains("UnauthorizedOperation");
    Fate::Replayed(catalog.action(&action).unwrap().full_name(), denied)
}

fn replay(proposed: Option<&Path>) -> Report {
    let spec = spec();
    let next = proposed.map(|p| {
        let files = proposed::policy_files(p).unwrap();
        let (next, changes) = proposed::with_policies(&spec, &files).unwrap();
        let proposal = Proposal {
            source: p.to_path_buf(),
            kind: ProposalKind::Policies,
            changes,
        };
        (next, proposal)
    });
    let options = Options {
        account: Some("dev".to_owned()),
        ..Options::default()
    };
    orgctl_replay::replay(
        &spec,
        next.as_ref().map(|(s, p)| (s, p.clone())),
        &[sample_dir()],
        &options,
    )
    .unwrap()
}

/// The actions ProtectCloudTrail denies everywhere in DocuStack.
const TRAIL_TAMPERING: [&str; 5] = [
    "cloudtrail:DeleteTrail",
    "cloudtrail:PutEventSelectors",
    "cloudtrail:PutInsightSelectors",
    "cloudtrail:StopLogging",
    "cloudtrail:UpdateTrail",
];

#[test]
fn every_record_is_accounted_for() {
    let records = records();
    let report = replay(None);
    let t = report.totals;
    assert_eq!(t.files, 55);
    assert_eq!(t.events, records.len() as u64);
    assert_eq!(t.events, t.evaluated + t.unmapped + t.skipped + t.malformed);
    assert_eq!(t.malformed, 0);
    let fates: Vec<Fate> = records.iter().map(fate).collect();
    let count = |f: &dyn Fn(&Fate) -> bool| fates.iter().filter(|x| f(x)).count() as u64;
    let skipped: BTreeMap<&str, u64> = report
        .skipped
        .iter()
        .map(|s| (s.reason.as_str(), s.count))
        .collect();
    assert_eq!(
        skipped,
        BTreeMap::from([
            ("aws_service", count(&|f| *f == Fate::Service)),
            ("service_linked_role", count(&|f| *f == Fate::ServiceLinked)),
        ])
    );
    assert_eq!(t.unmapped, count(&|f| *f == Fate::Unmapped));
    assert_eq!(t.evaluated, count(&|f| matches!(f, Fate::Replayed(..))));
    assert_eq!(
        t.already_denied,
        count(&|f| matches!(f, Fate::Replayed(_, true)))
    );
    // Without proposed policies: what DocuStack's SCPs deny in a Workloads account. The sample
    // is all in us-east-1, so only ProtectCloudTrail bites.
    assert_eq!(report.mode, Mode::Current);
    let mut expected: BTreeMap<String, u64> = BTreeMap::new();
    for f in &fates {
        if let Fate::Replayed(action, false) = f {
            if TRAIL_TAMPERING.contains(&action.as_str()) {
                *expected.entry(action.clone()).or_default() += 1;
            }
        }
    }
    assert!(!expected.is_empty());
    let got: BTreeMap<String, u64> = report
        .denied
        .iter()
        .map(|g| (g.action.clone(), g.count))
        .collect();
    assert_eq!(got, expected);
    for g in &report.denied {
        assert_eq!(g.account.key, "dev");
        assert_eq!(g.decision, "ExplicitDeny");
        assert_eq!(
            g.policies,
            ["ProtectCloudTrail statement DenyTrailTampering at Root"]
        );
    }
    // The unmapped events the sample has: GetCallerIdentity needs no permission, sign-in
    // events are no IAM action.
    let unmapped: BTreeMap<(&str, &str), u64> = report
        .unmapped
        .iter()
        .map(|u| ((u.event_source.as_str(), u.event_name.as_str()), u.count))
        .collect();
    let calls = |s: &str, n: &str| {
        records
            .iter()
            .filter(|r| r["eventSource"] == s && r["eventName"] == n)
            .count() as u64
    };
    assert_eq!(
        unmapped.get(&("sts.amazonaws.com", "GetCallerIdentity")),
        Some(&calls("sts.amazonaws.com", "GetCallerIdentity"))
    );
    assert_eq!(
        unmapped.get(&("signin.amazonaws.com", "ConsoleLogin")),
        Some(&calls("signin.amazonaws.com", "ConsoleLogin"))
    );
}

#[test]
fn a_proposed_scp_denying_iam_newly_denies_every_iam_call_made() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("DenyIam.json");
    std::fs::write(
        &file,
        r#"{"Version":"2012-10-17","Statement":[{"Sid":"DenyIam","Effect":"Deny","Action":"iam:*","Resource":"*"}]}"#,
    )
    .unwrap();
    let report = replay(Some(&file));
    assert_eq!(report.mode, Mode::Proposed);
    let proposal = report.proposed.as_ref().unwrap();
    assert_eq!(proposal.changes.len(), 1);
    assert_eq!(proposal.changes[0].change, ChangeKind::Added);

    let mut expected: BTreeMap<String, u64> = BTreeMap::new();
    let mut already_iam = 0;
    for f in records().iter().map(fate) {
        if let Fate::Replayed(action, denied) = f {
            if action.starts_with("iam:") {
                if denied {
                    already_iam += 1;
                } else {
                    *expected.entry(action).or_default() += 1;
                }
            }
        }
    }
    let got: BTreeMap<String, u64> = report
        .denied
        .iter()
        .map(|g| (g.action.clone(), g.count))
        .collect();
    assert_eq!(got, expected);
    assert_eq!(
        report.totals.denied,
        expected.values().sum::<u64>(),
        "newly denied"
    );
    assert!(report.totals.denied > 300);
    for g in &report.denied {
        assert_eq!(g.decision, "ExplicitDeny");
        assert_eq!(g.policies, ["DenyIam statement DenyIam at Root"]);
        assert!(g.example.principal.starts_with("arn:aws:"));
        assert!(g.example.event_id.is_some());
    }
    // The proposed policy denies only IAM calls: nothing is newly allowed, and calls denied
    // when made are counted apart, those to IAM among them denied by the proposed policy.
    assert_eq!(report.totals.newly_allowed, Some(0));
    let a = report.already_denied;
    assert_eq!(a.current_denies, 0);
    assert_eq!(a.proposed_denies, Some(already_iam));
}

#[test]
fn a_region_lock_elsewhere_newly_denies_what_the_current_lock_allows() {
    let region_deny =
        std::fs::read_to_string(root().join("examples/docustack/policies/RegionDeny.json"))
            .unwrap();
    let doc: Value = serde_json::from_str(&region_deny).unwrap();
    let exempt: Vec<String> = doc["Statement"][0]["NotAction"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_ascii_lowercase())
        .collect();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("RegionDeny.json"),
        region_deny.replace("us-east-1", "eu-west-1"),
    )
    .unwrap();
    let report = replay(Some(dir.path()));
    assert_eq!(
        report.proposed.as_ref().unwrap().changes[0].change,
        ChangeKind::Replaced
    );

    // Newly denied: replayed calls, allowed when made and by ProtectCloudTrail, whose action
    // the lock does not exempt (`svc:*`, or a name up to a trailing `*`).
    let exempted = |action: &str| {
        let action = action.to_ascii_lowercase();
        exempt.iter().any(|e| match e.strip_suffix('*') {
            Some(prefix) => action.starts_with(prefix),
            None => action == *e,
        })
    };
    let mut expected: BTreeMap<String, u64> = BTreeMap::new();
    for f in records().iter().map(fate) {
        if let Fate::Replayed(action, false) = f {
            if !exempted(&action) && !TRAIL_TAMPERING.contains(&action.as_str()) {
                *expected.entry(action).or_default() += 1;
            }
        }
    }
    let got: BTreeMap<String, u64> = report
        .denied
        .iter()
        .map(|g| (g.action.clone(), g.count))
        .collect();
    assert_eq!(got, expected);
    assert!(got.keys().any(|a| a.starts_with("ec2:")));
    assert!(
        !got.keys()
            .any(|a| a.starts_with("iam:") || a == "s3:ListAllMyBuckets")
    );
    for g in &report.denied {
        assert_eq!(
            g.policies,
            ["RegionDeny statement DenyAllOutsideUsEast1 at Root"]
        );
    }
}

#[test]
fn a_proposed_spec_directory_gives_what_the_same_policy_file_gives() {
    let region_deny =
        std::fs::read_to_string(root().join("examples/docustack/policies/RegionDeny.json"))
            .unwrap();
    let locked = region_deny.replace("us-east-1", "eu-west-1");
    // The whole spec, copied with its RegionDeny changed.
    let copy = tempfile::tempdir().unwrap();
    std::fs::create_dir(copy.path().join("policies")).unwrap();
    std::fs::copy(
        root().join("examples/docustack/org.hcl"),
        copy.path().join("org.hcl"),
    )
    .unwrap();
    for entry in std::fs::read_dir(root().join("examples/docustack/policies")).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(
            entry.path(),
            copy.path().join("policies").join(entry.file_name()),
        )
        .unwrap();
    }
    std::fs::write(copy.path().join("policies/RegionDeny.json"), &locked).unwrap();
    assert!(proposed::is_spec_dir(copy.path()));
    let (next, diags) = orgctl_org::load_dir(copy.path()).unwrap();
    assert!(!diags.has_errors());
    let proposal = Proposal {
        source: copy.path().to_path_buf(),
        kind: ProposalKind::Spec,
        changes: Vec::new(),
    };
    let options = Options {
        account: Some("dev".to_owned()),
        ..Options::default()
    };
    let by_spec =
        orgctl_replay::replay(&spec(), Some((&next, proposal)), &[sample_dir()], &options).unwrap();
    // The same change as one policy file.
    let file = tempfile::tempdir().unwrap();
    std::fs::write(file.path().join("RegionDeny.json"), &locked).unwrap();
    let by_file = replay(Some(&file.path().join("RegionDeny.json")));
    assert_eq!(by_spec.totals, by_file.totals);
    assert_eq!(by_spec.denied, by_file.denied);
    assert!(by_spec.totals.denied > 0);
}

#[test]
fn without_an_account_the_sample_is_outside_the_spec() {
    let report =
        orgctl_replay::replay(&spec(), None, &[sample_dir()], &Options::default()).unwrap();
    assert_eq!(report.totals.evaluated, 0);
    let not_in_spec = report
        .skipped
        .iter()
        .find(|s| s.reason == "account_not_in_spec")
        .unwrap();
    let replayable = records()
        .iter()
        .filter(|r| matches!(fate(r), Fate::Replayed(..)))
        .count() as u64;
    assert_eq!(not_in_spec.count, replayable);
    assert!(report.denied.is_empty());
}

#[test]
fn threads_do_not_change_the_report() {
    let one = orgctl_replay::replay(
        &spec(),
        None,
        &[sample_dir()],
        &Options {
            account: Some("Dev".to_owned()),
            threads: std::num::NonZeroUsize::new(1),
            ..Options::default()
        },
    )
    .unwrap();
    let four = orgctl_replay::replay(
        &spec(),
        None,
        &[sample_dir()],
        &Options {
            account: Some("216482851263".to_owned()),
            threads: std::num::NonZeroUsize::new(4),
            ..Options::default()
        },
    )
    .unwrap();
    assert_eq!(
        serde_json::to_value(&one).unwrap(),
        serde_json::to_value(&four).unwrap()
    );
}

#[test]
fn progress_reaches_every_byte() {
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let hook = {
        let seen = std::sync::Arc::clone(&seen);
        orgctl_replay::ProgressHook(std::sync::Arc::new(move |done, all| {
            seen.lock().unwrap().push((done, all));
        }))
    };
    let options = Options {
        account: Some("dev".to_owned()),
        progress: Some(hook),
        ..Options::default()
    };
    orgctl_replay::replay(&spec(), None, &[sample_dir()], &options).unwrap();
    let seen = seen.lock().unwrap();
    let files = std::fs::read_dir(sample_dir()).unwrap().count();
    assert_eq!(seen.len(), files);
    let all = seen[0].1;
    assert!(seen.iter().all(|&(done, a)| a == all && done <= all));
    assert_eq!(seen.iter().map(|s| s.0).max(), Some(all));
}

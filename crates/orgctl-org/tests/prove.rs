//! `prove` on DocuStack, checked against facts computed another way: the region lock's
//! `NotAction` list expanded through the catalog, the deny statements' action lists, an
//! independent decision of every witness, and random requests against every denial.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code"
)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use orgctl_catalog::Catalog;
use orgctl_eval::{Context, ContextValue, Outcome, Request};
use orgctl_org::guard::OrgPolicies;
use orgctl_org::prove::{PropertyStatus, ProveOptions, Status, prove};
use orgctl_org::{Spec, load_dir};

fn docustack() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/docustack")
}

fn spec_of(dir: &Path) -> Spec {
    let (spec, diags) = load_dir(dir).unwrap();
    assert!(!diags.has_errors(), "{diags:?}");
    spec
}

/// The catalog actions a policy file's statement lists under `element`, expanded.
fn expanded(file: &str, statement: usize, element: &str) -> BTreeSet<String> {
    let text = std::fs::read_to_string(docustack().join("policies").join(file)).unwrap();
    let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    let st = &doc["Statement"][statement];
    let patterns: Vec<String> = match &st[element] {
        serde_json::Value::String(s) => vec![s.clone()],
        serde_json::Value::Array(a) => a.iter().map(|v| v.as_str().unwrap().to_owned()).collect(),
        other => panic!("{element} is {other}"),
    };
    let catalog = Catalog::embedded().unwrap();
    patterns
        .iter()
        .flat_map(|p| catalog.expand(p))
        .map(|a| a.full_name())
        .collect()
}

fn names(report: &orgctl_org::prove::SubjectReport, status: &str) -> BTreeSet<String> {
    report
        .verdicts
        .iter()
        .filter(|v| v.status.as_str() == status)
        .map(|v| v.action.full_name())
        .collect()
}

#[test]
fn docustack_verdicts_match_the_policies_read_another_way() {
    let spec = spec_of(&docustack());
    let catalog = Catalog::embedded().unwrap();
    let report = prove(&spec, catalog, &ProveOptions::default()).unwrap();
    assert_eq!(report.subjects.len(), spec.accounts.len() * 2);

    let global = expanded("RegionDeny.json", 0, "NotAction");
    let trail = expanded("ProtectCloudTrail.json", 0, "Action");
    let log_deletion = expanded("ProtectLogArchive.json", 0, "Action");
    let trail_shutdown = expanded("ProtectLogArchive.json", 1, "Action");
    let every: BTreeSet<String> = catalog.actions().map(|a| a.full_name()).collect();

    for r in &report.subjects {
        let s = &r.subject;
        assert_eq!(names(r, "unknown"), BTreeSet::new(), "{s:?}");
        let denied = names(r, "denied");
        let allowed = names(r, "allowed");
        assert_eq!(allowed.len() + denied.len(), every.len());
        match (s.key.as_str(), s.region.as_str()) {
            ("management", _) => assert!(denied.is_empty(), "the management account is exempt"),
            // Outside the home region exactly the region lock's exceptions stay allowed
            // (CloudTrail is not among them).
            (_, "us-west-2") => assert_eq!(allowed, global, "{s:?}"),
            ("log_archive" | "audit", "us-east-1") => {
                let expect: BTreeSet<String> = trail
                    .iter()
                    .chain(&log_deletion)
                    .chain(&trail_shutdown)
                    .cloned()
                    .collect();
                assert_eq!(denied, expect, "{s:?}");
            }
            (_, "us-east-1") => assert_eq!(denied, trail, "{s:?}"),
            other => panic!("unexpected subject {other:?}"),
        }
    }
}

#[test]
fn every_witness_is_allowed_when_decided_on_its_own() {
    let spec = spec_of(&docustack());
    let catalog = Catalog::embedded().unwrap();
    let options = ProveOptions {
        actions: vec![
            "s3:*".into(),
            "cloudtrail:*".into(),
            "iam:*".into(),
            "ec2:*".into(),
        ],
        ..ProveOptions::default()
    };
    let report = prove(&spec, catalog, &options).unwrap();
    let policies = OrgPolicies::new(&spec);
    let admin = OrgPolicies::administrator().unwrap();
    let mut checked = 0;
    for r in &report.subjects {
        let account = spec.account(&r.subject.key).unwrap();
        let mut set = policies.policy_set(account, vec![admin.clone()]);
        // Same-account resource policy, as the prover assumes.
        let own = format!(
            r#"{{"Statement":{{"Effect":"Allow","Principal":{{"AWS":"{}"}},"Action":"*","Resource":"*"}}}}"#,
            r.subject.id
        );
        set.resource = Some(orgctl_eval::CompiledPolicy::new(
            "own",
            &orgctl_policy::Policy::parse(&own).unwrap(),
        ));
        for v in &r.verdicts {
            if let Status::Allowed(req) = &v.status {
                assert_eq!(req.action, v.action.full_name());
                assert_eq!(req.principal.account, r.subject.id);
                assert_eq!(
                    req.value("aws:RequestedRegion")
                        .map(|x| x.iter().collect::<String>()),
                    Some(r.subject.region.clone())
                );
                assert_eq!(set.decide(req).outcome, Outcome::Allow, "{req:?}");
                checked += 1;
            }
        }
    }
    assert!(checked > 1000, "{checked}");
}

/// A small deterministic generator, so that failures reproduce.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) as usize) % n
    }
}

#[test]
fn random_requests_never_break_a_denial() {
    let spec = spec_of(&docustack());
    let catalog = Catalog::embedded().unwrap();
    let options = ProveOptions {
        actions: vec!["s3:*".into(), "cloudtrail:*".into(), "ec2:Run*".into()],
        ..ProveOptions::default()
    };
    let report = prove(&spec, catalog, &options).unwrap();
    let policies = OrgPolicies::new(&spec);
    let admin = OrgPolicies::administrator().unwrap();
    let roles = [
        "Admin",
        "OrganizationAccountAccessRole",
        "deploy",
        "AWSReservedSSO_x",
    ];
    let values = [
        "AES256",
        "aws:kms",
        "public-read",
        "private",
        "",
        "us-east-1",
    ];
    let keys = [
        "s3:x-amz-server-side-encryption",
        "s3:x-amz-acl",
        "aws:SecureTransport",
    ];
    let resources = [
        "*",
        "arn:aws:s3:::docustack-organization-trail-logs/x",
        "arn:aws:s3:::b",
    ];
    let mut rng = Lcg(7);
    let mut tried = 0;
    for r in &report.subjects {
        let account = spec.account(&r.subject.key).unwrap();
        let set = policies.policy_set(account, vec![admin.clone()]);
        for v in &r.verdicts {
            let Status::Denied(d) = &v.status else {
                continue;
            };
            for _ in 0..20 {
                let role = roles[rng.next(roles.len())];
                let mut ctx = Context::new();
                ctx.insert(
                    "aws:RequestedRegion",
                    ContextValue::Single(r.subject.region.clone()),
                );
                for key in keys {
                    if rng.next(2) == 0 {
                        let value = values[rng.next(values.len())];
                        ctx.insert(key, ContextValue::Single(value.to_owned()));
                    }
                }
                let principal = format!("arn:aws:sts::{}:assumed-role/{role}/s", r.subject.id);
                let resource = resources[rng.next(resources.len())];
                let req = Request::new(&principal, &v.action.full_name(), resource, None, ctx);
                assert_ne!(
                    set.decide(&req).outcome,
                    Outcome::Allow,
                    "{} was proven denied ({}) but {req:?} is allowed",
                    v.action.full_name(),
                    d.reason
                );
                tried += 1;
            }
        }
    }
    assert!(tried > 1000, "{tried}");
}

#[test]
fn docustack_properties_hold_and_a_broken_lock_has_a_counterexample() {
    let spec = spec_of(&docustack());
    let catalog = Catalog::embedded().unwrap();
    let options = ProveOptions {
        actions: vec!["sts:GetCallerIdentity".into()],
        ..ProveOptions::default()
    };
    let report = prove(&spec, catalog, &options).unwrap();
    let names: Vec<&str> = report.properties.iter().map(|p| p.key.as_str()).collect();
    assert_eq!(
        names,
        [
            "region_lock",
            "encrypted_uploads",
            "log_archive_immutable",
            "cloudtrail_protected",
            "workloads_can_work"
        ]
    );
    for p in &report.properties {
        assert_eq!(p.status, PropertyStatus::Holds, "{p:?}");
        assert!(p.cases > 0);
    }

    // Attach the region lock to the Security OU only: the workloads can run instances in
    // us-west-2, and the counterexample says so with a request the evaluator allows.
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&docustack(), dir.path());
    let org = dir.path().join("org.hcl");
    let text = std::fs::read_to_string(&org).unwrap().replace(
        "file        = \"policies/RegionDeny.json\"\n  attach      = [root]",
        "file        = \"policies/RegionDeny.json\"\n  attach      = [unit.security]",
    );
    std::fs::write(&org, text).unwrap();
    let spec = spec_of(dir.path());
    let report = prove(&spec, catalog, &options).unwrap();
    let lock = report
        .properties
        .iter()
        .find(|p| p.key == "region_lock")
        .unwrap();
    assert_eq!(lock.status, PropertyStatus::Violated);
    assert!(lock.violations > 0);
    let c = &lock.counterexamples[0];
    let Status::Allowed(req) = &c.status else {
        panic!("a deny claim's counterexample is an allowed request");
    };
    let account = spec.account(&c.subject.key).unwrap();
    let set =
        OrgPolicies::new(&spec).policy_set(account, vec![OrgPolicies::administrator().unwrap()]);
    assert_eq!(set.decide(req).outcome, Outcome::Allow);
    assert_ne!(c.subject.region, "us-east-1");
}

fn copy_dir(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

//! `orgctl audit` on the DocuStack example: before apply (drift, missing state storage, exit
//! 4, no sandbox created), after apply (clean, exit 0, the JSON report's shape), and after
//! the sandbox and the spec are changed behind orgctl's back.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "test code")]

use std::path::Path;

use orgctl_org::Backend as _;
use orgctl_sandbox::{Sandbox, SandboxOptions};

use crate::assert_run;
use crate::common::{docustack_copy, orgctl};

fn run(dir: &Path, args: &[&str]) -> crate::common::Output {
    let mut full: Vec<&str> = args.to_vec();
    full.push(dir.to_str().unwrap());
    orgctl(dir, &full, None)
}

fn applied() -> tempfile::TempDir {
    let dir = docustack_copy();
    let apply = run(dir.path(), &["apply"]);
    assert_eq!(apply.code, 0, "{}", apply.stderr);
    dir
}

#[test]
fn audit_before_apply_reports_drift_and_missing_storage() {
    let dir = docustack_copy();
    let out = run(dir.path(), &["audit"]);
    assert_eq!(out.code, 4, "{}", out.stderr);
    assert!(
        !dir.path().join(".orgctl").exists(),
        "audit leaves no trace"
    );
    assert!(
        out.stdout.contains("state-bucket-missing"),
        "{}",
        out.stdout
    );
    assert_run!("audit_before_apply", out, dir.path());
}

#[test]
fn audit_after_apply_is_clean() {
    let dir = applied();
    let out = run(dir.path(), &["audit"]);
    assert_eq!(out.code, 0, "{}", out.stdout);
    assert_run!("audit_after_apply", out, dir.path());

    let json = run(dir.path(), &["audit", "--format", "json"]);
    assert_eq!(json.code, 0);
    let v: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(v["schema_version"], 1);
    assert_eq!(v["organization"], "docustack");
    assert_eq!(v["backend"], "sandbox");
    assert_eq!(v["accounts"].as_array().unwrap().len(), 7);
    assert_eq!(v["drift"]["in_sync"], true);
    assert_eq!(v["drift"]["items"].as_array().unwrap().len(), 0);
    let resources = v["storage"]["resources"].as_array().unwrap();
    assert_eq!(resources.len(), 14);
    for r in resources {
        assert_eq!(r["status"], "present", "{r}");
        assert!(r["kind"] == "bucket" || r["kind"] == "table", "{r}");
        assert_eq!(r["checked"], r["passed"].as_array().unwrap().len(), "{r}");
    }
    assert_eq!(v["findings"].as_array().unwrap().len(), 0);
    assert_eq!(
        v["summary"],
        serde_json::json!({"drift": 0, "critical": 0, "warning": 0, "info": 0, "clean": true})
    );
    let blast = &v["blast_radius"];
    assert_eq!(blast["identity_policy"], "AdministratorAccess");
    for (layout, reachable) in [("per_account", 0), ("centralized", 42)] {
        let variant = &blast[layout];
        assert_eq!(variant["layout"], layout);
        assert_eq!(variant["pairs"], 42);
        assert_eq!(variant["reachable"], reachable);
        assert_eq!(variant["rows"].as_array().unwrap().len(), 7);
        assert_eq!(variant["homes"].as_array().unwrap().len(), 7);
        // Every pair of accounts, the account's own state included.
        let cells = variant["cells"].as_array().unwrap();
        assert_eq!(cells.len(), 49);
        let decision = &cells[1]["decisions"][0];
        assert_eq!(decision["action"], "s3:GetObject");
        assert!(decision["decided_by"][0]["text"].is_string(), "{decision}");
    }
    let denied = &blast["per_account"]["cells"][1]["decisions"][0];
    assert_eq!(denied["outcome"], "ExplicitDeny");
    assert_eq!(denied["decided_by"][0]["layer"], "resource");
    assert_eq!(denied["decided_by"][0]["statement"], "DenyOtherAccounts");
    let role = &blast["access_role"];
    assert_eq!(role["role"], "OrganizationAccountAccessRole");
    assert_eq!(role["rows"][0]["reachable"], 6);
}

#[test]
fn audit_after_tampering_shows_drift_and_findings() {
    let dir = applied();
    // Someone turns versioning off on Dev's state bucket and shares it with Production.
    let mut sandbox = Sandbox::open(
        &dir.path().join(".orgctl/sandbox.db"),
        SandboxOptions {
            management_account_id: "348665872333".to_owned(),
            ..SandboxOptions::default()
        },
    )
    .unwrap();
    let state = sandbox.read_state(&[]).unwrap();
    let production = state
        .accounts
        .iter()
        .find(|a| a.name == "Production")
        .unwrap()
        .id
        .clone();
    let mut bucket = state
        .buckets
        .iter()
        .find(|b| b.name == "docustack-terraform-state-216482851263")
        .unwrap()
        .clone();
    bucket.versioning = false;
    bucket.policy = Some(format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Sid":"ShareWithProduction","Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::{production}:root"}},"Action":["s3:GetObject","s3:PutObject"],"Resource":"arn:aws:s3:::{}/*"}}]}}"#,
        bucket.name
    ));
    sandbox.put_bucket(&bucket).unwrap();
    drop(sandbox);
    // And the spec changes a tag the organization does not have.
    let spec = dir.path().join("org.hcl");
    let text = std::fs::read_to_string(&spec).unwrap();
    std::fs::write(
        &spec,
        text.replace(
            "tags  = { environment = \"dev\" }",
            "tags  = { environment = \"development\" }",
        ),
    )
    .unwrap();

    let out = run(dir.path(), &["audit"]);
    assert_eq!(out.code, 4, "{}", out.stderr);
    assert_run!("audit_after_tampering", out, dir.path());

    let json = run(dir.path(), &["audit", "--format", "json"]);
    assert_eq!(json.code, 4);
    let v: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(v["summary"]["clean"], false);
    assert_eq!(v["blast_radius"]["per_account"]["reachable"], 1);
    let checks: Vec<&str> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["check"].as_str().unwrap())
        .collect();
    for check in [
        "blast-radius",
        "state-bucket-other-accounts",
        "state-bucket-tls",
        "state-bucket-versioning",
    ] {
        assert!(checks.contains(&check), "{check} in {checks:?}");
    }
    assert_eq!(v["findings"][0]["severity"], "critical");
}

#[test]
fn audit_rejects_an_unknown_central_account() {
    let dir = docustack_copy();
    let out = run(dir.path(), &["audit", "--central-account", "nowhere"]);
    assert_eq!(out.code, 1);
    assert!(
        out.stderr.contains("account `nowhere` is not in the spec"),
        "{}",
        out.stderr
    );
}

//! The lockout guard on DocuStack and on variants that close a path.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test code"
)]

use std::path::{Path, PathBuf};

use orgctl_catalog::Catalog;
use orgctl_eval::Outcome;
use orgctl_org::guard::OrgPolicies;
use orgctl_org::lockout::check;
use orgctl_org::{Spec, load_dir};

fn docustack() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/docustack")
}

/// DocuStack with `edit` applied to org.hcl and `extra` policy files added.
fn variant(edit: &dyn Fn(String) -> String, extra: &[(&str, &str)]) -> (tempfile::TempDir, Spec) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("policies")).unwrap();
    for entry in std::fs::read_dir(docustack().join("policies")).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(
            entry.path(),
            dir.path().join("policies").join(entry.file_name()),
        )
        .unwrap();
    }
    let org = std::fs::read_to_string(docustack().join("org.hcl")).unwrap();
    std::fs::write(dir.path().join("org.hcl"), edit(org)).unwrap();
    for (name, text) in extra {
        std::fs::write(dir.path().join("policies").join(name), text).unwrap();
    }
    let (spec, diags) = load_dir(dir.path()).unwrap();
    assert!(!diags.has_errors(), "{diags:?}");
    (dir, spec)
}

fn with_policy(kind: &str, name: &str, attach: &str) -> impl Fn(String) -> String {
    let block = format!(
        "\npolicy \"extra\" {{\n  type   = \"{kind}\"\n  name   = \"{name}\"\n  file   = \"policies/{name}.json\"\n  attach = [{attach}]\n}}\n"
    );
    move |org: String| org + &block
}

#[test]
fn docustack_keeps_every_path_open() {
    let (spec, _) = load_dir(&docustack()).unwrap();
    let found = check(&spec, Catalog::embedded().unwrap());
    assert!(found.is_empty(), "{found:#?}");
}

#[test]
fn an_scp_denying_s3_to_everyone_locks_the_access_role_out_of_the_workloads() {
    let deny = r#"{"Version":"2012-10-17","Statement":[{"Sid":"NoS3","Effect":"Deny","Action":"s3:*","Resource":"*"}]}"#;
    let (_dir, spec) = variant(
        &with_policy("scp", "NoS3", "unit.workloads"),
        &[("NoS3.json", deny)],
    );
    let found = check(&spec, Catalog::embedded().unwrap());
    let accounts: std::collections::BTreeSet<&str> =
        found.iter().map(|l| l.account.as_str()).collect();
    assert_eq!(
        accounts,
        ["Dev", "Production", "Staging"].into_iter().collect()
    );
    let l = found
        .iter()
        .find(|l| l.request.action == "s3:CreateBucket")
        .unwrap();
    assert!(
        l.what.contains("OrganizationAccountAccessRole"),
        "{}",
        l.what
    );
    assert!(l.reason.contains("NoS3 statement NoS3"), "{}", l.reason);
    // The counterexample is a request the organization's policies deny.
    let account = spec.accounts.iter().find(|a| a.name == l.account).unwrap();
    let set =
        OrgPolicies::new(&spec).policy_set(account, vec![OrgPolicies::administrator().unwrap()]);
    assert_ne!(set.decide(&l.request).outcome, Outcome::Allow);
}

#[test]
fn an_exemption_for_the_access_role_keeps_it_open() {
    let deny = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:*","Resource":"*",
        "Condition":{"ArnNotLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/OrganizationAccountAccessRole"}}}]}"#;
    let (_dir, spec) = variant(
        &with_policy("scp", "NoS3", "unit.workloads"),
        &[("NoS3.json", deny)],
    );
    let found = check(&spec, Catalog::embedded().unwrap());
    assert!(found.is_empty(), "{found:#?}");
}

#[test]
fn an_rcp_denying_assume_role_closes_the_management_path() {
    let deny = r#"{"Version":"2012-10-17","Statement":[{"Sid":"NoAssume","Effect":"Deny","Principal":"*","Action":"sts:AssumeRole","Resource":"*"}]}"#;
    let (_dir, spec) = variant(
        &with_policy("rcp", "NoAssume", "unit.security"),
        &[("NoAssume.json", deny)],
    );
    let found = check(&spec, Catalog::embedded().unwrap());
    let paths: Vec<&str> = found.iter().map(|l| l.what.as_str()).collect();
    assert!(
        paths
            .iter()
            .any(|w| w.contains("management account cannot assume") && w.contains("Log Archive")),
        "{paths:#?}"
    );
    assert!(
        found
            .iter()
            .all(|l| l.account == "Log Archive" || l.account == "Audit"),
        "{paths:#?}"
    );
    assert!(found.iter().all(|l| l.reason.contains("NoAssume")));
}

#[test]
fn denying_organizations_to_a_delegated_administrator_is_a_lockout() {
    let deny = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"organizations:*","Resource":"*"}]}"#;
    let (_dir, spec) = variant(
        &with_policy("scp", "NoOrganizations", "unit.security"),
        &[("NoOrganizations.json", deny)],
    );
    let found = check(&spec, Catalog::embedded().unwrap());
    assert!(!found.is_empty());
    assert!(
        found
            .iter()
            .all(|l| l.account == "Audit" && l.what.contains("delegated administrator")),
        "{found:#?}"
    );
}

#[test]
fn an_empty_ou_that_would_lock_out_vended_accounts_is_found() {
    let deny = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"dynamodb:*","Resource":"*"}]}"#;
    let edit = |org: String| {
        with_policy("scp", "NoDynamo", "unit.quarantine")(org)
            + "\nunit \"quarantine\" {\n  name = \"Quarantine\"\n}\n"
    };
    let (_dir, spec) = variant(&edit, &[("NoDynamo.json", deny)]);
    let found = check(&spec, Catalog::embedded().unwrap());
    assert!(!found.is_empty());
    assert!(
        found
            .iter()
            .all(|l| l.account == "an account vended into Quarantine"
                && l.request.action.starts_with("dynamodb:")),
        "{found:#?}"
    );
}

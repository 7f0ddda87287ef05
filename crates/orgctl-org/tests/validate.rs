//! Validation rules that need a spec of their own: OU depth, attachment quota, references
//! into the wrong kind of thing, management account placement, delegated admin rules.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "test code")]

use std::path::{Path, PathBuf};

fn codes(hcl: &str) -> Vec<(String, String)> {
    let (spec, mut diags) = orgctl_org::load_texts(
        Path::new("."),
        vec![(PathBuf::from("org.hcl"), hcl.to_owned())],
    );
    orgctl_org::validate(
        &spec,
        orgctl_catalog::Catalog::embedded().unwrap(),
        &mut diags,
    );
    diags
        .items
        .iter()
        .map(|d| (d.code.clone(), spec.sources.describe(&d.loc)))
        .collect()
}

const ORG: &str = "organization \"t\" {\n  management_account_id = \"111111111111\"\n  home_region = \"us-east-1\"\n}\n";

#[test]
fn ou_depth_over_the_quota() {
    let mut hcl = ORG.to_owned();
    hcl.push_str("unit \"l1\" { name = \"L1\" }\n");
    for i in 2..=6 {
        hcl.push_str(&format!(
            "unit \"l{i}\" {{\n  name = \"L{i}\"\n  parent = unit.l{}\n}}\n",
            i - 1
        ));
    }
    let found = codes(&hcl);
    let depth: Vec<_> = found.iter().filter(|(c, _)| c == "ou-depth").collect();
    assert_eq!(depth.len(), 1, "{found:?}");
    assert!(depth[0].1.starts_with("org.hcl:"), "{found:?}");
    // With the quota raised, the same tree is fine.
    let raised = format!("{hcl}quotas {{\n  ou_depth = 6\n}}\n");
    assert!(!codes(&raised).iter().any(|(c, _)| c == "ou-depth"));
}

#[test]
fn attachments_over_the_quota() {
    let mut hcl = ORG.to_owned();
    hcl.push_str("unit \"w\" { name = \"W\" }\n");
    for i in 0..3 {
        hcl.push_str(&format!(
            "policy \"p{i}\" {{\n  type = \"rcp\"\n  name = \"P{i}\"\n  file = \"p.json\"\n  attach = [unit.w]\n}}\n"
        ));
    }
    hcl.push_str("quotas {\n  policies_per_target = 3\n}\n");
    // Three RCPs and the implicit RCPFullAWSAccess: four on `unit.w`.
    let found = codes(&hcl);
    assert!(
        found.iter().any(|(c, _)| c == "attachment-quota"),
        "{found:?}"
    );
}

#[test]
fn cycles_and_wrong_kinds_of_reference() {
    let hcl = format!(
        "{ORG}unit \"a\" {{\n  name = \"A\"\n  parent = unit.b\n}}\nunit \"b\" {{\n  name = \"B\"\n  parent = unit.a\n}}\n\
         account \"x\" {{\n  name = \"X\"\n  email = \"x@example.com\"\n  unit = \"unit.a\"\n}}\n"
    );
    let found = codes(&hcl);
    assert!(found.iter().any(|(c, _)| c == "unit-cycle"), "{found:?}");
    assert!(
        found.iter().any(|(c, _)| c == "invalid-reference"),
        "{found:?}"
    );
}

#[test]
fn management_account_rules() {
    let hcl = format!(
        "{ORG}unit \"s\" {{ name = \"S\" }}\n\
         account \"m\" {{\n  name = \"M\"\n  email = \"m@example.com\"\n  id = \"111111111111\"\n  unit = unit.s\n}}\n\
         baseline {{\n  delegated_admin {{\n    account = account.m\n    services = [\"guardduty.amazonaws.com\", \"gaurdduty.amazonaws.com\"]\n  }}\n}}\n"
    );
    let found = codes(&hcl);
    for code in [
        "management-placement",
        "delegated-admin-management",
        "unknown-service-principal",
    ] {
        assert!(found.iter().any(|(c, _)| c == code), "{code}: {found:?}");
    }
}

#[test]
fn interpolation_and_functions_are_refused_with_a_hint() {
    let hcl = format!(
        "{ORG}account \"x\" {{\n  name = \"${{var.name}}\"\n  email = lower(\"X@EXAMPLE.COM\")\n}}\n"
    );
    let (spec, diags) =
        orgctl_org::load_texts(Path::new("."), vec![(PathBuf::from("org.hcl"), hcl)]);
    let wrong: Vec<_> = diags
        .items
        .iter()
        .filter(|d| d.code == "wrong-type")
        .collect();
    assert_eq!(wrong.len(), 2, "{:?}", diags.items);
    assert!(
        wrong
            .iter()
            .all(|d| d.help.as_deref().is_some_and(|h| h.contains("plain data")))
    );
    assert_eq!(spec.accounts.len(), 1);
}

#[test]
fn account_regional_bucket_names() {
    let hcl = format!(
        "{ORG}bootstrap {{\n  bucket_prefix = \"acme\"\n  bucket_namespace = \"account-regional\"\n  region = \"eu-west-1\"\n}}\n"
    );
    let (spec, diags) =
        orgctl_org::load_texts(Path::new("."), vec![(PathBuf::from("org.hcl"), hcl)]);
    assert!(!diags.has_errors(), "{:?}", diags.items);
    assert_eq!(
        spec.bootstrap.bucket_name("123456789012"),
        "acme-terraform-state-123456789012-eu-west-1-an"
    );
    let root = orgctl_org::plan::root_hcl(&spec.bootstrap);
    assert!(
        root.contains("\"acme-terraform-state-${local.account_id}-eu-west-1-an\""),
        "{root}"
    );
    let bad = format!("{ORG}bootstrap {{\n  bucket_namespace = \"mine\"\n}}\n");
    assert!(codes(&bad).iter().any(|(c, _)| c == "invalid-value"));
}

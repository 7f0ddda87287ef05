//! A small organization for the unit tests: a management account and three members (a
//! shared-services account, dev and prod) under one OU, every account bootstrapped.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "test code")]

use orgctl_org::Spec;

/// The management account.
pub const MGMT: &str = "111111111111";
/// The shared-services account.
pub const SHARED: &str = "222222222222";
/// Dev.
pub const DEV: &str = "333333333333";
/// Prod.
pub const PROD: &str = "444444444444";

/// An RCP that denies S3 and DynamoDB requests from principals of any other account.
pub const SAME_ACCOUNT_RCP: &str = r#"{
  "Version": "2012-10-17",
  "Statement": [{
    "Sid": "DenyOtherAccounts",
    "Effect": "Deny",
    "Principal": "*",
    "Action": ["s3:*", "dynamodb:*"],
    "Resource": "*",
    "Condition": {
      "StringNotEqualsIfExists": {"aws:PrincipalAccount": "${aws:ResourceAccount}"},
      "BoolIfExists": {"aws:PrincipalIsAWSService": "false"}
    }
  }]
}"#;

/// The spec, with `rcp` attached at the root when given.
pub fn spec(rcp: Option<&str>) -> Spec {
    let dir = tempfile::tempdir().unwrap();
    let mut hcl = format!(
        r#"
organization "acme" {{
  management_account_id = "{MGMT}"
  home_region           = "us-east-1"
}}

unit "workloads" {{ name = "Workloads" }}

account "management" {{
  name  = "Management"
  email = "mgmt@acme.example"
  id    = "{MGMT}"
}}

account "shared" {{
  name  = "Shared"
  email = "shared@acme.example"
  id    = "{SHARED}"
  unit  = unit.workloads
}}

account "dev" {{
  name  = "Dev"
  email = "dev@acme.example"
  id    = "{DEV}"
  unit  = unit.workloads
}}

account "prod" {{
  name  = "Prod"
  email = "prod@acme.example"
  id    = "{PROD}"
  unit  = unit.workloads
}}

policy "full" {{
  type        = "scp"
  aws_managed = true
  attach      = [everywhere]
}}

bootstrap {{
  bucket_prefix = "acme"
  lock_table    = "acme-terraform-locks"
  region        = "us-east-1"
}}
"#
    );
    if let Some(text) = rcp {
        std::fs::write(dir.path().join("rcp.json"), text).unwrap();
        hcl.push_str(
            r#"
policy "same_account" {
  type   = "rcp"
  name   = "SameAccountOnly"
  file   = "rcp.json"
  attach = [root]
}
"#,
        );
    }
    std::fs::write(dir.path().join("org.hcl"), hcl).unwrap();
    let (spec, diags) = orgctl_org::load_dir(dir.path()).unwrap();
    assert!(!diags.has_errors(), "{:?}", diags.items);
    spec
}

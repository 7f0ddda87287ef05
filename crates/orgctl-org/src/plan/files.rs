//! The texts orgctl writes: Terragrunt configuration under `infrastructure-live/` and the
//! bucket policies of the state and log buckets.

use std::fmt::Write as _;

use crate::spec::{BootstrapSpec, Locking};

/// An account's directory name under `infrastructure-live/`: its name in lowercase with
/// hyphens (`Log Archive` -> `log-archive`).
pub fn slug(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    if out.is_empty() {
        "account".to_owned()
    } else {
        out
    }
}

/// `infrastructure-live/<account>/account.hcl`, in the strategy's format.
pub fn account_hcl(dir_name: &str, account_id: &str) -> String {
    format!(
        "# infrastructure-live/{dir_name}/account.hcl\n\
         # Written by orgctl from the organization spec; change the spec, not this file.\n\
         locals {{\n  account_name = \"{dir_name}\"\n  account_id   = \"{account_id}\"\n}}\n"
    )
}

/// `infrastructure-live/root.hcl`: the configuration every unit includes. Each account's
/// state goes to its own bucket, in that account, locked as the spec says; the generated AWS
/// provider refuses to run against any other account (`allowed_account_ids`) and takes its
/// region from the unit's `region.hcl`. Accepted by Terragrunt and by Terraform 1.11+ (the S3
/// backend's `use_lockfile`).
pub fn root_hcl(b: &BootstrapSpec) -> String {
    let mut out = String::new();
    out.push_str(
        "# infrastructure-live/root.hcl\n\
         # Written by orgctl from the organization spec's bootstrap block; change the spec,\n\
         # not this file. Every account keeps its Terraform state in its own bucket.\n\
         locals {\n  \
           account_vars = read_terragrunt_config(find_in_parent_folders(\"account.hcl\"))\n  \
           region_vars  = read_terragrunt_config(find_in_parent_folders(\"region.hcl\"))\n  \
           account_name = local.account_vars.locals.account_name\n  \
           account_id   = local.account_vars.locals.account_id\n  \
           aws_region   = local.region_vars.locals.aws_region\n\
         }\n\n\
         remote_state {\n  backend = \"s3\"\n  generate = {\n    path      = \"backend.tf\"\n    \
           if_exists = \"overwrite_terragrunt\"\n  }\n  config = {\n",
    );
    let _ = writeln!(
        out,
        "    bucket              = \"{}\"",
        crate::spec::state_bucket_name(
            &b.bucket_prefix,
            "${local.account_id}",
            &b.region,
            b.account_regional_namespace
        )
    );
    out.push_str("    key                 = \"${path_relative_to_include()}/terraform.tfstate\"\n");
    let _ = writeln!(out, "    region              = \"{}\"", b.region);
    out.push_str("    encrypt             = true\n");
    if matches!(b.locking, Locking::Dynamodb | Locking::Both) {
        let _ = writeln!(out, "    dynamodb_table      = \"{}\"", b.lock_table);
    }
    if matches!(b.locking, Locking::Lockfile | Locking::Both) {
        out.push_str("    use_lockfile        = true\n");
    }
    out.push_str("    allowed_account_ids = [local.account_id]\n");
    out.push_str("  }\n}\n\n");
    out.push_str(
        "generate \"provider\" {\n  path      = \"provider.tf\"\n  if_exists = \"overwrite_terragrunt\"\n  \
         contents  = <<-EOT\n    provider \"aws\" {\n      region              = \"${local.aws_region}\"\n      \
         allowed_account_ids = [\"${local.account_id}\"]\n    }\n  EOT\n}\n",
    );
    out
}

/// `infrastructure-live/<account>/<region>/region.hcl`.
pub fn region_hcl(dir_name: &str, region: &str) -> String {
    format!(
        "# infrastructure-live/{dir_name}/{region}/region.hcl\n\
         # Written by orgctl; units below this directory deploy to this region.\n\
         locals {{\n  aws_region = \"{region}\"\n}}\n"
    )
}

/// `infrastructure-live/<account>/<region>/vpc/terragrunt.hcl`: the environment scaffold the
/// strategy's step 5 deploys first, reading the account and region from the files above it.
pub fn vpc_terragrunt_hcl(dir_name: &str, region: &str) -> String {
    format!(
        "# infrastructure-live/{dir_name}/{region}/vpc/terragrunt.hcl\n\
         # Scaffolded by orgctl when the account was vended; yours to change.\n\
         include \"root\" {{\n  path = find_in_parent_folders(\"root.hcl\")\n}}\n\n\
         locals {{\n  \
           account = read_terragrunt_config(find_in_parent_folders(\"account.hcl\")).locals\n\
         }}\n\n\
         terraform {{\n  source = \"tfr:///terraform-aws-modules/vpc/aws?version=5.21.0\"\n}}\n\n\
         inputs = {{\n  name = \"${{local.account.account_name}}-vpc\"\n  cidr = \"10.0.0.0/16\"\n  \
           azs  = [\"{region}a\", \"{region}b\", \"{region}c\"]\n\n  \
           private_subnets = [\"10.0.1.0/24\", \"10.0.2.0/24\", \"10.0.3.0/24\"]\n  \
           public_subnets  = [\"10.0.101.0/24\", \"10.0.102.0/24\", \"10.0.103.0/24\"]\n\n  \
           enable_nat_gateway = true\n  single_nat_gateway = true\n\n  \
           tags = {{\n    account = local.account.account_name\n    managed = \"terragrunt\"\n  }}\n\
         }}\n"
    )
}

/// The quarantine SCP a vended account wears until it is baselined: everything is denied
/// except to the organization's access role, which does the baselining.
pub fn quarantine_policy(access_role: &str) -> String {
    format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Sid":"QuarantineUntilBaselined","Effect":"Deny","Action":"*","Resource":"*","Condition":{{"ArnNotLike":{{"aws:PrincipalArn":"arn:aws:iam::*:role/{access_role}"}}}}}}]}}"#
    )
}

/// The state bucket's policy: TLS only, and no principal from another account.
pub fn state_bucket_policy(bucket: &str, account_id: &str) -> String {
    format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Sid":"DenyInsecureTransport","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::{bucket}","arn:aws:s3:::{bucket}/*"],"Condition":{{"Bool":{{"aws:SecureTransport":"false"}}}}}},{{"Sid":"DenyOtherAccounts","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::{bucket}","arn:aws:s3:::{bucket}/*"],"Condition":{{"StringNotEquals":{{"aws:PrincipalAccount":"{account_id}"}}}}}}]}}"#
    )
}

/// The log archive bucket's policy: CloudTrail may deliver the organization trail's logs;
/// nothing goes over plain HTTP; nobody deletes logs or the bucket, or sets them to expire.
pub fn log_bucket_policy(bucket: &str, trail_arn: &str) -> String {
    format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Sid":"CloudTrailAclCheck","Effect":"Allow","Principal":{{"Service":"cloudtrail.amazonaws.com"}},"Action":"s3:GetBucketAcl","Resource":"arn:aws:s3:::{bucket}","Condition":{{"StringEquals":{{"aws:SourceArn":"{trail_arn}"}}}}}},{{"Sid":"CloudTrailWrite","Effect":"Allow","Principal":{{"Service":"cloudtrail.amazonaws.com"}},"Action":"s3:PutObject","Resource":"arn:aws:s3:::{bucket}/AWSLogs/*","Condition":{{"StringEquals":{{"s3:x-amz-acl":"bucket-owner-full-control","aws:SourceArn":"{trail_arn}"}}}}}},{{"Sid":"DenyInsecureTransport","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::{bucket}","arn:aws:s3:::{bucket}/*"],"Condition":{{"Bool":{{"aws:SecureTransport":"false"}}}}}},{{"Sid":"DenyLogDeletion","Effect":"Deny","Principal":"*","Action":["s3:BypassGovernanceRetention","s3:DeleteBucket","s3:DeleteObject","s3:DeleteObjectVersion","s3:PutLifecycleConfiguration"],"Resource":["arn:aws:s3:::{bucket}","arn:aws:s3:::{bucket}/*"]}}]}}"#
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_directory_names() {
        assert_eq!(slug("Log Archive"), "log-archive");
        assert_eq!(slug("Dev"), "dev");
        assert_eq!(slug("  Team  A/B "), "team-a-b");
        assert_eq!(slug("***"), "account");
    }

    #[test]
    fn bucket_policies_are_valid_policies() {
        for text in [
            state_bucket_policy("b", "123456789012"),
            log_bucket_policy("b", "arn:aws:cloudtrail:us-east-1:123456789012:trail/t"),
        ] {
            assert!(orgctl_policy::Policy::parse(&text).is_ok(), "{text}");
        }
    }

    fn parses(text: &str) -> hcl::Body {
        hcl::parse(text).unwrap_or_else(|e| panic!("{e}\n{text}"))
    }

    #[test]
    fn generated_hcl_parses_with_hcl_rs() {
        use crate::spec::{BootstrapSpec, Locking};
        for locking in [Locking::Dynamodb, Locking::Lockfile, Locking::Both] {
            let b = BootstrapSpec {
                bucket_prefix: "docustack".into(),
                lock_table: "docustack-terraform-locks".into(),
                locking,
                region: "us-east-1".into(),
                ..BootstrapSpec::default()
            };
            let text = root_hcl(&b);
            let body = parses(&text);
            let remote = body
                .blocks()
                .find(|b| b.identifier() == "remote_state")
                .unwrap();
            let config = remote
                .body()
                .attributes()
                .find(|a| a.key() == "config")
                .unwrap();
            let config = format!("{}", config.expr());
            assert_eq!(
                config.contains("dynamodb_table"),
                locking.needs_table(),
                "{text}"
            );
            assert_eq!(
                config.contains("use_lockfile"),
                locking != Locking::Dynamodb,
                "{text}"
            );
            assert!(config.contains("allowed_account_ids"), "{text}");
            assert!(
                body.blocks().any(|b| b.identifier() == "generate"),
                "{text}"
            );
        }
        let body = parses(&account_hcl("staging", "555666777888"));
        assert_eq!(body.blocks().count(), 1);
        parses(&region_hcl("staging", "us-east-1"));
        parses(&vpc_terragrunt_hcl("staging", "us-east-1"));
        assert!(
            orgctl_policy::Policy::parse(&quarantine_policy("OrganizationAccountAccessRole"))
                .is_ok()
        );
    }

    #[test]
    fn root_hcl_snapshot() {
        let b = crate::spec::BootstrapSpec {
            bucket_prefix: "docustack".into(),
            lock_table: "docustack-terraform-locks".into(),
            region: "us-east-1".into(),
            ..crate::spec::BootstrapSpec::default()
        };
        insta::assert_snapshot!(root_hcl(&b));
    }

    #[test]
    fn account_hcl_has_the_strategy_format() {
        let text = account_hcl("staging", "555666777888");
        assert!(text.contains("account_name = \"staging\""));
        assert!(text.contains("account_id   = \"555666777888\""));
    }
}

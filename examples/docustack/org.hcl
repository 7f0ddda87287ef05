# DocuStack's AWS organization, as its multi-account strategy describes it.
#
#   orgctl validate examples/docustack     every problem, with file:line:column
#   orgctl show examples/docustack         the tree, SCPs per node, effective chains
#   orgctl apply examples/docustack        build it in the embedded sandbox
#
# Accounts without an `id` are created by orgctl (and get their id then); accounts with
# one exist already and are invited. docs/spec.md documents every block and attribute.

organization "docustack" {
  management_account_id = "348665872333"
  home_region           = "us-east-1"
}

# ---------------------------------------------------------------------------------------
# Organizational units

unit "security" {
  name = "Security"
}

unit "sandbox" {
  name = "Sandbox"
}

unit "workloads" {
  name = "Workloads"
}

# ---------------------------------------------------------------------------------------
# Accounts

account "management" {
  name  = "Management"
  email = "aws-management@docustack.example"
  id    = "348665872333"
  tags  = { purpose = "organization-governance" }
}

account "log_archive" {
  name  = "Log Archive"
  email = "aws-log-archive@docustack.example"
  unit  = unit.security
  tags  = { purpose = "immutable-audit-logs" }
}

account "audit" {
  name  = "Audit"
  email = "aws-audit@docustack.example"
  unit  = unit.security
  tags  = { purpose = "security-monitoring" }
}

account "sandbox_developers" {
  name  = "Developer Sandbox"
  email = "aws-sandbox@docustack.example"
  unit  = unit.sandbox
  tags  = { purpose = "experimentation", data = "no-phi" }
}

account "dev" {
  name  = "Dev"
  email = "aws-dev@docustack.example"
  id    = "216482851263"
  unit  = unit.workloads
  tags  = { environment = "dev" }
}

account "staging" {
  name  = "Staging"
  email = "aws-staging@docustack.example"
  unit  = unit.workloads
  tags  = { environment = "staging" }
}

account "production" {
  name  = "Production"
  email = "aws-production@docustack.example"
  unit  = unit.workloads
  tags  = { environment = "production", data = "phi" }
}

# ---------------------------------------------------------------------------------------
# Service control policies
#
# Every policy below denies; FullAWSAccess stays attached at every level so that each level
# has an SCP that allows (a level without one would deny everything beneath it).

policy "full_aws_access" {
  type        = "scp"
  aws_managed = true
  attach      = [everywhere]
}

policy "region_deny" {
  type        = "scp"
  name        = "RegionDeny"
  description = "Only us-east-1, with the global services a working region lock needs"
  file        = "policies/RegionDeny.json"
  attach      = [root]
}

policy "protect_cloudtrail" {
  type        = "scp"
  name        = "ProtectCloudTrail"
  description = "Prevent trail deletion and modification"
  file        = "policies/ProtectCloudTrail.json"
  attach      = [root]
}

# The strategy's SCP table names the Log Archive account as this policy's target, and its
# hierarchy lists the policy, statement by statement, under the Security OU. It is attached
# to the Security OU: the hierarchy is the more detailed of the two, and at the OU the same
# deletion and trail-shutdown denies also guard the Audit account's security tooling and any
# account added to the OU later. Neither account's work needs these deletions.
policy "protect_log_archive" {
  type        = "scp"
  name        = "ProtectLogArchive"
  description = "Deny log object and bucket deletion, and trail shutdown"
  file        = "policies/ProtectLogArchive.json"
  attach      = [unit.security]
}

policy "require_s3_encryption" {
  type        = "scp"
  name        = "RequireS3Encryption"
  description = "Block unencrypted S3 uploads (the strategy's policy, verbatim)"
  file        = "policies/RequireS3Encryption.json"
  attach      = [unit.workloads]
}

policy "deny_public_s3" {
  type        = "scp"
  name        = "DenyPublicS3"
  description = "Block public bucket policies and public access block removal"
  file        = "policies/DenyPublicS3.json"
  attach      = [unit.workloads]
}

# ---------------------------------------------------------------------------------------
# Security baseline, run from the management account

baseline {
  organization_trail {
    name           = "docustack-organization-trail"
    bucket         = "docustack-organization-trail-logs"
    bucket_account = account.log_archive
  }

  config_aggregator {
    name = "docustack-organization"
  }

  delegated_admin {
    account  = account.audit
    services = ["securityhub.amazonaws.com", "guardduty.amazonaws.com", "config.amazonaws.com"]
  }
}

# ---------------------------------------------------------------------------------------
# Terraform state, one bucket and lock table per account, in that account

bootstrap {
  bucket_prefix = "docustack"
  lock_table    = "docustack-terraform-locks"
  locking       = "dynamodb"
  encryption    = "aws:kms"
  region        = "us-east-1"
}

quotas {
  policies_per_target = 10
  policy_size         = 10240
  ou_depth            = 5
}

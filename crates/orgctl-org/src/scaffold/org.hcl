# The {{name}} AWS organization, as code.
#
#   orgctl validate .     every problem at once, with file:line:column
#   orgctl show .         the tree, SCPs per node and each account's SCP chain
#   orgctl test .         the guardrail tests of tests/
#   orgctl prove .        every action per account and region; the properties of properties.hcl
#   orgctl apply .        build it (the embedded sandbox by default; --backend aws for AWS)
#
# Accounts with an `id` exist already (they are invited); the others are created. The spec
# language is documented in orgctl's docs/spec.md.

organization "{{name}}" {
  management_account_id = "{{management}}"
  home_region           = "{{region}}"
}

unit "security" {
  name = "Security"
}

unit "workloads" {
  name = "Workloads"
}

unit "sandbox" {
  name = "Sandbox"
}

account "management" {
  name  = "Management"
  email = "aws-management@{{domain}}"
  id    = "{{management}}"
}

account "log_archive" {
  name  = "Log Archive"
  email = "aws-log-archive@{{domain}}"
  unit  = unit.security
}

account "audit" {
  name  = "Audit"
  email = "aws-audit@{{domain}}"
  unit  = unit.security
}

account "sandbox" {
  name  = "Sandbox"
  email = "aws-sandbox@{{domain}}"
  unit  = unit.sandbox
}

account "development" {
  name  = "Development"
  email = "aws-development@{{domain}}"
  unit  = unit.workloads
  tags  = { environment = "development" }
}

account "production" {
  name  = "Production"
  email = "aws-production@{{domain}}"
  unit  = unit.workloads
  tags  = { environment = "production" }
}

# Every policy below denies; FullAWSAccess stays attached everywhere, so that every level of
# every account's SCP chain has an allow.

policy "full_aws_access" {
  type        = "scp"
  aws_managed = true
  attach      = [everywhere]
}

policy "region_lock" {
  type        = "scp"
  name        = "RegionLock"
  description = "Only {{region}}, with the global services a working region lock needs"
  file        = "policies/RegionLock.json"
  attach      = [root]
}

policy "protect_security_tooling" {
  type        = "scp"
  name        = "ProtectSecurityTooling"
  description = "Keep CloudTrail on and the accounts in the organization"
  file        = "policies/ProtectSecurityTooling.json"
  attach      = [root]
}

policy "protect_log_archive" {
  type        = "scp"
  name        = "ProtectLogArchive"
  description = "No deletion of log objects or buckets in the Security OU"
  file        = "policies/ProtectLogArchive.json"
  attach      = [unit.security]
}

baseline {
  organization_trail {
    name           = "{{name}}-organization-trail"
    bucket         = "{{name}}-organization-trail-logs"
    bucket_account = account.log_archive
  }

  delegated_admin {
    account  = account.audit
    services = ["guardduty.amazonaws.com"]
  }
}

bootstrap {
  bucket_prefix = "{{name}}"
  lock_table    = "{{name}}-terraform-locks"
  region        = "{{region}}"
}

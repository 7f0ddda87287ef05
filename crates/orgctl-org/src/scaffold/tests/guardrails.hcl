# Guardrail tests: each request and the decision the organization's SCPs must give it.
# `orgctl test .` runs them; `orgctl apply .` runs them first and refuses on a failure.

test "production can run instances at home" {
  account = account.production
  action  = "ec2:RunInstances"
  region  = "{{region}}"
  expect  = "allow"
}

test "production cannot run instances in another region" {
  account   = account.production
  action    = "ec2:RunInstances"
  region    = "{{other_region}}"
  expect    = "deny"
  denied_by = "RegionLock"
}

test "global services work from another region" {
  account = account.development
  action  = "iam:CreateRole"
  region  = "{{other_region}}"
  expect  = "allow"
}

test "no account leaves the organization" {
  account   = account.sandbox
  action    = "organizations:LeaveOrganization"
  expect    = "deny"
  denied_by = "ProtectSecurityTooling"
}

test "CloudTrail stays on" {
  account   = account.development
  action    = "cloudtrail:StopLogging"
  expect    = "deny"
  denied_by = "ProtectSecurityTooling"
}

test "log archive objects cannot be deleted" {
  account   = account.log_archive
  action    = "s3:DeleteObject"
  resource  = "arn:aws:s3:::{{name}}-organization-trail-logs/AWSLogs/x.json.gz"
  expect    = "deny"
  denied_by = "ProtectLogArchive"
}

# DocuStack's guardrails as tests: every row of the strategy's SCP table and hierarchy, each
# with the case that must be denied and the case that must still work.
#
#   orgctl test examples/docustack            (apply runs them first and refuses on a failure)
#
# Each principal has an identity policy allowing everything, so a test sees exactly what the
# SCPs of its account allow. docs/testing.md documents the format.

# --- Region Deny (root: all accounts): only us-east-1 -----------------------------------

test "dev can run instances in us-east-1" {
  account = account.dev
  action  = "ec2:RunInstances"
  region  = "us-east-1"
  expect  = "allow"
}

test "dev cannot run instances in eu-west-1" {
  account   = account.dev
  action    = "ec2:RunInstances"
  region    = "eu-west-1"
  expect    = "deny"
  denied_by = "RegionDeny"
}

test "production cannot create buckets in eu-central-1" {
  account   = account.production
  action    = "s3:CreateBucket"
  resource  = "arn:aws:s3:::docustack-prod-eu"
  region    = "eu-central-1"
  expect    = "deny"
  denied_by = "RegionDeny"
}

test "global services still work from another region (IAM)" {
  account = account.staging
  action  = "iam:CreateRole"
  region  = "eu-west-1"
  expect  = "allow"
}

test "global services still work from another region (STS)" {
  account = account.sandbox_developers
  action  = "sts:AssumeRole"
  region  = "ap-southeast-2"
  expect  = "allow"
}

test "the management account is not region-locked (SCPs never apply to it)" {
  account = account.management
  action  = "ec2:RunInstances"
  region  = "eu-west-1"
  expect  = "allow"
}

# --- Require S3 Encryption (Workloads OU): block unencrypted uploads --------------------

test "production cannot upload without the encryption header" {
  account   = account.production
  action    = "s3:PutObject"
  resource  = "arn:aws:s3:::docustack-prod-data/report.pdf"
  expect    = "deny"
  denied_by = "RequireS3Encryption"
}

test "production can upload with SSE-KMS" {
  account  = account.production
  action   = "s3:PutObject"
  resource = "arn:aws:s3:::docustack-prod-data/report.pdf"
  context  = { "s3:x-amz-server-side-encryption" = "aws:kms" }
  expect   = "allow"
}

test "the sandbox is outside Workloads: uploads without the header are allowed" {
  account  = account.sandbox_developers
  action   = "s3:PutObject"
  resource = "arn:aws:s3:::sandbox-scratch/file"
  expect   = "allow"
}

# --- Protect CloudTrail (root: all accounts) ---------------------------------------------

test "staging cannot stop the trail" {
  account   = account.staging
  action    = "cloudtrail:StopLogging"
  resource  = "arn:aws:cloudtrail:us-east-1:348665872333:trail/docustack-organization-trail"
  expect    = "deny"
  denied_by = "ProtectCloudTrail"
}

test "the sandbox cannot delete the trail" {
  account   = account.sandbox_developers
  action    = "cloudtrail:DeleteTrail"
  resource  = "arn:aws:cloudtrail:us-east-1:348665872333:trail/docustack-organization-trail"
  expect    = "deny"
  denied_by = "ProtectCloudTrail"
}

test "a member account's root user cannot stop the trail either" {
  account   = account.dev
  principal = "root"
  action    = "cloudtrail:StopLogging"
  expect    = "deny"
  denied_by = "ProtectCloudTrail"
}

test "the management account manages its organization trail" {
  account = account.management
  action  = "cloudtrail:UpdateTrail"
  expect  = "allow"
}

# --- Protect Log Archive (Security OU): deny object and bucket deletion, trail shutdown --

test "log archive objects cannot be deleted" {
  account   = account.log_archive
  action    = "s3:DeleteObject"
  resource  = "arn:aws:s3:::docustack-organization-trail-logs/AWSLogs/o-example/log.json.gz"
  expect    = "deny"
  denied_by = "ProtectLogArchive"
}

test "the log archive bucket cannot be deleted" {
  account   = account.log_archive
  action    = "s3:DeleteBucket"
  resource  = "arn:aws:s3:::docustack-organization-trail-logs"
  expect    = "deny"
  denied_by = "ProtectLogArchive"
}

test "audit, also in the Security OU, cannot delete objects" {
  account   = account.audit
  action    = "s3:DeleteObject"
  resource  = "arn:aws:s3:::docustack-audit-findings/finding.json"
  expect    = "deny"
  denied_by = "ProtectLogArchive"
}

test "log archive can still read its logs" {
  account  = account.log_archive
  action   = "s3:GetObject"
  resource = "arn:aws:s3:::docustack-organization-trail-logs/AWSLogs/o-example/log.json.gz"
  expect   = "allow"
}

test "outside the Security OU, objects can be deleted" {
  account  = account.dev
  action   = "s3:DeleteObject"
  resource = "arn:aws:s3:::docustack-dev-scratch/tmp.txt"
  expect   = "allow"
}

# --- Deny Public S3 (Workloads OU): block public bucket policies and ACLs ----------------

test "staging cannot change the public access block" {
  account   = account.staging
  action    = "s3:PutBucketPublicAccessBlock"
  resource  = "arn:aws:s3:::docustack-staging-assets"
  expect    = "deny"
  denied_by = "DenyPublicS3"
}

test "production cannot make a bucket public-read" {
  account   = account.production
  action    = "s3:PutBucketAcl"
  resource  = "arn:aws:s3:::docustack-prod-assets"
  context   = { "s3:x-amz-acl" = "public-read" }
  expect    = "deny"
  denied_by = "DenyPublicS3"
}

test "production can set a private ACL" {
  account  = account.production
  action   = "s3:PutBucketAcl"
  resource = "arn:aws:s3:::docustack-prod-assets"
  context  = { "s3:x-amz-acl" = "private" }
  expect   = "allow"
}

test "the organization access role can still block public access (bootstrap)" {
  account   = account.staging
  principal = "role/OrganizationAccountAccessRole"
  action    = "s3:PutBucketPublicAccessBlock"
  resource  = "arn:aws:s3:::docustack-terraform-state-staging"
  expect    = "allow"
}

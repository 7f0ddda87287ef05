# Guardrail properties: claims about every request, which `orgctl prove` proves or refutes
# with a counterexample. docs/prove.md documents the block.

property "region_lock" {
  description = "Outside us-east-1, member accounts can run nothing of EC2 but the three global describes"
  accounts    = [everywhere]
  except      = [account.management]
  regions     = ["us-west-2", "eu-west-1"]
  actions     = ["ec2:*", "lambda:*", "rds:*", "dynamodb:*", "s3:CreateBucket", "s3:PutObject"]
  not_actions = ["ec2:DescribeRegions", "ec2:DescribeTransitGateways", "ec2:DescribeVpnGateways"]
  expect      = "deny"
}

property "encrypted_uploads" {
  description = "No S3 upload without a server-side encryption header in the workloads"
  accounts    = [unit.workloads]
  actions     = ["s3:PutObject"]
  absent      = ["s3:x-amz-server-side-encryption"]
  expect      = "deny"
}

property "log_archive_immutable" {
  description = "Log archive objects and the log bucket cannot be deleted"
  accounts    = [account.log_archive]
  actions     = ["s3:DeleteObject", "s3:DeleteObjectVersion", "s3:DeleteBucket"]
  resources   = ["arn:aws:s3:::docustack-organization-trail-logs", "arn:aws:s3:::docustack-organization-trail-logs/*"]
  expect      = "deny"
}

property "cloudtrail_protected" {
  description = "CloudTrail cannot be stopped or changed outside the management account"
  accounts    = [everywhere]
  except      = [account.management]
  actions     = ["cloudtrail:StopLogging", "cloudtrail:DeleteTrail", "cloudtrail:UpdateTrail", "cloudtrail:PutEventSelectors"]
  expect      = "deny"
}

property "workloads_can_work" {
  description = "The workloads can still run instances, functions and encrypted uploads at home"
  accounts    = [unit.workloads]
  regions     = ["us-east-1"]
  actions     = ["ec2:RunInstances", "lambda:CreateFunction", "lambda:InvokeFunction", "s3:GetObject", "s3:PutObject", "dynamodb:PutItem"]
  expect      = "allow"
}

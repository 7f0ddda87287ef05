# Claims about every request, which `orgctl prove` proves or refutes with a counterexample.

property "region_lock" {
  description = "Outside {{region}}, member accounts cannot run compute or create storage"
  accounts    = [everywhere]
  except      = [account.management]
  regions     = ["{{other_region}}"]
  actions     = ["ec2:RunInstances", "lambda:CreateFunction", "s3:CreateBucket", "dynamodb:CreateTable"]
  expect      = "deny"
}

property "cloudtrail_stays_on" {
  description = "No member account can stop or delete CloudTrail"
  accounts    = [everywhere]
  except      = [account.management]
  actions     = ["cloudtrail:StopLogging", "cloudtrail:DeleteTrail"]
  expect      = "deny"
}

property "workloads_can_work" {
  description = "The workloads can run compute and store data at home"
  accounts    = [unit.workloads]
  regions     = ["{{region}}"]
  actions     = ["ec2:RunInstances", "lambda:CreateFunction", "s3:PutObject", "dynamodb:PutItem"]
  expect      = "allow"
}

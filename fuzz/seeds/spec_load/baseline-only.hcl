organization "b" {
  management_account_id = "111122223333"
  home_region           = "us-west-2"
}

account "logs" {
  name  = "Logs"
  email = "logs@b.example"
}

baseline {
  organization_trail {
    name           = "trail"
    bucket         = "b-trail-logs"
    bucket_account = account.logs
  }
  config_aggregator { name = "agg" }
  delegated_admin {
    account  = account.logs
    services = ["guardduty.amazonaws.com"]
  }
}

bootstrap {
  bucket_prefix = "b"
  lock_table    = "b-locks"
  locking       = "s3"
  encryption    = "AES256"
  region        = "us-west-2"
}

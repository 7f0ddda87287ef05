organization "x" {
  management_account_id = 12
  home_region           = "mars-1"
}
unit "u" {
  name   = "U"
  parent = unit.u
}
account "a" {
  name  = ""
  email = "not-an-email"
  id    = "12"
  unit  = "unit.u"
}
account "a" {
  name  = "Twice"
  email = "t@x.example"
}
policy "p" {
  type   = "acp"
  file   = "../outside.json"
  attach = [unit.u, root, account.nobody]
}
baseline {
  organization_trail {
    name = "t"
  }
}
property "p" {
  accounts = [everywhere]
  actions  = ["s3:*"]
  expect   = "maybe"
}
something = true

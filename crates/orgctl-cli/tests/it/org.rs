//! `orgctl validate`, `show`, `plan` and `apply` on the DocuStack example and on broken
//! specs: output snapshots, exit codes, idempotence, destroy protection, the lock.

#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    reason = "test helpers fail the test by panicking"
)]

use std::path::Path;

use crate::assert_run;
use crate::common::{docustack, docustack_copy, orgctl, temp_dir};

fn run(dir: &Path, args: &[&str]) -> crate::common::Output {
    let mut full: Vec<&str> = args.to_vec();
    let d = dir.to_str().unwrap();
    full.push(d);
    orgctl(dir, &full, None)
}

#[test]
fn validate_docustack_is_clean_but_for_the_stale_encryption_check() {
    let dir = docustack_copy();
    let out = run(dir.path(), &["validate"]);
    assert_run!("org_validate_docustack", out, dir.path());
}

#[test]
fn validate_reports_every_problem_at_once() {
    let spec = r#"
organization "broken" {
  management_account_id = "34866587233"
  home_region           = "us-east-1"
}

unit "workloads" { name = "Workloads" }
unit "workloads" { name = "Other" }
unit "deep" {
  name   = "Deep"
  parent = unit.workload
}

account "dev" {
  name  = "Dev"
  email = "dev@example.com"
  unit  = unit.workloads
  colour = "blue"
}

account "dev2" {
  name  = "Dev 2"
  email = "DEV@example.com"
  unit  = account.dev
}

policy "full" {
  type        = "scp"
  aws_managed = true
  attach      = [root]
}

policy "deny_all" {
  type   = "scp"
  name   = "DenyAll"
  file   = "policies/deny.json"
  attach = [root, unit.nope]
}

bootstrap {
  bucket_prefix = "Not_Valid"
  locking       = "etcd"
}
"#;
    let deny = r#"{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "s3:GetObjects", "Resource": "*"}]}"#;
    let dir = temp_dir(&[("org.hcl", spec), ("policies/deny.json", deny)]);
    let out = run(dir.path(), &["validate"]);
    assert_eq!(out.code, 1);
    assert_run!("org_validate_broken", out, dir.path());
    let json = run(dir.path(), &["validate", "--format", "json"]);
    assert_eq!(json.code, 1);
    let doc: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    let codes: Vec<&str> = doc["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap())
        .collect();
    for code in [
        "invalid-account-id",
        "duplicate-key",
        "unknown-reference",
        "unknown-element",
        "duplicate-email",
        "INVALID_ACTION",
        "no-allowing-scp",
        "invalid-bucket-name",
        "invalid-value",
    ] {
        assert!(codes.contains(&code), "{code} missing from {codes:?}");
    }
}

#[test]
fn a_syntax_error_points_at_its_line() {
    let dir = temp_dir(&[(
        "org.hcl",
        "organization \"x\" {\n  home_region = \"us-east-1\"\n  management_account_id = \n}\n",
    )]);
    let out = run(dir.path(), &["validate"]);
    assert_eq!(out.code, 1);
    assert!(out.stderr.contains("hcl-syntax"), "{}", out.stderr);
    assert!(out.stderr.contains("org.hcl:"), "{}", out.stderr);
}

#[test]
fn plan_apply_and_apply_again() {
    let dir = docustack_copy();
    let plan = run(dir.path(), &["plan"]);
    assert_eq!(plan.code, 2, "{}", plan.stderr);
    assert_run!("org_plan_docustack_empty_sandbox", plan, dir.path());
    assert!(!dir.path().join(".orgctl").exists(), "plan leaves no trace");

    let apply = run(dir.path(), &["apply"]);
    assert_eq!(apply.code, 0, "{}", apply.stderr);
    assert_run!("org_apply_docustack", apply, dir.path());
    assert!(dir.path().join("infrastructure-live/root.hcl").exists());
    assert!(
        dir.path()
            .join("infrastructure-live/dev/account.hcl")
            .exists()
    );
    assert!(!dir.path().join(".orgctl/journal.jsonl").exists());

    let again = run(dir.path(), &["apply"]);
    assert_eq!(again.code, 0);
    assert_eq!(
        again.stdout,
        "No changes. The organization matches the spec.\n"
    );
    let plan = run(dir.path(), &["plan"]);
    assert_eq!(plan.code, 0);

    // Reformatting a policy is no change.
    let path = dir.path().join("policies/RegionDeny.json");
    let value: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    std::fs::write(&path, serde_json::to_string(&value).unwrap()).unwrap();
    assert_eq!(run(dir.path(), &["plan"]).code, 0);

    // Changing one is: shown as a diff of the document.
    let text = std::fs::read_to_string(dir.path().join("policies/ProtectCloudTrail.json")).unwrap();
    std::fs::write(
        dir.path().join("policies/ProtectCloudTrail.json"),
        text.replace(
            "cloudtrail:StopLogging",
            "cloudtrail:StopLogging\",\n        \"cloudtrail:PutEventSelectors",
        ),
    )
    .unwrap();
    let changed = run(dir.path(), &["plan"]);
    assert_eq!(changed.code, 2);
    assert_run!("org_plan_policy_change", changed, dir.path());
    assert_eq!(run(dir.path(), &["apply"]).code, 0);
    assert_eq!(run(dir.path(), &["plan"]).code, 0);
}

#[test]
fn removing_a_policy_needs_allow_destroy() {
    let dir = docustack_copy();
    assert_eq!(run(dir.path(), &["apply"]).code, 0);
    let spec = std::fs::read_to_string(dir.path().join("org.hcl")).unwrap();
    let start = spec.find("policy \"deny_public_s3\"").unwrap();
    let end = start + spec[start..].find("\n}\n").unwrap() + 3;
    std::fs::write(
        dir.path().join("org.hcl"),
        format!("{}{}", &spec[..start], &spec[end..]),
    )
    .unwrap();

    let plan = run(dir.path(), &["plan"]);
    assert_eq!(plan.code, 2);
    assert!(
        plan.stdout.contains("- detach DenyPublicS3 from Workloads"),
        "{}",
        plan.stdout
    );
    assert!(
        plan.stdout.contains("- delete policy DenyPublicS3"),
        "{}",
        plan.stdout
    );

    let refused = run(dir.path(), &["apply"]);
    assert_eq!(refused.code, 1);
    assert!(
        refused.stderr.contains("--allow-destroy"),
        "{}",
        refused.stderr
    );
    assert_eq!(run(dir.path(), &["plan"]).code, 2, "nothing was applied");

    let allowed = run(dir.path(), &["apply", "--allow-destroy"]);
    assert_eq!(allowed.code, 0, "{}", allowed.stderr);
    assert_eq!(run(dir.path(), &["plan"]).code, 0);

    // An OU goes once its account moves elsewhere; it too needs --allow-destroy.
    let spec = std::fs::read_to_string(dir.path().join("org.hcl")).unwrap();
    let spec = spec
        .replace("unit \"sandbox\" {\n  name = \"Sandbox\"\n}\n", "")
        .replace("unit  = unit.sandbox", "unit  = unit.workloads");
    std::fs::write(dir.path().join("org.hcl"), spec).unwrap();
    let plan = run(dir.path(), &["plan"]);
    assert_eq!(plan.code, 2, "{}", plan.stderr);
    let moved = plan
        .stdout
        .find("~ move account Developer Sandbox: Sandbox -> Workloads")
        .unwrap();
    let deleted = plan.stdout.find("- delete OU Sandbox").unwrap();
    assert!(moved < deleted, "{}", plan.stdout);
    assert_eq!(run(dir.path(), &["apply"]).code, 1);
    assert_eq!(run(dir.path(), &["apply", "--allow-destroy"]).code, 0);
    assert_eq!(run(dir.path(), &["plan"]).code, 0);
}

#[test]
fn a_saved_plan_is_refused_once_the_organization_changed() {
    let dir = docustack_copy();
    let plan_file = dir.path().join("plan.json");
    let plan = orgctl(
        dir.path(),
        &[
            "plan",
            dir.path().to_str().unwrap(),
            "--out",
            plan_file.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(plan.code, 2);
    // Someone else applies first.
    assert_eq!(run(dir.path(), &["apply"]).code, 0);
    let stale = orgctl(
        dir.path(),
        &[
            "apply",
            dir.path().to_str().unwrap(),
            "--plan",
            plan_file.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(stale.code, 1);
    assert!(
        stale.stderr.contains("changed since the plan was made"),
        "{}",
        stale.stderr
    );
}

#[test]
fn a_running_apply_holds_the_lock() {
    let dir = docustack_copy();
    // This test process takes the lock as an apply would.
    let lock = orgctl_org::Workspace::new(dir.path()).lock().unwrap();
    let out = run(dir.path(), &["apply"]);
    assert_eq!(out.code, 1);
    let message = out.stderr.replace('\n', " ");
    assert!(
        message.contains(&format!(
            "another apply is running (process {} on",
            std::process::id()
        )),
        "{}",
        out.stderr
    );
    assert!(
        !dir.path().join(".orgctl/sandbox.db").exists(),
        "refused before the sandbox is opened"
    );
    drop(lock);
    assert_eq!(run(dir.path(), &["apply"]).code, 0);
}

#[test]
fn show_in_every_format() {
    let dir = docustack_copy();
    for format in ["tree", "json", "mermaid", "dot"] {
        let out = run(dir.path(), &["show", "--format", format]);
        assert_eq!(out.code, 0, "{format}: {}", out.stderr);
        assert!(out.stdout.contains("Workloads"), "{format}");
        assert!(out.stdout.contains("RequireS3Encryption"), "{format}");
    }
    let json = run(dir.path(), &["show", "--format", "json"]);
    let doc: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(doc["management_account_id"], "348665872333");
}

#[test]
fn a_bootstrap_denied_by_an_scp_stops_and_a_fixed_spec_finishes() {
    let dir = docustack_copy();
    let spec_path = dir.path().join("org.hcl");
    let spec = std::fs::read_to_string(&spec_path).unwrap();
    // A guardrail on Workloads that forbids creating DynamoDB tables: the lock tables too.
    let guard = |action: &str| {
        format!(
            r#"{{"Version": "2012-10-17", "Statement": [{{"Sid": "NoTables", "Effect": "Deny", "Action": "{action}", "Resource": "*"}}]}}"#
        )
    };
    std::fs::write(
        dir.path().join("policies/NoTables.json"),
        guard("dynamodb:CreateTable"),
    )
    .unwrap();
    let with_guard = format!(
        "{spec}\npolicy \"no_tables\" {{\n  type = \"scp\"\n  name = \"NoTables\"\n  file = \"policies/NoTables.json\"\n  attach = [unit.workloads]\n}}\n"
    );
    std::fs::write(&spec_path, &with_guard).unwrap();
    // The lockout guard sees it first: the access role could not create lock tables.
    let refused = run(dir.path(), &["apply"]);
    assert_eq!(refused.code, 1);
    assert!(
        refused
            .stderr
            .contains("cannot call dynamodb:CreateTable in Production"),
        "{}",
        refused.stderr
    );
    assert!(!dir.path().join(".orgctl/journal.jsonl").exists());
    // Forced past the guard, the sandbox enforces the SCP on the call itself.
    let failed = run(
        dir.path(),
        &[
            "apply",
            "--force-lockout",
            "--reason",
            "the sandbox enforces it",
        ],
    );
    assert_eq!(failed.code, 1);
    assert!(
        failed.stderr.contains("dynamodb:CreateTable"),
        "{}",
        failed.stderr
    );
    assert!(
        failed.stderr.contains("`NoTables` statement `NoTables`"),
        "{}",
        failed.stderr
    );
    assert!(dir.path().join(".orgctl/journal.jsonl").exists());

    // The guardrail is narrowed; the rerun settles the interrupted apply, plans afresh and
    // finishes without creating any account again.
    std::fs::write(
        dir.path().join("policies/NoTables.json"),
        guard("dynamodb:DeleteTable"),
    )
    .unwrap();
    let fixed = run(dir.path(), &["apply"]);
    assert_eq!(fixed.code, 0, "{}", fixed.stderr);
    assert!(fixed.stderr.contains("interrupted"), "{}", fixed.stderr);
    assert!(!fixed.stdout.contains("create account"), "{}", fixed.stdout);
    assert!(
        fixed.stdout.contains("update policy NoTables"),
        "{}",
        fixed.stdout
    );
    assert_eq!(run(dir.path(), &["plan"]).code, 0);
}

#[test]
fn bootstrap_some_accounts() {
    let dir = docustack_copy();
    let d = dir.path().to_str().unwrap();
    // Before the organization exists, there is nothing to bootstrap into.
    let early = orgctl(dir.path(), &["bootstrap", "dev", "--dir", d], None);
    assert_eq!(early.code, 1);
    assert!(
        early.stderr.contains("does not exist yet"),
        "{}",
        early.stderr
    );

    assert_eq!(run(dir.path(), &["apply"]).code, 0);
    let done = orgctl(dir.path(), &["bootstrap", "--dir", d], None);
    assert_eq!(done.code, 0, "{}", done.stderr);
    assert!(
        done.stdout.starts_with("Nothing to bootstrap"),
        "{}",
        done.stdout
    );

    // A lost account.hcl comes back, and only the named account's files are touched.
    std::fs::remove_file(dir.path().join("infrastructure-live/dev/account.hcl")).unwrap();
    std::fs::remove_file(dir.path().join("infrastructure-live/staging/account.hcl")).unwrap();
    let dev = orgctl(dir.path(), &["bootstrap", "Dev", "--dir", d], None);
    assert_eq!(dev.code, 0, "{}", dev.stderr);
    assert!(
        dev.stdout
            .contains("+ write infrastructure-live/dev/account.hcl"),
        "{}",
        dev.stdout
    );
    assert!(!dev.stdout.contains("staging"), "{}", dev.stdout);
    assert!(
        dir.path()
            .join("infrastructure-live/dev/account.hcl")
            .exists()
    );
    assert!(
        !dir.path()
            .join("infrastructure-live/staging/account.hcl")
            .exists()
    );

    let unknown = orgctl(dir.path(), &["bootstrap", "nope", "--dir", d], None);
    assert_eq!(unknown.code, 1);
    assert!(
        unknown.stderr.contains("no account `nope`"),
        "{}",
        unknown.stderr
    );
}

#[test]
fn vend_an_account() {
    let dir = docustack_copy();
    let d = dir.path().to_str().unwrap();
    let early = orgctl(
        dir.path(),
        &[
            "account",
            "create",
            "QA",
            "--ou",
            "workloads",
            "--email",
            "aws-qa@docustack.example",
            "--dir",
            d,
        ],
        None,
    );
    assert_eq!(early.code, 1);
    assert!(
        early.stderr.contains("does not exist yet"),
        "{}",
        early.stderr
    );

    assert_eq!(run(dir.path(), &["apply"]).code, 0);
    let vended = orgctl(
        dir.path(),
        &[
            "account",
            "create",
            "QA",
            "--ou",
            "Workloads",
            "--email",
            "aws-qa@docustack.example",
            "--dir",
            d,
        ],
        None,
    );
    assert_eq!(vended.code, 0, "{}", vended.stderr);
    assert!(vended.stdout.contains("is vended"), "{}", vended.stdout);
    assert!(
        !vended.stdout.contains("--allow-destroy"),
        "{}",
        vended.stdout
    );
    let spec = std::fs::read_to_string(dir.path().join("org.hcl")).unwrap();
    assert!(spec.contains("account \"qa\" {"), "{spec}");
    assert!(
        spec.contains("# DocuStack's AWS organization"),
        "comments kept"
    );
    for file in [
        "qa/account.hcl",
        "qa/us-east-1/region.hcl",
        "qa/us-east-1/vpc/terragrunt.hcl",
    ] {
        assert!(
            dir.path().join("infrastructure-live").join(file).exists(),
            "{file}"
        );
    }
    assert_eq!(
        run(dir.path(), &["plan"]).code,
        0,
        "the spec and the organization agree"
    );
    let again = orgctl(
        dir.path(),
        &[
            "account",
            "create",
            "QA",
            "--ou",
            "workloads",
            "--email",
            "aws-qa@docustack.example",
            "--dir",
            d,
        ],
        None,
    );
    assert_eq!(again.code, 0);
    assert!(again.stdout.contains("vended already"), "{}", again.stdout);
    let clash = orgctl(
        dir.path(),
        &[
            "account",
            "create",
            "QA2",
            "--ou",
            "workloads",
            "--email",
            "aws-qa@docustack.example",
            "--dir",
            d,
        ],
        None,
    );
    assert_eq!(clash.code, 1);
    let bad_ou = orgctl(
        dir.path(),
        &[
            "account",
            "create",
            "X",
            "--ou",
            "nowhere",
            "--email",
            "x@docustack.example",
            "--dir",
            d,
        ],
        None,
    );
    assert_eq!(bad_ou.code, 1);
    assert!(
        bad_ou.stderr.contains("no unit `nowhere`"),
        "{}",
        bad_ou.stderr
    );
}

#[test]
fn import_an_organization_then_plan_nothing() {
    let dir = docustack_copy();
    assert_eq!(run(dir.path(), &["apply"]).code, 0);
    let out = dir.path().join("imported");
    let from = dir.path().to_str().unwrap();
    let to = out.to_str().unwrap();
    let import = orgctl(
        dir.path(),
        &["import", "--from", from, "--out", to, "--name", "docustack"],
        None,
    );
    assert_eq!(import.code, 0, "{}", import.stderr);
    assert!(
        import
            .stdout
            .contains("Imported 3 OUs, 7 accounts and 6 policies"),
        "{}",
        import.stdout
    );
    let spec = std::fs::read_to_string(out.join("org.hcl")).unwrap();
    assert!(spec.contains("policy \"require_s3_encryption\""), "{spec}");
    assert!(spec.contains("id        = \"216482851263\""), "{spec}");
    let plan = orgctl(dir.path(), &["plan", to], None);
    assert_eq!(plan.code, 0, "{}{}", plan.stdout, plan.stderr);
    let twice = orgctl(dir.path(), &["import", "--from", from, "--out", to], None);
    assert_eq!(twice.code, 1);
    assert!(
        twice.stderr.contains("already holds a spec"),
        "{}",
        twice.stderr
    );
}

#[test]
fn guardrail_tests_pass_fail_and_gate_apply() {
    let dir = docustack_copy();
    std::fs::create_dir_all(dir.path().join("tests")).unwrap();
    std::fs::copy(
        docustack().join("tests/guardrails.hcl"),
        dir.path().join("tests/guardrails.hcl"),
    )
    .unwrap();
    let ok = run(dir.path(), &["test"]);
    assert_eq!(ok.code, 0, "{}{}", ok.stdout, ok.stderr);
    assert!(
        ok.stdout.ends_with("22 passed, 0 failed\n"),
        "{}",
        ok.stdout
    );
    let junit = run(dir.path(), &["test", "--format", "junit"]);
    assert!(
        junit
            .stdout
            .contains("<testsuite name=\"guardrails\" tests=\"22\" failures=\"0\">"),
        "{}",
        junit.stdout
    );
    let json = run(dir.path(), &["test", "--format", "json"]);
    let doc: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(doc["passed"], 22);

    // A guardrail that stops holding: Region Deny detached from the root.
    let spec = std::fs::read_to_string(dir.path().join("org.hcl")).unwrap();
    let weakened = spec.replacen(
        "  file        = \"policies/RegionDeny.json\"\n  attach      = [root]",
        "  file        = \"policies/RegionDeny.json\"\n  attach      = [unit.sandbox]",
        1,
    );
    assert_ne!(spec, weakened);
    std::fs::write(dir.path().join("org.hcl"), weakened).unwrap();
    let failed = run(dir.path(), &["test"]);
    assert_eq!(failed.code, 1);
    assert!(
        failed
            .stdout
            .contains("FAIL dev cannot run instances in eu-west-1"),
        "{}",
        failed.stdout
    );
    assert!(
        failed.stdout.contains("expected deny, got Allow"),
        "{}",
        failed.stdout
    );
    let junit = run(dir.path(), &["test", "--format", "junit"]);
    assert!(
        junit
            .stdout
            .contains("<failure message=\"expected deny, got Allow\">"),
        "{}",
        junit.stdout
    );
    let apply = run(dir.path(), &["apply"]);
    assert_eq!(apply.code, 1);
    assert!(
        apply.stderr.contains("guardrail tests fail"),
        "{}",
        apply.stderr
    );
    assert!(
        !dir.path().join(".orgctl/sandbox.db").exists(),
        "nothing was applied"
    );

    // A test naming the wrong policy fails too.
    std::fs::write(dir.path().join("org.hcl"), spec).unwrap();
    std::fs::write(
        dir.path().join("tests/wrong.hcl"),
        "test \"wrong culprit\" {\n  account = account.dev\n  action = \"ec2:RunInstances\"\n  region = \"eu-west-1\"\n  expect = \"deny\"\n  denied_by = \"ProtectCloudTrail\"\n}\n",
    )
    .unwrap();
    let wrong = run(dir.path(), &["test"]);
    assert_eq!(wrong.code, 1);
    assert!(wrong.stdout.contains("denied, but not by ProtectCloudTrail: RegionDeny statement DenyAllOutsideUsEast1 at Root"), "{}", wrong.stdout);
}

#[test]
fn simulate_in_an_account_of_the_organization() {
    let dir = docustack_copy();
    let d = dir.path().to_str().unwrap();
    let denied = orgctl(
        dir.path(),
        &[
            "simulate",
            d,
            "--account",
            "dev",
            "--action",
            "ec2:RunInstances",
            "--region",
            "eu-west-1",
        ],
        None,
    );
    assert_eq!(denied.code, 0, "{}", denied.stderr);
    assert_run!("org_simulate_region_deny", denied, dir.path());
    let json = orgctl(
        dir.path(),
        &[
            "simulate",
            d,
            "--account",
            "Production",
            "--action",
            "s3:PutObject",
            "--resource",
            "arn:aws:s3:::b/k",
            "--format",
            "json",
        ],
        None,
    );
    let doc: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(doc["decision"], "ExplicitDeny");
    assert_eq!(doc["scp_chain"][1]["name"], "Workloads");
    assert_eq!(doc["scp_chain"][1]["verdict"], "denies");
    assert_eq!(doc["scp_chain"][0]["verdict"], "allows");
    let unknown = orgctl(
        dir.path(),
        &[
            "simulate",
            d,
            "--account",
            "nope",
            "--action",
            "s3:GetObject",
        ],
        None,
    );
    assert_eq!(unknown.code, 2);
    assert!(
        unknown.stderr.contains("no account `nope`"),
        "{}",
        unknown.stderr
    );
}

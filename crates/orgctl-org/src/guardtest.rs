//! Guardrail tests: requests with the decision the organization's policies must give them,
//! written in HCL under the spec directory's `tests/` (docs/testing.md).
//!
//! ```hcl
//! test "dev cannot work outside us-east-1" {
//!   account   = account.dev
//!   action    = "ec2:RunInstances"
//!   region    = "eu-west-1"
//!   expect    = "deny"
//!   denied_by = "RegionDeny"
//! }
//! ```
//!
//! The principal has an identity policy allowing everything (unless `identity = "none"`), so
//! a test sees what the SCPs and RCPs of its account allow.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use orgctl_eval::{Context, ContextValue, Outcome, Request};
use serde::Serialize;

use crate::diag::{Diagnostic, Diagnostics, FileId, Loc, Sources};
use crate::guard::{OrgPolicies, deciding};
use crate::hcl::{BodyReader, label_span};
use crate::spec::{Spec, Target};
use crate::state::PolicyKind;

/// What a test expects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Expect {
    /// Allowed.
    Allow,
    /// Denied, explicitly or implicitly.
    Deny,
}

/// One test.
#[derive(Debug, Clone)]
pub struct GuardTest {
    /// Its name (the block label).
    pub name: String,
    /// The account key.
    pub account: String,
    /// The principal: an ARN, or a path in the account (`role/Admin`, `user/alice`, `root`).
    pub principal: String,
    /// The action.
    pub action: String,
    /// The resource ARN or `*`.
    pub resource: String,
    /// `aws:RequestedRegion`.
    pub region: String,
    /// Further context keys.
    pub context: BTreeMap<String, Vec<String>>,
    /// The decision expected.
    pub expect: Expect,
    /// A policy that must be among those that denied.
    pub denied_by: Option<String>,
    /// A policy that must be among those that allowed.
    pub allowed_by: Option<String>,
    /// Whether the principal has the allow-everything identity policy.
    pub identity: bool,
    /// Where the block is.
    pub loc: Loc,
}

/// The outcome of one test.
#[derive(Debug, Clone, Serialize)]
pub struct TestResult {
    /// The test's name.
    pub name: String,
    /// Its file and line.
    pub location: String,
    /// The account, `name (id)`.
    pub account: String,
    /// Whether it passed.
    pub passed: bool,
    /// `Allow`, `ExplicitDeny` or `ImplicitDeny`.
    pub decision: String,
    /// What it expected.
    pub expect: Expect,
    /// The policies and statements that decided.
    pub decided_by: Vec<String>,
    /// Why it failed.
    pub failure: Option<String>,
}

/// Reads every `tests/*.hcl` file under the spec directory.
pub fn load_tests(spec: &Spec, sources: &mut Sources, diags: &mut Diagnostics) -> Vec<GuardTest> {
    let dir = spec.dir.join("tests");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "hcl"))
        .collect();
    files.sort();
    let mut tests = Vec::new();
    for path in files {
        match std::fs::read_to_string(&path) {
            Ok(text) => {
                let id = sources.add(path, text.clone());
                parse_tests(spec, id, &text, &mut tests, diags);
            }
            Err(e) => diags.push(Diagnostic::error(
                "test-file",
                Loc::default(),
                format!("cannot read `{}`: {e}", path.display()),
            )),
        }
    }
    tests
}

/// Reads the test blocks of one file.
pub fn parse_tests(
    spec: &Spec,
    file: FileId,
    text: &str,
    tests: &mut Vec<GuardTest>,
    d: &mut Diagnostics,
) {
    let body = match hcl_edit::parser::parse_body(text) {
        Ok(b) => b,
        Err(e) => {
            let at = e.location().offset();
            d.push(Diagnostic::error(
                "hcl-syntax",
                Loc::new(file, at..at),
                e.message().to_owned(),
            ));
            return;
        }
    };
    for block in body.blocks() {
        let loc = Loc::new(file, label_span(block));
        if block.ident.as_str() != "test" {
            d.push(
                Diagnostic::error(
                    "unknown-element",
                    loc,
                    format!("unknown block `{}` in a test file", block.ident.as_str()),
                )
                .with_help("a test file holds `test \"NAME\" { ... }` blocks"),
            );
            continue;
        }
        let name = block
            .labels
            .first()
            .map_or_else(String::new, |l| l.as_str().to_owned());
        let mut r = BodyReader::new(file, &block.body, loc.clone(), format!("test \"{name}\""));
        let account = match r.target("account", d) {
            Some((Target::Account(k), l)) => {
                if spec.account(&k).is_none() {
                    d.push(Diagnostic::error(
                        "unknown-reference",
                        l,
                        format!("no account `{k}` in the spec"),
                    ));
                }
                k
            }
            Some((_, l)) => {
                d.push(
                    Diagnostic::error("invalid-reference", l, "a test runs in an account")
                        .with_help("write `account = account.KEY`"),
                );
                String::new()
            }
            None => {
                d.push(
                    Diagnostic::error(
                        "missing-attribute",
                        loc.clone(),
                        format!("test \"{name}\" has no `account`"),
                    )
                    .with_help("add `account = account.KEY`"),
                );
                String::new()
            }
        };
        let principal = r
            .string("principal", d)
            .map_or_else(|| "role/Admin".to_owned(), |(v, _)| v);
        let action = r
            .required_string("action", d)
            .map(|(v, _)| v)
            .unwrap_or_default();
        let resource = r
            .string("resource", d)
            .map_or_else(|| "*".to_owned(), |(v, _)| v);
        let region = r
            .string("region", d)
            .map_or_else(|| spec.organization.home_region.clone(), |(v, _)| v);
        let context = r
            .string_map("context", d)
            .into_iter()
            .map(|(k, v)| (k, vec![v]))
            .collect();
        let expect = match r.required_string("expect", d) {
            Some((v, _)) if v == "allow" => Expect::Allow,
            Some((v, _)) if v == "deny" => Expect::Deny,
            Some((v, l)) => {
                d.push(
                    Diagnostic::error("invalid-value", l, format!("`expect` is `{v}`"))
                        .with_help("write `allow` or `deny`"),
                );
                Expect::Deny
            }
            None => Expect::Deny,
        };
        let denied_by = r.string("denied_by", d).map(|(v, _)| v);
        let allowed_by = r.string("allowed_by", d).map(|(v, _)| v);
        let identity = match r.string("identity", d) {
            Some((v, _)) if v == "none" => false,
            Some((v, l)) if v != "admin" => {
                d.push(
                    Diagnostic::error("invalid-value", l, format!("`identity` is `{v}`"))
                        .with_help("write `admin` (the default) or `none`"),
                );
                true
            }
            _ => true,
        };
        r.finish(d);
        for (policy, what) in [(&denied_by, "denied_by"), (&allowed_by, "allowed_by")] {
            if let Some(p) = policy {
                if !spec.policies.iter().any(|x| &x.name == p) && p != "AdministratorAccess" {
                    d.push(Diagnostic::error(
                        "unknown-reference",
                        loc.clone(),
                        format!("`{what}` names `{p}`, which the spec does not have"),
                    ));
                }
            }
        }
        tests.push(GuardTest {
            name,
            account,
            principal,
            action,
            resource,
            region,
            context,
            expect,
            denied_by,
            allowed_by,
            identity,
            loc,
        });
    }
}

/// Runs every test.
pub fn run_tests(spec: &Spec, sources: &Sources, tests: &[GuardTest]) -> Vec<TestResult> {
    let policies = OrgPolicies::new(spec);
    let admin = OrgPolicies::administrator().ok();
    tests
        .iter()
        .map(|t| {
            let Some(account) = spec.account(&t.account) else {
                return TestResult {
                    name: t.name.clone(),
                    location: sources.describe(&t.loc),
                    account: t.account.clone(),
                    passed: false,
                    decision: String::new(),
                    expect: t.expect,
                    decided_by: Vec::new(),
                    failure: Some(format!("no account `{}`", t.account)),
                };
            };
            let id = spec.account_id_or_placeholder(account);
            let principal = if t.principal.starts_with("arn:") {
                t.principal.clone()
            } else if t.principal == "root" {
                format!("arn:aws:iam::{id}:root")
            } else {
                format!("arn:aws:iam::{id}:{}", t.principal)
            };
            let identity = if t.identity {
                admin.iter().cloned().collect()
            } else {
                Vec::new()
            };
            let set = policies.policy_set(account, identity);
            let mut context = Context::new();
            context.insert(
                "aws:RequestedRegion",
                ContextValue::Single(t.region.clone()),
            );
            for (k, v) in &t.context {
                let value = match v.as_slice() {
                    [one] => ContextValue::Single(one.clone()),
                    many => ContextValue::Multi(many.to_vec()),
                };
                context.insert(k, value);
            }
            let request = Request::new(&principal, &t.action, &t.resource, None, context);
            let decision = set.decide(&request);
            let levels = policies.levels(account, PolicyKind::Scp);
            let decided_by = deciding(&set, &decision, &levels);
            let allowed = decision.outcome == Outcome::Allow;
            let mut failure = match (t.expect, allowed) {
                (Expect::Allow, false) => Some(format!(
                    "expected allow, got {}: {}",
                    decision.outcome.as_str(),
                    decided_by.join("; ")
                )),
                (Expect::Deny, true) => Some("expected deny, got Allow".to_owned()),
                _ => None,
            };
            let names = |p: &str| {
                decided_by
                    .iter()
                    .any(|d| d == p || d.starts_with(&format!("{p} ")))
            };
            if failure.is_none() {
                if let Some(p) = &t.denied_by {
                    if !names(p) {
                        failure =
                            Some(format!("denied, but not by {p}: {}", decided_by.join("; ")));
                    }
                }
                if let Some(p) = &t.allowed_by {
                    if !names(p) {
                        failure = Some(format!(
                            "allowed, but not by {p}: {}",
                            decided_by.join("; ")
                        ));
                    }
                }
            }
            TestResult {
                name: t.name.clone(),
                location: sources.describe(&t.loc),
                account: format!("{} ({id})", account.name),
                passed: failure.is_none(),
                decision: decision.outcome.as_str().to_owned(),
                expect: t.expect,
                decided_by,
                failure,
            }
        })
        .collect()
}

/// JUnit XML for CI systems.
pub fn junit(results: &[TestResult]) -> String {
    let esc = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
    };
    let failures = results.iter().filter(|r| !r.passed).count();
    let mut out = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"orgctl\" tests=\"{}\" failures=\"{failures}\">\n  <testsuite name=\"guardrails\" tests=\"{}\" failures=\"{failures}\">\n",
        results.len(),
        results.len()
    );
    for r in results {
        out.push_str(&format!(
            "    <testcase classname=\"{}\" name=\"{}\">",
            esc(&r.account),
            esc(&r.name)
        ));
        match &r.failure {
            Some(f) => out.push_str(&format!(
                "\n      <failure message=\"{}\">{} ({})</failure>\n    </testcase>\n",
                esc(f),
                esc(f),
                esc(&r.location)
            )),
            None => out.push_str("</testcase>\n"),
        }
    }
    out.push_str("  </testsuite>\n</testsuites>\n");
    out
}

/// Loads and runs the tests of a spec; `None` when it has no `tests/` directory.
pub fn test_dir_exists(dir: &Path) -> bool {
    dir.join("tests").is_dir()
}

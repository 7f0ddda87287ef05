//! Reliability of `orgctl apply` and `orgctl account create` (RELIABILITY.md): killed at
//! every step (`crash`), through a proxy that injects faults in front of moto (`faults`),
//! and two at once (`concurrent`). What they share: running the binary against a backend,
//! and reading the organization it left, with generated ids replaced by names so runs can be
//! compared, and checked for duplicates, orphans and nodes without an allowing SCP.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::print_stderr,
    dead_code,
    reason = "test code"
)]

mod concurrent;
mod crash;
mod faults;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::{Command, ExitStatus, Stdio};

use orgctl_org::{Backend, BootstrapProbe, PolicyKind, Spec, State};

/// The management account of DocuStack, the caller in every moto these tests start.
pub const MGMT: &str = crate::common::MOTO_CALLER;

/// Where the organization lives.
#[derive(Debug, Clone)]
pub enum Target {
    /// The sandbox of the spec directory (`DIR/.orgctl/sandbox.db`).
    Sandbox,
    /// The AWS backend, at this endpoint (moto, or a proxy in front of it).
    Aws(String),
}

/// What one run of `orgctl` did.
#[derive(Debug)]
pub struct Run {
    pub status: ExitStatus,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Whether SIGKILL ended it.
    pub fn killed(&self) -> bool {
        use std::os::unix::process::ExitStatusExt as _;
        self.status.signal() == Some(9)
    }

    /// The exit code, when it exited.
    pub fn code(&self) -> Option<i32> {
        self.status.code()
    }
}

/// A `Command` running orgctl `args` (then the backend's options) with `env` set.
pub fn command(target: &Target, args: &[&str], env: &[(&str, String)]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_orgctl"));
    cmd.args(args)
        .env("NO_COLOR", "1")
        .env_remove("COLUMNS")
        .env_remove(KILL_HOOK)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Target::Aws(endpoint) = target {
        cmd.args(["--backend", "aws", "--endpoint-url", endpoint])
            .env("AWS_ACCESS_KEY_ID", "testing")
            .env("AWS_SECRET_ACCESS_KEY", "testing")
            .env("AWS_REGION", "us-east-1")
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env_remove("AWS_PROFILE");
    }
    for (name, value) in env {
        cmd.env(name, value);
    }
    cmd
}

/// Runs orgctl to its end.
pub fn run(target: &Target, args: &[&str], env: &[(&str, String)]) -> Run {
    let out = command(target, args, env).output().unwrap();
    Run {
        status: out.status,
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

/// The CLI's crash hook: SIGKILL after this many mutating backend calls.
pub const KILL_HOOK: &str = "ORGCTL_TEST_KILL_AFTER_CALLS";

/// `orgctl apply DIR`, with `--yes` on AWS.
pub fn apply(dir: &Path, target: &Target, env: &[(&str, String)]) -> Run {
    let d = dir.to_str().unwrap();
    match target {
        Target::Sandbox => run(target, &["apply", d], env),
        Target::Aws(_) => run(target, &["apply", d, "--yes"], env),
    }
}

/// `orgctl plan DIR`.
pub fn plan(dir: &Path, target: &Target) -> Run {
    run(target, &["plan", dir.to_str().unwrap()], &[])
}

/// The spec of `dir`.
pub fn spec(dir: &Path) -> Spec {
    let (spec, diags) = orgctl_org::load_dir(dir).unwrap();
    assert!(!diags.has_errors());
    spec
}

/// The organization in `target` for the spec in `dir`: every account, OU, policy and
/// attachment, and the bucket and lock table bootstrap would name in every account of the
/// organization (those of accounts the spec does not know included).
pub fn organization(dir: &Path, target: &Target) -> State {
    let spec = spec(dir);
    match target {
        Target::Sandbox => {
            let sandbox = orgctl_sandbox::Sandbox::open(
                &dir.join(".orgctl/sandbox.db"),
                orgctl_sandbox::SandboxOptions {
                    management_account_id: spec.organization.management_account_id.clone(),
                    ..orgctl_sandbox::SandboxOptions::default()
                },
            )
            .unwrap();
            assert_eq!(
                sandbox.integrity_problems().unwrap(),
                Vec::<String>::new(),
                "PRAGMA integrity_check"
            );
            // The sandbox reports every bucket and table whatever the probes.
            sandbox.read_state(&[]).unwrap()
        }
        Target::Aws(endpoint) => {
            let backend = orgctl_aws::AwsBackend::connect(orgctl_aws::AwsOptions {
                endpoint_url: Some(endpoint.clone()),
                static_credentials: Some(("testing".into(), "testing".into())),
                region: Some("us-east-1".into()),
                access_role_name: spec.organization.access_role_name.clone(),
                ..orgctl_aws::AwsOptions::default()
            })
            .unwrap();
            let state = backend.read_state(&[]).unwrap();
            let mut probes = orgctl_org::plan::probes(&spec, &state);
            let b = &spec.bootstrap;
            for account in &state.accounts {
                if !probes.iter().any(|p| p.account_id == account.id) {
                    probes.push(BootstrapProbe {
                        account_id: account.id.clone(),
                        bucket: b.bucket_name(&account.id),
                        table: b.locking.needs_table().then(|| b.lock_table.clone()),
                        region: b.region.clone(),
                    });
                }
            }
            backend.read_state(&probes).unwrap()
        }
    }
}

/// Generated ids and the names that replace them: accounts by name, OUs by path, policies
/// by name.
fn names(state: &State) -> Vec<(String, String)> {
    let mut names = Vec::new();
    if let Some(org) = &state.organization {
        names.push((org.id.clone(), "<organization>".to_owned()));
        names.push((org.root_id.clone(), "Root".to_owned()));
    }
    for unit in &state.units {
        names.push((unit.id.clone(), format!("ou:{}", path(state, &unit.id))));
    }
    for account in &state.accounts {
        names.push((account.id.clone(), format!("account:{}", account.name)));
    }
    for policy in &state.policies {
        names.push((policy.id.clone(), format!("policy:{}", policy.name)));
    }
    // Longer ids first, so none is replaced inside another.
    names.sort_by_key(|(id, _)| std::cmp::Reverse(id.len()));
    names
}

/// An OU's path from the root (`Root/Workloads`), or a root's or account's name.
fn path(state: &State, id: &str) -> String {
    if let Some(unit) = state.unit(id) {
        return format!("{}/{}", path(state, &unit.parent_id), unit.name);
    }
    if let Some(account) = state.account(id) {
        return account.name.clone();
    }
    "Root".to_owned()
}

/// The organization as sorted lines, ids replaced by names: two runs that built the same
/// organization give the same lines.
pub fn normalized(state: &State) -> Vec<String> {
    let mut lines = Vec::new();
    if let Some(org) = &state.organization {
        let mut types: Vec<String> = org
            .enabled_policy_types
            .iter()
            .map(|k| format!("{k:?}"))
            .collect();
        types.sort();
        lines.push(format!(
            "organization of {} with {}",
            org.management_account_id,
            types.join(", ")
        ));
    }
    for unit in &state.units {
        lines.push(format!("ou {}", path(state, &unit.id)));
    }
    for a in &state.accounts {
        lines.push(format!(
            "account {} <{}> in {} {:?} tags {:?}",
            a.name,
            a.email,
            path(state, &a.parent_id),
            a.status,
            a.tags
        ));
    }
    for p in &state.policies {
        let content: serde_json::Value =
            serde_json::from_str(&p.content).unwrap_or(serde_json::Value::Null);
        lines.push(format!(
            "policy {:?} {} managed={} {:?} {content}",
            p.kind, p.name, p.aws_managed, p.description
        ));
    }
    for a in &state.attachments {
        lines.push(format!("attach {} to {}", a.policy_id, a.target_id));
    }
    for s in &state.trusted_services {
        lines.push(format!("trusted access {s}"));
    }
    for d in &state.delegated_admins {
        lines.push(format!(
            "delegated {} to {}",
            d.service_principal, d.account_id
        ));
    }
    lines.extend(state.trails.iter().map(|t| format!("{t:?}")));
    lines.extend(state.aggregators.iter().map(|a| format!("{a:?}")));
    lines.extend(state.buckets.iter().map(|b| format!("{b:?}")));
    lines.extend(state.tables.iter().map(|t| format!("{t:?}")));
    let names = names(state);
    let mut lines: Vec<String> = lines
        .into_iter()
        .map(|mut line| {
            for (id, name) in &names {
                line = line.replace(id.as_str(), name);
            }
            line
        })
        .collect();
    lines.sort();
    lines
}

/// What is wrong with the organization whatever a reference says: a second account for one
/// email, anything the spec does not name (accounts, OUs, policies, buckets, tables), and a
/// root, OU or account without an attached SCP that allows something.
pub fn problems(state: &State, spec: &Spec) -> Vec<String> {
    let mut problems = Vec::new();
    let mut emails: BTreeMap<String, usize> = BTreeMap::new();
    let management = state
        .organization
        .as_ref()
        .map(|o| o.management_account_id.clone());
    // The management account is the organization's own, whether the spec declares it or not.
    for a in state
        .accounts
        .iter()
        .filter(|a| Some(&a.id) != management.as_ref())
    {
        *emails.entry(a.email.to_ascii_lowercase()).or_default() += 1;
    }
    for (email, count) in &emails {
        if *count > 1 {
            problems.push(format!("{count} accounts for {email}"));
        }
        if !spec
            .accounts
            .iter()
            .any(|a| a.email.eq_ignore_ascii_case(email))
        {
            problems.push(format!("account {email} is not in the spec"));
        }
    }
    let mut seen_units = BTreeSet::new();
    for u in &state.units {
        let p = path(state, &u.id);
        if !seen_units.insert(p.clone()) {
            problems.push(format!("OU {p} twice"));
        }
        if !spec.units.iter().any(|s| s.name == u.name) {
            problems.push(format!("OU {p} is not in the spec"));
        }
    }
    let mut seen_policies = BTreeSet::new();
    for p in state.policies.iter().filter(|p| !p.aws_managed) {
        if !seen_policies.insert((p.kind, p.name.clone())) {
            problems.push(format!("policy {} twice", p.name));
        }
        if !spec.policies.iter().any(|s| s.name == p.name) {
            problems.push(format!("policy {} is not in the spec", p.name));
        }
    }
    let log_bucket = spec.baseline.trail.as_ref().map(|t| t.bucket.clone());
    for b in &state.buckets {
        let named = Some(&b.name) == log_bucket.as_ref()
            || b.name == spec.bootstrap.bucket_name(&b.account_id);
        if !named {
            problems.push(format!("bucket {} is not the spec's", b.name));
        }
    }
    for t in &state.tables {
        if t.name != spec.bootstrap.lock_table {
            problems.push(format!("table {} is not the spec's", t.name));
        }
    }
    let allows = |policy_id: &str| {
        state.policy(policy_id).is_some_and(|p| {
            p.kind == PolicyKind::Scp && {
                let doc: serde_json::Value =
                    serde_json::from_str(&p.content).unwrap_or(serde_json::Value::Null);
                let statements = match &doc["Statement"] {
                    serde_json::Value::Array(list) => list.clone(),
                    one => vec![one.clone()],
                };
                statements.iter().any(|s| s["Effect"] == "Allow")
            }
        })
    };
    let mut nodes: Vec<(String, String)> = Vec::new();
    if let Some(org) = &state.organization {
        nodes.push((org.root_id.clone(), "Root".to_owned()));
    }
    nodes.extend(
        state
            .units
            .iter()
            .map(|u| (u.id.clone(), path(state, &u.id))),
    );
    nodes.extend(
        state
            .accounts
            .iter()
            .map(|a| (a.id.clone(), format!("account {}", a.name))),
    );
    for (id, name) in nodes {
        if !state
            .attachments
            .iter()
            .any(|a| a.target_id == id && allows(&a.policy_id))
        {
            problems.push(format!("{name} has no allowing SCP"));
        }
    }
    problems
}

/// Checks the journal, when one is left, is JSON Lines: a plan, then step events.
pub fn check_journal(dir: &Path) {
    let path = dir.join(".orgctl/journal.jsonl");
    let Ok(text) = std::fs::read_to_string(&path) else {
        return;
    };
    for (i, line) in text.lines().enumerate() {
        let value: serde_json::Value = serde_json::from_str(line)
            .unwrap_or_else(|e| panic!("journal line {} is not JSON ({e}): {line}", i + 1));
        if i == 0 {
            assert!(value.get("changes").is_some(), "the first line is the plan");
        } else {
            let event: orgctl_org::apply::Event = serde_json::from_value(value)
                .unwrap_or_else(|e| panic!("journal line {} is no event ({e})", i + 1));
            let _ = event;
        }
    }
    assert!(text.is_empty() || text.ends_with('\n'), "no torn last line");
}

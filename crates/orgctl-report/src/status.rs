//! The report's status sections: the guardrail tests' results, the bootstrap status of each
//! account's Terraform state (from the backend's state, when the organization was applied)
//! with the security baseline, and the bootstrap cost estimate.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use orgctl_org::cost::CostEstimate;
use orgctl_org::guardtest::{Expect, TestResult};
use orgctl_org::{AccountSpec, Spec, State, Target};

use crate::html::{count, esc, plural};

/// The guardrail tests: a summary line and one row per test. `accounts` maps the account
/// labels the tests give (`Dev (900000000004)`, with the prover's placeholder for an account
/// the spec gives no id) to the labels with the ids the backend's state knows.
pub fn tests(results: Option<&[TestResult]>, accounts: &BTreeMap<String, String>) -> String {
    let Some(results) = results else {
        return "<p class=\"tests-summary none\">The spec directory has no <code>tests/</code>: no guardrail tests (docs/testing.md shows how to write them).</p>\n".to_owned();
    };
    let failed = results.iter().filter(|r| !r.passed).count();
    let passed = results.len() - failed;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "<p class=\"tests-summary {}\" data-passed=\"{passed}\" data-failed=\"{failed}\">{} passed, {} failed</p>",
        if failed == 0 { "pass" } else { "fail" },
        count(passed),
        count(failed)
    );
    if results.is_empty() {
        return out;
    }
    out.push_str("<table class=\"tests\"><thead><tr><th scope=\"col\">Result</th><th scope=\"col\">Test</th><th scope=\"col\">Account</th><th scope=\"col\">Expected</th><th scope=\"col\">Decision</th><th scope=\"col\">Decided by</th></tr></thead><tbody>\n");
    for r in results {
        let (class, mark) = if r.passed {
            ("pass", "pass")
        } else {
            ("fail", "FAIL")
        };
        let _ = write!(
            out,
            "<tr class=\"test-row {class}\"><td><span class=\"badge {class}\">{mark}</span></td><td>{}<br><span class=\"muted\">{}</span></td><td>{}</td><td>{}</td><td>{}</td><td>{}",
            esc(&r.name),
            esc(&location(&r.location)),
            esc(accounts.get(&r.account).unwrap_or(&r.account)),
            match r.expect {
                Expect::Allow => "allow",
                Expect::Deny => "deny",
            },
            esc(&r.decision),
            esc(&r.decided_by.join("; "))
        );
        if let Some(f) = &r.failure {
            let _ = write!(out, "<br><span class=\"failure\">{}</span>", esc(f));
        }
        out.push_str("</td></tr>\n");
    }
    out.push_str("</tbody></table>\n");
    out
}

/// A test's location without the directories above the spec's `tests/`.
fn location(text: &str) -> String {
    match text.rfind("tests/") {
        Some(i) => text.get(i..).unwrap_or(text).to_owned(),
        None => text.to_owned(),
    }
}

/// Where one account's Terraform state stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// Bucket and lock table present with every setting orgctl manages.
    Ready,
    /// Something is there, something is missing or weaker.
    Partial,
    /// Neither bucket nor table.
    Missing,
    /// The account does not exist yet.
    NoAccount,
    /// The spec does not bootstrap the account.
    Skipped,
}

impl Standing {
    /// The CSS class and the words shown.
    pub const fn describe(self) -> (&'static str, &'static str) {
        match self {
            Self::Ready => ("ok", "bootstrapped"),
            Self::Partial => ("partial", "incomplete"),
            Self::Missing => ("missing", "not bootstrapped"),
            Self::NoAccount => ("missing", "account not created"),
            Self::Skipped => ("skipped", "not bootstrapped by the spec"),
        }
    }
}

/// One account's bootstrap status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BootstrapRow {
    /// The account's spec key.
    pub key: String,
    /// Its name.
    pub name: String,
    /// Its id, when known.
    pub id: Option<String>,
    /// The state bucket's name, when the id is known.
    pub bucket: Option<String>,
    /// What the bucket has or lacks.
    pub bucket_checks: Vec<(String, bool)>,
    /// The lock table's name, when one is needed.
    pub table: Option<String>,
    /// What the table has or lacks.
    pub table_checks: Vec<(String, bool)>,
    /// The verdict.
    pub standing: Standing,
}

/// Each spec account's bootstrap status in `state`.
pub fn bootstrap_rows(spec: &Spec, state: &State) -> Vec<BootstrapRow> {
    spec.accounts
        .iter()
        .map(|a| bootstrap_row(spec, state, a))
        .collect()
}

/// The account's id: the spec's, else the state's account with the same email.
fn account_id(state: &State, account: &AccountSpec) -> Option<String> {
    account.id.clone().or_else(|| {
        state
            .accounts
            .iter()
            .find(|s| !account.email.is_empty() && s.email.eq_ignore_ascii_case(&account.email))
            .map(|s| s.id.clone())
    })
}

fn bootstrap_row(spec: &Spec, state: &State, account: &AccountSpec) -> BootstrapRow {
    let b = &spec.bootstrap;
    let id = account_id(state, account);
    let mut row = BootstrapRow {
        key: account.key.clone(),
        name: account.name.clone(),
        id: id.clone(),
        bucket: None,
        bucket_checks: Vec::new(),
        table: b.locking.needs_table().then(|| b.lock_table.clone()),
        table_checks: Vec::new(),
        standing: Standing::Skipped,
    };
    if !account.bootstrap {
        return row;
    }
    let Some(id) = id.filter(|id| state.account(id).is_some()) else {
        row.standing = Standing::NoAccount;
        return row;
    };
    let name = b.bucket_name(&id);
    let bucket = state.buckets.iter().find(|x| x.name == name);
    row.bucket = Some(name);
    let mut present = 0;
    let mut complete = true;
    match bucket {
        Some(x) => {
            present += 1;
            let checks = [
                (format!("in account {}", x.account_id), x.account_id == id),
                ("versioning".to_owned(), x.versioning),
                (
                    match x.encryption {
                        Some(e) => format!("encrypted ({})", e.as_str()),
                        None => "encrypted".to_owned(),
                    },
                    x.encryption == Some(b.encryption),
                ),
                ("public access blocked".to_owned(), x.public_access_block),
            ];
            complete &= checks.iter().all(|c| c.1);
            row.bucket_checks = checks.into_iter().collect();
        }
        None => {
            complete = false;
            row.bucket_checks.push(("missing".to_owned(), false));
        }
    }
    if let Some(table) = &row.table {
        match state
            .tables
            .iter()
            .find(|t| t.account_id == id && &t.name == table)
        {
            Some(t) => {
                present += 1;
                let checks = [
                    ("KMS encryption".to_owned(), t.encrypted),
                    (
                        "point-in-time recovery".to_owned(),
                        t.point_in_time_recovery,
                    ),
                ];
                complete &= checks.iter().all(|c| c.1);
                row.table_checks = checks.into_iter().collect();
            }
            None => {
                complete = false;
                row.table_checks.push(("missing".to_owned(), false));
            }
        }
    }
    row.standing = if complete {
        Standing::Ready
    } else if present == 0 {
        Standing::Missing
    } else {
        Standing::Partial
    };
    row
}

/// Whether a state is of an organization at all.
pub fn applied(state: Option<&State>) -> Option<&State> {
    state.filter(|s| s.organization.is_some())
}

/// The bootstrap section: per account, the state bucket and lock table and their settings;
/// then the security baseline. "Not applied" without a state.
pub fn bootstrap(spec: &Spec, state: Option<&State>, backend: &str) -> String {
    let Some(state) = applied(state) else {
        return format!(
            "<p class=\"bootstrap-summary not-applied\" data-bootstrapped=\"0\">Not applied: the {} backend has no organization for this spec yet. <code>orgctl apply</code> builds it, with each account's state bucket and lock table.</p>\n",
            esc(backend)
        );
    };
    let rows = bootstrap_rows(spec, state);
    let wanted = spec.accounts.iter().filter(|a| a.bootstrap).count();
    let ready = rows
        .iter()
        .filter(|r| r.standing == Standing::Ready)
        .count();
    let mut out = String::new();
    let _ = writeln!(
        out,
        "<p class=\"bootstrap-summary\" data-bootstrapped=\"{ready}\" data-accounts=\"{wanted}\">{} of {} bootstrapped, as the {} backend reports them.</p>",
        count(ready),
        plural(wanted, "account", "accounts"),
        esc(backend)
    );
    out.push_str("<table class=\"bootstrap\"><thead><tr><th scope=\"col\">Account</th><th scope=\"col\">State bucket</th><th scope=\"col\">Lock table</th><th scope=\"col\">Status</th></tr></thead><tbody>\n");
    for r in &rows {
        let (class, words) = r.standing.describe();
        let _ = write!(
            out,
            "<tr class=\"bootstrap-row {class}\" data-account=\"{}\"><td>{}<br><span class=\"muted\">{}</span></td><td>",
            esc(&r.key),
            esc(&r.name),
            esc(r.id.as_deref().unwrap_or("no id yet"))
        );
        resource(&mut out, r.bucket.as_deref(), &r.bucket_checks);
        out.push_str("</td><td>");
        resource(&mut out, r.table.as_deref(), &r.table_checks);
        let _ = writeln!(
            out,
            "</td><td><span class=\"badge {class}\">{}</span></td></tr>",
            esc(words)
        );
    }
    out.push_str("</tbody></table>\n");
    baseline(&mut out, spec, state);
    out
}

/// A resource's name and its checks, each marked as met or not.
fn resource(out: &mut String, name: Option<&str>, checks: &[(String, bool)]) {
    let Some(name) = name else {
        out.push_str("<span class=\"muted\">—</span>");
        return;
    };
    let _ = write!(out, "<code>{}</code>", esc(name));
    if !checks.is_empty() {
        out.push_str("<br>");
        let items: Vec<String> = checks
            .iter()
            .map(|(what, ok)| {
                format!(
                    "<span class=\"check {}\">{} {}</span>",
                    if *ok { "ok" } else { "bad" },
                    if *ok { "✓" } else { "✗" },
                    esc(what)
                )
            })
            .collect();
        out.push_str(&items.join(" "));
    }
}

/// The baseline the spec declares, and whether the state has it.
fn baseline(out: &mut String, spec: &Spec, state: &State) {
    let b = &spec.baseline;
    let mut rows: Vec<(String, String, bool)> = Vec::new();
    if let Some(trail) = &b.trail {
        let found = state.trails.iter().find(|t| t.name == trail.name);
        let text = match found {
            Some(t) => format!(
                "{}{}{}, logs to {}",
                if t.logging { "logging" } else { "not logging" },
                if t.organization_trail {
                    ", organization-wide"
                } else {
                    ", this account only"
                },
                if t.multi_region {
                    ", every region"
                } else {
                    ", one region"
                },
                t.bucket
            ),
            None => "missing".to_owned(),
        };
        let ok = found.is_some_and(|t| t.logging && t.organization_trail);
        rows.push((format!("Organization trail {}", trail.name), text, ok));
    }
    if let Some(aggregator) = &b.aggregator {
        let found = state.aggregators.iter().find(|a| a.name == aggregator.name);
        let text = match found {
            Some(a) if a.organization_wide => format!("organization-wide, in {}", a.region),
            Some(a) => format!("this account only, in {}", a.region),
            None => "missing".to_owned(),
        };
        rows.push((
            format!("Config aggregator {}", aggregator.name),
            text,
            found.is_some_and(|a| a.organization_wide),
        ));
    }
    for admin in &b.delegated_admins {
        let Target::Account(key) = &admin.account else {
            continue;
        };
        let Some(account) = spec.account(key) else {
            continue;
        };
        let id = account_id(state, account);
        for service in &admin.services {
            let ok = id.as_ref().is_some_and(|id| {
                state
                    .delegated_admins
                    .iter()
                    .any(|d| &d.account_id == id && &d.service_principal == service)
            });
            rows.push((
                format!("Delegated admin for {service}"),
                format!(
                    "{}: {}",
                    account.name,
                    if ok { "registered" } else { "not registered" }
                ),
                ok,
            ));
        }
    }
    if rows.is_empty() {
        return;
    }
    out.push_str("<h3>Security baseline</h3>\n<table class=\"baseline\"><tbody>\n");
    for (what, text, ok) in rows {
        let _ = writeln!(
            out,
            "<tr class=\"baseline-row {}\"><td>{}</td><td><span class=\"check {}\">{} {}</span></td></tr>",
            if ok { "ok" } else { "missing" },
            esc(&what),
            if ok { "ok" } else { "bad" },
            if ok { "✓" } else { "✗" },
            esc(&text)
        );
    }
    out.push_str("</tbody></table>\n");
}

/// The cost estimate: the line `orgctl apply` prints, and its parts.
pub fn cost(estimate: &CostEstimate) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "<p class=\"cost-line\">{}</p>", esc(&estimate.line()));
    let _ = writeln!(
        out,
        "<table class=\"cost\"><tbody><tr><td>State bucket, per account</td><td class=\"num\">${:.2}</td></tr><tr><td>Lock table, per account</td><td class=\"num\">${:.2}</td></tr><tr><td>Per account</td><td class=\"num\">${:.2}</td></tr><tr><td>Accounts bootstrapped</td><td class=\"num\">{}</td></tr><tr class=\"total\"><td>A month, estimated</td><td class=\"num\">${:.2}</td></tr></tbody></table>",
        estimate.bucket_monthly_usd,
        estimate.table_monthly_usd,
        estimate.per_account_usd,
        count(estimate.accounts),
        estimate.total_usd
    );
    out.push_str("<p class=\"note\">From the strategy's cost table (about $0.25 a month per state bucket and per lock table), as the spec's <code>bootstrap</code> block sets them; storage and requests beyond that are not counted.</p>\n");
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "test code")]

    use std::path::Path;

    use orgctl_org::{
        AccountState, AccountStatus, BucketState, Encryption, OrgState, PolicyKind, TableState,
    };

    use super::*;

    fn docustack() -> Spec {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/docustack");
        orgctl_org::load_dir(&dir).unwrap().0
    }

    fn account(id: &str, email: &str) -> AccountState {
        AccountState {
            id: id.to_owned(),
            name: id.to_owned(),
            email: email.to_owned(),
            parent_id: "r-1".to_owned(),
            status: AccountStatus::Active,
            tags: BTreeMap::new(),
        }
    }

    fn bucket(account: &str, versioning: bool) -> BucketState {
        BucketState {
            account_id: account.to_owned(),
            name: format!("docustack-terraform-state-{account}"),
            region: "us-east-1".to_owned(),
            versioning,
            encryption: Some(Encryption::Kms),
            public_access_block: true,
            policy: None,
            noncurrent_expiration_days: Some(90),
            object_lock: false,
        }
    }

    #[test]
    fn bootstrap_rows_tell_ready_partial_and_missing_apart() {
        let spec = docustack();
        let state = State {
            organization: Some(OrgState {
                id: "o-1".to_owned(),
                management_account_id: "348665872333".to_owned(),
                root_id: "r-1".to_owned(),
                enabled_policy_types: vec![PolicyKind::Scp],
            }),
            accounts: vec![
                account("348665872333", "aws-management@docustack.example"),
                account("216482851263", "aws-dev@docustack.example"),
                // Staging, known by its email only.
                account("111111111111", "AWS-Staging@docustack.example"),
            ],
            buckets: vec![bucket("348665872333", true), bucket("216482851263", false)],
            tables: vec![TableState {
                account_id: "348665872333".to_owned(),
                name: "docustack-terraform-locks".to_owned(),
                region: "us-east-1".to_owned(),
                hash_key: "LockID".to_owned(),
                on_demand: true,
                point_in_time_recovery: true,
                encrypted: true,
            }],
            ..State::default()
        };
        let rows = bootstrap_rows(&spec, &state);
        let standing = |key: &str| rows.iter().find(|r| r.key == key).unwrap().standing;
        assert_eq!(standing("management"), Standing::Ready);
        assert_eq!(standing("dev"), Standing::Partial);
        assert_eq!(standing("staging"), Standing::Missing);
        assert_eq!(standing("production"), Standing::NoAccount);
        let dev = rows.iter().find(|r| r.key == "dev").unwrap();
        assert!(
            dev.bucket_checks
                .contains(&("versioning".to_owned(), false))
        );
        assert_eq!(dev.table_checks, [("missing".to_owned(), false)]);

        let html = bootstrap(&spec, Some(&state), "sandbox");
        assert!(html.contains("1 of 7 accounts bootstrapped"), "{html}");
        assert_eq!(html.matches("<tr class=\"bootstrap-row ok\"").count(), 1);
        assert_eq!(
            html.matches("<tr class=\"bootstrap-row partial\"").count(),
            1
        );
        assert!(html.contains("Organization trail docustack-organization-trail</td><td><span class=\"check bad\">✗ missing"));
        // A state without an organization is nothing applied.
        assert!(
            bootstrap(&spec, Some(&State::default()), "aws")
                .contains("Not applied: the aws backend")
        );
    }

    #[test]
    fn locations_start_at_tests() {
        assert_eq!(
            location("/tmp/x/examples/docustack/tests/guardrails.hcl:3:1"),
            "tests/guardrails.hcl:3:1"
        );
        assert_eq!(location("elsewhere.hcl:1:1"), "elsewhere.hcl:1:1");
    }
}

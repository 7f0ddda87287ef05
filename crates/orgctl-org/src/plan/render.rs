//! Plans as text, Terraform-style: one line per change with `+`, `~` or `-`, details
//! indented beneath, and a closing count. Readable without colour.

use std::fmt::Write as _;

use crate::plan::{Change, FileContent, Plan, Ref};
use crate::state::PolicyKind;

/// The symbol and one-line description of a change.
pub fn line(change: &Change) -> (char, String) {
    let kind_name = |k: PolicyKind| k.short().to_ascii_uppercase();
    match change {
        Change::CreateOrganization {
            management_account_id,
        } => (
            '+',
            format!("create organization (all features) managed from {management_account_id}"),
        ),
        Change::EnablePolicyType { kind } => (
            '+',
            format!(
                "enable {} policies on the root ({} attached everywhere)",
                kind_name(*kind),
                kind.default_policy()
            ),
        ),
        Change::CreatePolicy { kind, name, .. } => {
            ('+', format!("create {} {name}", kind_name(*kind)))
        }
        Change::UpdatePolicy { name, id, .. } => ('~', format!("update policy {name} ({id})")),
        Change::CreateUnit {
            name, parent_name, ..
        } => ('+', format!("create OU {name} in {parent_name}")),
        Change::CreateAccount { name, email, .. } => (
            '+',
            format!("create account {name} <{email}> and wait until it is ready"),
        ),
        Change::AwaitAccount {
            name, request_id, ..
        } => (
            '~',
            format!("wait for account {name} (creation {request_id} already under way)"),
        ),
        Change::InviteAccount { name, id, .. } => (
            '+',
            format!("invite account {name} ({id}) into the organization"),
        ),
        Change::MoveAccount {
            name,
            from_name,
            to_name,
            ..
        } => (
            '~',
            format!("move account {name}: {from_name} -> {to_name}"),
        ),
        Change::TagAccount { name, .. } => ('~', format!("tag account {name}")),
        Change::AttachPolicy {
            policy_name,
            target_name,
            ..
        } => ('+', format!("attach {policy_name} to {target_name}")),
        Change::DetachPolicy {
            policy_name,
            target_name,
            ..
        } => ('-', format!("detach {policy_name} from {target_name}")),
        Change::DeletePolicy { name, policy } => match policy.id() {
            Some(id) => ('-', format!("delete policy {name} ({id})")),
            None => ('-', format!("delete policy {name}")),
        },
        Change::AwaitAccess { account_name, .. } => (
            '~',
            format!("wait until the access role reaches {account_name}, and verify the account"),
        ),
        Change::AddToSpec { file, key, .. } => ('+', format!("add account \"{key}\" to {file}")),
        Change::DeleteUnit { name, id } => ('-', format!("delete OU {name} ({id})")),
        Change::EnableServiceAccess { service_principal } => (
            '+',
            format!("enable trusted access for {service_principal}"),
        ),
        Change::RegisterDelegatedAdmin {
            account_name,
            service_principal,
            ..
        } => (
            '+',
            format!("register {account_name} as delegated administrator for {service_principal}"),
        ),
        Change::PutLogBucket {
            bucket,
            account_name,
            drift,
            ..
        } => {
            if drift.is_empty() {
                (
                    '+',
                    format!(
                        "create log bucket {} in {account_name} (Object Lock, versioned, TLS only)",
                        bucket.name
                    ),
                )
            } else {
                (
                    '~',
                    format!("repair log bucket {} in {account_name}", bucket.name),
                )
            }
        }
        Change::PutTrail { trail, drift } => {
            if drift.is_empty() {
                (
                    '+',
                    format!(
                        "create organization trail {} -> s3://{} (all regions)",
                        trail.name, trail.bucket
                    ),
                )
            } else {
                ('~', format!("repair organization trail {}", trail.name))
            }
        }
        Change::PutAggregator { aggregator, drift } => {
            if drift.is_empty() {
                (
                    '+',
                    format!(
                        "create Config aggregator {} (whole organization, all regions)",
                        aggregator.name
                    ),
                )
            } else {
                ('~', format!("repair Config aggregator {}", aggregator.name))
            }
        }
        Change::Bootstrap {
            account,
            account_name,
            template,
            bucket_exists,
            ..
        } => {
            let bucket = match account.id() {
                Some(id) => template.bucket(id).name,
                None => template.bucket("(account id known after creation)").name,
            };
            let who = match account {
                Ref::Id(id) => format!("{account_name} ({id})"),
                Ref::New(_) => account_name.clone(),
            };
            let what = match &template.lock_table {
                Some(t) => format!("s3://{bucket} and table {t}"),
                None => format!("s3://{bucket}"),
            };
            if *bucket_exists {
                ('~', format!("repair state bootstrap of {who}: {what}"))
            } else {
                ('+', format!("bootstrap {who}: {what}"))
            }
        }
        Change::WriteFile { path, exists, .. } => {
            if *exists {
                ('~', format!("rewrite {path}"))
            } else {
                ('+', format!("write {path}"))
            }
        }
    }
}

/// Indented detail lines under a change.
fn details(change: &Change) -> Vec<String> {
    match change {
        Change::UpdatePolicy { diff, .. } => diff.clone(),
        Change::TagAccount { set, remove, .. } => set
            .iter()
            .map(|(k, v)| format!("+ {k} = {v:?}"))
            .chain(remove.iter().map(|k| format!("- {k}")))
            .collect(),
        Change::CreateAccount { tags, .. } if !tags.is_empty() => {
            let tags: Vec<String> = tags.iter().map(|(k, v)| format!("{k}={v}")).collect();
            vec![format!("tags: {}", tags.join(", "))]
        }
        Change::PutLogBucket { drift, .. }
        | Change::PutTrail { drift, .. }
        | Change::PutAggregator { drift, .. }
        | Change::Bootstrap { drift, .. } => drift.clone(),
        Change::WriteFile {
            content: FileContent::AccountHcl { .. },
            ..
        } => {
            vec!["account_id known after creation".to_owned()]
        }
        _ => Vec::new(),
    }
}

/// Counts by symbol: (add, change, remove).
pub fn counts(plan: &Plan) -> (usize, usize, usize) {
    let mut c = (0, 0, 0);
    for change in &plan.changes {
        match line(change).0 {
            '+' => c.0 += 1,
            '~' => c.1 += 1,
            _ => c.2 += 1,
        }
    }
    c
}

/// The closing line: `Plan: 3 to add, 1 to change, 0 to remove.`
pub fn summary(plan: &Plan) -> String {
    if plan.is_empty() {
        return "No changes. The organization matches the spec.".to_owned();
    }
    let (add, change, remove) = counts(plan);
    let destroys = plan.destroys().count();
    let mut s = format!("Plan: {add} to add, {change} to change, {remove} to remove.");
    if destroys > 0 {
        let _ = write!(
            s,
            " {destroys} of them destroy (run apply with --allow-destroy to allow)."
        );
    }
    s
}

/// The whole plan as text.
pub fn render(plan: &Plan) -> String {
    let mut out = String::new();
    if !plan.is_empty() {
        let _ = writeln!(
            out,
            "orgctl will make these changes to the {} organization:\n",
            plan.backend
        );
        for change in &plan.changes {
            let (symbol, text) = line(change);
            let _ = writeln!(out, "  {symbol} {text}");
            for d in details(change) {
                let _ = writeln!(out, "        {d}");
            }
        }
        out.push('\n');
    }
    for note in &plan.notes {
        let _ = writeln!(out, "note: {note}");
    }
    let _ = writeln!(out, "{}", summary(plan));
    out
}

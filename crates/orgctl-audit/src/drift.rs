//! Drift: where the backend differs from the spec, read off the plan that would repair it.
//!
//! A plan's changes are exactly the differences (a change exists only where spec and state
//! disagree), so each change becomes one drift item, said the audit's way: what the spec
//! declares and the backend lacks, what differs, what the backend holds that the spec does
//! not. Accounts in the organization that the spec does not declare are drift too, although
//! no plan removes them. An empty list is the first-class "in sync" result.

use serde::Serialize;

use orgctl_org::plan::render;
use orgctl_org::{Change, Plan, Ref, Spec, State};

/// How the backend differs from the spec for one item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DriftKind {
    /// The spec declares it; the backend does not have it.
    Missing,
    /// Both have it; its settings differ.
    Differs,
    /// The backend has it; the spec does not declare it.
    Extra,
}

impl DriftKind {
    /// How the kind is shown in text: `missing`, `differs`, `extra`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Missing => "missing",
            Self::Differs => "differs",
            Self::Extra => "extra",
        }
    }
}

/// Which part of the organization an item belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DriftArea {
    /// The organization, its policy types and trusted services.
    Organization,
    /// SCPs and RCPs, and where they are attached.
    Policies,
    /// OUs and accounts.
    Structure,
    /// The security baseline: trail, log bucket, Config aggregator, delegated admins.
    Baseline,
    /// State buckets and lock tables.
    StateStorage,
    /// Files under the spec directory (`infrastructure-live/`).
    Files,
}

/// One difference between spec and backend.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DriftItem {
    /// Missing, differs or extra.
    pub kind: DriftKind,
    /// Where it belongs.
    pub area: DriftArea,
    /// What differs: `account Staging`, `SCP RegionDeny on Root`, `file infrastructure-live/root.hcl`.
    pub resource: String,
    /// The differing settings, one per line, when the item exists on both sides.
    pub details: Vec<String>,
    /// What `orgctl apply` would do about it (`+ create account Staging ...`), or how to settle
    /// it when apply does nothing.
    pub repair: String,
}

/// Every difference, in plan order (unmanaged accounts last).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Drift {
    /// Whether the backend matches the spec: no items.
    pub in_sync: bool,
    /// The differences.
    pub items: Vec<DriftItem>,
}

impl Drift {
    /// The drift a plan (built by the caller from the same spec and state) shows, and the
    /// accounts of `state` the spec does not declare.
    pub fn new(spec: &Spec, state: &State, plan: &Plan) -> Self {
        let mut items: Vec<DriftItem> = plan.changes.iter().map(item).collect();
        items.extend(unmanaged(spec, state));
        Self {
            in_sync: items.is_empty(),
            items,
        }
    }
}

fn repair(change: &Change) -> String {
    let (symbol, text) = render::line(change);
    format!("orgctl apply: {symbol} {text}")
}

fn named(r: &Ref, name: &str) -> String {
    match r.id() {
        Some(id) if id != name => format!("{name} ({id})"),
        _ => name.to_owned(),
    }
}

fn new(area: DriftArea, kind: DriftKind, resource: String, details: Vec<String>) -> DriftItem {
    DriftItem {
        kind,
        area,
        resource,
        details,
        repair: String::new(),
    }
}

/// One change, as the difference it repairs.
fn item(change: &Change) -> DriftItem {
    use DriftArea as A;
    use DriftKind::{Differs, Extra, Missing};
    let kind_of = |drift: &[String]| if drift.is_empty() { Missing } else { Differs };
    let mut out = match change {
        Change::CreateOrganization {
            management_account_id,
        } => new(
            A::Organization,
            Missing,
            format!("organization managed from {management_account_id}"),
            Vec::new(),
        ),
        Change::EnablePolicyType { kind } => new(
            A::Organization,
            Missing,
            format!(
                "{} policy type enabled on the root",
                kind.short().to_ascii_uppercase()
            ),
            Vec::new(),
        ),
        Change::EnableServiceAccess { service_principal } => new(
            A::Organization,
            Missing,
            format!("trusted access for {service_principal}"),
            Vec::new(),
        ),
        Change::CreatePolicy { kind, name, .. } => new(
            A::Policies,
            Missing,
            format!("{} {name}", kind.short().to_ascii_uppercase()),
            Vec::new(),
        ),
        Change::UpdatePolicy { name, id, diff, .. } => new(
            A::Policies,
            Differs,
            format!("policy {name} ({id})"),
            diff.clone(),
        ),
        Change::DeletePolicy { name, policy } => new(
            A::Policies,
            Extra,
            format!("policy {}", named(policy, name)),
            Vec::new(),
        ),
        Change::AttachPolicy {
            policy_name,
            target_name,
            ..
        } => new(
            A::Policies,
            Missing,
            format!("{policy_name} attached to {target_name}"),
            Vec::new(),
        ),
        Change::DetachPolicy {
            policy_name,
            target_name,
            ..
        } => new(
            A::Policies,
            Extra,
            format!("{policy_name} attached to {target_name}"),
            Vec::new(),
        ),
        Change::CreateUnit {
            name, parent_name, ..
        } => new(
            A::Structure,
            Missing,
            format!("OU {name} in {parent_name}"),
            Vec::new(),
        ),
        Change::DeleteUnit { id, name } => {
            new(A::Structure, Extra, format!("OU {name} ({id})"), Vec::new())
        }
        Change::CreateAccount { name, .. } => {
            new(A::Structure, Missing, format!("account {name}"), Vec::new())
        }
        Change::AwaitAccount {
            name, request_id, ..
        } => new(
            A::Structure,
            Missing,
            format!("account {name}"),
            vec![format!("creation {request_id} is still under way")],
        ),
        Change::InviteAccount { id, name, .. } => new(
            A::Structure,
            Missing,
            format!("account {name} ({id}) as a member"),
            Vec::new(),
        ),
        Change::AwaitAccess { account_name, .. } => new(
            A::Structure,
            Missing,
            format!("access role in account {account_name}"),
            Vec::new(),
        ),
        Change::AddToSpec { key, file, .. } => new(
            A::Files,
            Missing,
            format!("account \"{key}\" in {file}"),
            Vec::new(),
        ),
        Change::MoveAccount {
            account,
            name,
            from_name,
            to_name,
            ..
        } => new(
            A::Structure,
            Differs,
            format!("placement of account {}", named(account, name)),
            vec![format!("in {from_name}, the spec puts it in {to_name}")],
        ),
        Change::TagAccount {
            account,
            name,
            set,
            remove,
            ..
        } => new(
            A::Structure,
            Differs,
            format!("tags of account {}", named(account, name)),
            set.iter()
                .map(|(k, v)| format!("{k}: the spec says {v:?}"))
                .chain(
                    remove
                        .iter()
                        .map(|k| format!("{k}: set in the backend, not in the spec")),
                )
                .collect(),
        ),
        Change::RegisterDelegatedAdmin {
            account_name,
            service_principal,
            ..
        } => new(
            A::Baseline,
            Missing,
            format!("{account_name} as delegated administrator for {service_principal}"),
            Vec::new(),
        ),
        Change::PutLogBucket {
            bucket,
            account_name,
            drift,
            ..
        } => new(
            A::Baseline,
            kind_of(drift),
            format!("log bucket s3://{} in {account_name}", bucket.name),
            drift.clone(),
        ),
        Change::PutTrail { trail, drift } => new(
            A::Baseline,
            kind_of(drift),
            format!("organization trail {}", trail.name),
            drift.clone(),
        ),
        Change::PutAggregator { aggregator, drift } => new(
            A::Baseline,
            kind_of(drift),
            format!("Config aggregator {}", aggregator.name),
            drift.clone(),
        ),
        Change::Bootstrap {
            account,
            account_name,
            template,
            drift,
            bucket_exists,
            table_change,
        } => {
            let bucket = account.id().map(|id| template.bucket(id).name);
            let resource = match &bucket {
                Some(b) => format!(
                    "state storage of {} (s3://{b})",
                    named(account, account_name)
                ),
                None => format!("state storage of {account_name}"),
            };
            let mut details = drift.clone();
            if !bucket_exists {
                details.push("state bucket: missing".to_owned());
            }
            if *table_change {
                if let Some(table) = &template.lock_table {
                    details.push(format!("lock table {table}: missing or different"));
                }
            }
            let kind = if *bucket_exists { Differs } else { Missing };
            new(A::StateStorage, kind, resource, details)
        }
        Change::WriteFile { path, exists, .. } => new(
            A::Files,
            if *exists { Differs } else { Missing },
            format!("file {path}"),
            Vec::new(),
        ),
    };
    out.repair = repair(change);
    out
}

/// Accounts of the organization that no account of the spec is (by id, or by email for
/// accounts declared without one): plan leaves them alone, the audit reports them.
fn unmanaged(spec: &Spec, state: &State) -> Vec<DriftItem> {
    state
        .accounts
        .iter()
        .filter(|s| {
            !spec.accounts.iter().any(|a| match &a.id {
                Some(id) => *id == s.id,
                None => a.email.eq_ignore_ascii_case(&s.email),
            })
        })
        .map(|s| DriftItem {
            kind: DriftKind::Extra,
            area: DriftArea::Structure,
            resource: format!("account {} ({})", s.name, s.id),
            details: vec![format!("in the organization with email {}", s.email)],
            repair: "add it to the spec (orgctl import shows its block), or remove it from the \
                     organization; orgctl never removes accounts"
                .to_owned(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, reason = "test code")]

    use super::*;
    use orgctl_org::{AccountState, AccountStatus, PolicyKind};

    fn plan(changes: Vec<Change>) -> Plan {
        Plan {
            base: String::new(),
            backend: "sandbox".to_owned(),
            changes,
            notes: Vec::new(),
        }
    }

    #[test]
    fn no_changes_is_in_sync() {
        let drift = Drift::new(&Spec::default(), &State::default(), &plan(Vec::new()));
        assert!(drift.in_sync);
        assert!(drift.items.is_empty());
    }

    #[test]
    fn changes_become_items() {
        let drift = Drift::new(
            &Spec::default(),
            &State::default(),
            &plan(vec![
                Change::EnablePolicyType {
                    kind: PolicyKind::Scp,
                },
                Change::UpdatePolicy {
                    key: "region_deny".into(),
                    id: "p-1".into(),
                    name: "RegionDeny".into(),
                    description: String::new(),
                    content: String::new(),
                    diff: vec!["- a".into(), "+ b".into()],
                },
            ]),
        );
        assert!(!drift.in_sync);
        let first = drift.items.first().unwrap();
        assert_eq!(first.kind, DriftKind::Missing);
        assert_eq!(first.resource, "SCP policy type enabled on the root");
        assert!(first.repair.starts_with("orgctl apply: + enable SCP"));
        let second = drift.items.get(1).unwrap();
        assert_eq!(second.kind, DriftKind::Differs);
        assert_eq!(second.details, vec!["- a", "+ b"]);
    }

    #[test]
    fn accounts_outside_the_spec_are_extra() {
        let state = State {
            accounts: vec![AccountState {
                id: "123456789012".into(),
                name: "Stray".into(),
                email: "stray@example.com".into(),
                parent_id: "r-1".into(),
                status: AccountStatus::Active,
                tags: std::collections::BTreeMap::new(),
            }],
            ..State::default()
        };
        let drift = Drift::new(&Spec::default(), &state, &plan(Vec::new()));
        assert!(!drift.in_sync);
        assert_eq!(drift.items.first().unwrap().kind, DriftKind::Extra);
    }
}

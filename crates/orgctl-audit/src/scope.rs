//! What the audit looks at: the spec's accounts with the ids the backend knows, and the state
//! bucket and lock table each bootstrapped account should have.

use serde::Serialize;

use orgctl_org::plan::BootstrapTemplate;
use orgctl_org::{BucketOwner, BucketState, Spec, State, TableState};

/// An account of the spec, as the audit names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Account {
    /// The spec's key.
    pub key: String,
    /// Its display name.
    pub name: String,
    /// Its 12-digit id: the spec's, else the backend's (matched by email), else a placeholder
    /// (`9000000000NN`) for an account that does not exist yet.
    pub id: String,
    /// Whether `id` is real (false for a placeholder).
    pub id_known: bool,
    /// Whether it is the management account (no SCP or RCP applies to it or its resources).
    pub management: bool,
    /// Whether it keeps Terraform state (a state bucket and, with DynamoDB locking, a table).
    pub bootstrap: bool,
}

impl Account {
    /// `Dev (216482851263)`, or just the name while the account does not exist.
    pub fn label(&self) -> String {
        if self.id_known {
            format!("{} ({})", self.name, self.id)
        } else {
            self.name.clone()
        }
    }
}

/// The spec's accounts, in spec order, with their ids.
pub fn accounts(spec: &Spec, state: &State) -> Vec<Account> {
    spec.accounts
        .iter()
        .map(|a| {
            let known = a.id.clone().or_else(|| {
                state
                    .accounts
                    .iter()
                    .find(|s| s.email.eq_ignore_ascii_case(&a.email))
                    .map(|s| s.id.clone())
            });
            Account {
                key: a.key.clone(),
                name: a.name.clone(),
                id_known: known.is_some(),
                id: known.unwrap_or_else(|| spec.account_id_or_placeholder(a)),
                management: spec.is_management(a),
                bootstrap: a.bootstrap,
            }
        })
        .collect()
}

/// The per-account bootstrap settings of the spec.
pub fn template(spec: &Spec) -> BootstrapTemplate {
    let b = &spec.bootstrap;
    BootstrapTemplate {
        bucket_prefix: b.bucket_prefix.clone(),
        region: b.region.clone(),
        encryption: b.encryption,
        noncurrent_days: b.noncurrent_days,
        lock_table: b.locking.needs_table().then(|| b.lock_table.clone()),
        account_regional_namespace: b.account_regional_namespace,
    }
}

/// The state resources one bootstrapped account should have, as orgctl would create them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expected {
    /// The account.
    pub account: Account,
    /// Its state bucket, with the settings and policy orgctl writes.
    pub bucket: BucketState,
    /// Its lock table, with DynamoDB locking.
    pub table: Option<TableState>,
}

/// The state resources of every account of the spec with `bootstrap`, in spec order.
pub fn expected(spec: &Spec, state: &State) -> Vec<Expected> {
    let template = template(spec);
    accounts(spec, state)
        .into_iter()
        .filter(|a| a.bootstrap)
        .map(|account| Expected {
            bucket: template.bucket(&account.id),
            table: template.table(&account.id),
            account,
        })
        .collect()
}

/// Who owns a bucket name, as the backend answered (or could not).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "owner", rename_all = "snake_case")]
pub enum Ownership {
    /// No bucket has the name.
    Absent,
    /// The account that should own it does.
    Expected,
    /// Another account owns it.
    Other {
        /// The owner, when the backend can tell.
        account_id: Option<String>,
    },
    /// The backend could not say.
    Unknown {
        /// Why.
        reason: String,
    },
}

impl From<&BucketOwner> for Ownership {
    fn from(o: &BucketOwner) -> Self {
        match o {
            BucketOwner::Absent => Self::Absent,
            BucketOwner::Caller => Self::Expected,
            BucketOwner::Other { account_id } => Self::Other {
                account_id: account_id.clone(),
            },
        }
    }
}

/// A bucket whose owner the caller should ask the backend about: an expected state bucket
/// the state does not hold (backends report only the buckets their accounts own), in an
/// account of the organization.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnerProbe {
    /// The account that should own it, to ask from.
    pub account_id: String,
    /// The bucket name.
    pub bucket: String,
}

/// The owner lookups the audit needs: see [`OwnerProbe`].
pub fn owner_probes(spec: &Spec, state: &State) -> Vec<OwnerProbe> {
    expected(spec, state)
        .into_iter()
        .filter(|e| e.account.id_known && state.account(&e.account.id).is_some())
        .filter(|e| !state.buckets.iter().any(|b| b.name == e.bucket.name))
        .map(|e| OwnerProbe {
            account_id: e.account.id,
            bucket: e.bucket.name,
        })
        .collect()
}

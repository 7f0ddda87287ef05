//! What a backend reports the organization to be: the "current" side of every plan.
//!
//! Plain data, serialisable, compared by value. Lists are kept sorted by id so that two reads
//! of the same organization are equal and hash alike.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The kinds of organization policy orgctl manages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum PolicyKind {
    /// Service control policy: caps what principals in member accounts may do.
    #[serde(rename = "SERVICE_CONTROL_POLICY")]
    Scp,
    /// Resource control policy: caps what may be done to resources in member accounts.
    #[serde(rename = "RESOURCE_CONTROL_POLICY")]
    Rcp,
}

impl PolicyKind {
    /// The Organizations API name (`SERVICE_CONTROL_POLICY`).
    pub const fn api_name(self) -> &'static str {
        match self {
            Self::Scp => "SERVICE_CONTROL_POLICY",
            Self::Rcp => "RESOURCE_CONTROL_POLICY",
        }
    }

    /// The short name used in specs and output (`scp`).
    pub const fn short(self) -> &'static str {
        match self {
            Self::Scp => "scp",
            Self::Rcp => "rcp",
        }
    }

    /// The AWS-managed policy attached everywhere when the type is enabled.
    pub const fn default_policy(self) -> &'static str {
        match self {
            Self::Scp => "FullAWSAccess",
            Self::Rcp => "RCPFullAWSAccess",
        }
    }
}

/// The organization itself.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct OrgState {
    /// `o-...`.
    pub id: String,
    /// The management account's 12-digit id.
    pub management_account_id: String,
    /// `r-...`.
    pub root_id: String,
    /// Policy types enabled on the root.
    pub enabled_policy_types: Vec<PolicyKind>,
}

/// An organizational unit.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct UnitState {
    /// `ou-...`.
    pub id: String,
    /// Its name, unique among its siblings.
    pub name: String,
    /// The root or OU that contains it.
    pub parent_id: String,
}

/// An account's membership status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum AccountStatus {
    /// In use.
    Active,
    /// Suspended by AWS or closed and waiting out the 90 days.
    Suspended,
    /// Closing.
    PendingClosure,
}

/// A member (or the management) account.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct AccountState {
    /// 12 digits.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Root user email, unique across AWS.
    pub email: String,
    /// The root or OU that contains it.
    pub parent_id: String,
    /// Membership status.
    pub status: AccountStatus,
    /// Tags on the account.
    pub tags: BTreeMap<String, String>,
}

/// Where an asynchronous `CreateAccount` request stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum CreateAccountState {
    /// Still running: poll again.
    InProgress,
    /// Done: the account exists.
    Succeeded,
    /// Failed, with a reason.
    Failed,
}

/// One `CreateAccount` request and its outcome.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct CreateAccountStatus {
    /// `car-...`.
    pub request_id: String,
    /// The name asked for.
    pub account_name: String,
    /// The email asked for.
    pub email: String,
    /// Where it stands.
    pub state: CreateAccountState,
    /// The new account's id, once it succeeded.
    pub account_id: Option<String>,
    /// Organizations' failure reason code (`EMAIL_ALREADY_EXISTS`, ...).
    pub failure_reason: Option<String>,
}

/// An organization policy.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PolicyState {
    /// `p-...`.
    pub id: String,
    /// Name, unique per type.
    pub name: String,
    /// Description.
    pub description: String,
    /// SCP or RCP.
    pub kind: PolicyKind,
    /// The policy document as stored (formatting as the backend keeps it).
    pub content: String,
    /// Whether AWS owns it (`FullAWSAccess`): it cannot be changed or deleted.
    pub aws_managed: bool,
}

/// A policy attached to a root, OU or account.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Attachment {
    /// The policy's id.
    pub policy_id: String,
    /// The root, OU or account id.
    pub target_id: String,
}

/// An account registered as delegated administrator for a service.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct DelegatedAdmin {
    /// The member account.
    pub account_id: String,
    /// The service principal (`guardduty.amazonaws.com`).
    pub service_principal: String,
}

/// A CloudTrail trail.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct TrailState {
    /// The account the trail lives in.
    pub account_id: String,
    /// Trail name.
    pub name: String,
    /// Home region.
    pub region: String,
    /// Bucket the logs are delivered to.
    pub bucket: String,
    /// Whether it logs every account of the organization.
    pub organization_trail: bool,
    /// Whether it logs every region.
    pub multi_region: bool,
    /// Whether logging is on.
    pub logging: bool,
}

/// An AWS Config configuration aggregator.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct AggregatorState {
    /// The account it lives in.
    pub account_id: String,
    /// Aggregator name.
    pub name: String,
    /// Its region.
    pub region: String,
    /// Whether it aggregates the whole organization, all regions.
    pub organization_wide: bool,
}

/// Default encryption of a bucket or table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Encryption {
    /// SSE-KMS.
    #[serde(rename = "aws:kms")]
    Kms,
    /// SSE-S3.
    #[serde(rename = "AES256")]
    Aes256,
}

impl Encryption {
    /// As S3 names it.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Kms => "aws:kms",
            Self::Aes256 => "AES256",
        }
    }
}

/// An S3 bucket in an account, with the settings orgctl manages.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct BucketState {
    /// The account that owns it.
    pub account_id: String,
    /// Bucket name.
    pub name: String,
    /// Its region.
    pub region: String,
    /// Versioning enabled.
    pub versioning: bool,
    /// Default encryption.
    pub encryption: Option<Encryption>,
    /// All four public access block settings on.
    pub public_access_block: bool,
    /// Bucket policy document.
    pub policy: Option<String>,
    /// Days after which noncurrent versions expire.
    pub noncurrent_expiration_days: Option<u32>,
    /// Object Lock enabled (log archive).
    pub object_lock: bool,
}

/// A DynamoDB table for Terraform state locks.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct TableState {
    /// The account that owns it.
    pub account_id: String,
    /// Table name.
    pub name: String,
    /// Its region.
    pub region: String,
    /// The hash key attribute (`LockID`).
    pub hash_key: String,
    /// On-demand billing.
    pub on_demand: bool,
    /// Point-in-time recovery.
    pub point_in_time_recovery: bool,
    /// Server-side encryption with a KMS key.
    pub encrypted: bool,
}

/// Everything a backend knows about the organization, as one value.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct State {
    /// The organization, when one exists.
    pub organization: Option<OrgState>,
    /// Organizational units.
    pub units: Vec<UnitState>,
    /// Accounts, the management account included.
    pub accounts: Vec<AccountState>,
    /// `CreateAccount` requests the backend still remembers.
    pub account_requests: Vec<CreateAccountStatus>,
    /// Policies of every enabled type, AWS-managed ones included.
    pub policies: Vec<PolicyState>,
    /// Policy attachments.
    pub attachments: Vec<Attachment>,
    /// Service principals with trusted access to the organization.
    pub trusted_services: Vec<String>,
    /// Delegated administrators.
    pub delegated_admins: Vec<DelegatedAdmin>,
    /// CloudTrail trails of the management account.
    pub trails: Vec<TrailState>,
    /// Config aggregators of the management account.
    pub aggregators: Vec<AggregatorState>,
    /// S3 buckets orgctl looked at or manages.
    pub buckets: Vec<BucketState>,
    /// DynamoDB lock tables orgctl looked at or manages.
    pub tables: Vec<TableState>,
}

impl State {
    /// Sorts every list into its canonical order, so equal organizations compare equal.
    pub fn normalize(&mut self) {
        if let Some(org) = &mut self.organization {
            org.enabled_policy_types.sort();
            org.enabled_policy_types.dedup();
        }
        self.units.sort_by(|a, b| a.id.cmp(&b.id));
        self.accounts.sort_by(|a, b| a.id.cmp(&b.id));
        self.account_requests
            .sort_by(|a, b| a.request_id.cmp(&b.request_id));
        self.policies.sort_by(|a, b| a.id.cmp(&b.id));
        self.attachments.sort();
        self.attachments.dedup();
        self.trusted_services.sort();
        self.trusted_services.dedup();
        self.delegated_admins.sort();
        self.delegated_admins.dedup();
        self.trails
            .sort_by(|a, b| (&a.account_id, &a.name).cmp(&(&b.account_id, &b.name)));
        self.aggregators
            .sort_by(|a, b| (&a.account_id, &a.name).cmp(&(&b.account_id, &b.name)));
        self.buckets.sort_by(|a, b| a.name.cmp(&b.name));
        self.tables
            .sort_by(|a, b| (&a.account_id, &a.name).cmp(&(&b.account_id, &b.name)));
    }

    /// A fingerprint of the state: equal states, and only those in practice, share it.
    ///
    /// Used to refuse a saved plan whose base has changed. FNV-1a over the canonical JSON,
    /// so the value is stable across runs, machines and builds.
    pub fn fingerprint(&self) -> String {
        let mut copy = self.clone();
        copy.normalize();
        let text = serde_json::to_string(&copy).unwrap_or_default();
        let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
        for byte in text.bytes() {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
        format!("{hash:016x}")
    }

    /// The account with this id.
    pub fn account(&self, id: &str) -> Option<&AccountState> {
        self.accounts.iter().find(|a| a.id == id)
    }

    /// The OU with this id.
    pub fn unit(&self, id: &str) -> Option<&UnitState> {
        self.units.iter().find(|u| u.id == id)
    }

    /// The policy with this id.
    pub fn policy(&self, id: &str) -> Option<&PolicyState> {
        self.policies.iter().find(|p| p.id == id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprint_ignores_list_order_and_sees_content() {
        let unit = |id: &str| UnitState {
            id: id.into(),
            name: id.into(),
            parent_id: "r-1".into(),
        };
        let a = State {
            units: vec![unit("ou-a"), unit("ou-b")],
            ..State::default()
        };
        let b = State {
            units: vec![unit("ou-b"), unit("ou-a")],
            ..State::default()
        };
        assert_eq!(a.fingerprint(), b.fingerprint());
        let c = State {
            units: vec![unit("ou-a")],
            ..State::default()
        };
        assert_ne!(a.fingerprint(), c.fingerprint());
    }
}

//! Plans: the ordered changes that bring a backend's state to the spec.
//!
//! A plan is data: built by [`build`] from a spec and a state, printed by [`render`], saved
//! as JSON, and carried out by [`crate::apply`]. It names what it creates by spec key
//! ([`Ref::New`]) because ids exist only once apply has created the thing.

mod build;
pub(crate) mod files;
pub mod render;
mod vend;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub use build::{PlanError, PlanInput, build, probes};
pub use files::{account_hcl, quarantine_policy, region_hcl, root_hcl, slug, vpc_terragrunt_hcl};
pub use render::{render, summary};
pub use vend::{QUARANTINE_POLICY, VendError, VendRequest, vend};

use crate::state::{AggregatorState, BucketState, PolicyKind, TableState, TrailState};

/// Something a change acts on: known by id, or created earlier in the same plan.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Ref {
    /// Exists: its backend id.
    Id(String),
    /// Created by an earlier change of this plan: its key (`unit.security`, `account.dev`,
    /// `policy.region_deny`, `root`).
    New(String),
}

impl Ref {
    /// The id, when known before apply.
    pub fn id(&self) -> Option<&str> {
        match self {
            Self::Id(id) => Some(id),
            Self::New(_) => None,
        }
    }
}

/// The contents of a file to write, when they depend on ids not yet known.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum FileContent {
    /// Known now.
    Text(String),
    /// An `account.hcl` for an account whose id apply will learn.
    AccountHcl {
        /// The account.
        account: Ref,
        /// Its directory name.
        name: String,
    },
    /// A text with `{account_id}` standing for an account's id, filled in at apply.
    WithAccountId {
        /// The account.
        account: Ref,
        /// The text.
        template: String,
    },
}

/// Per-account state bootstrap settings, with the account id filled in at apply.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BootstrapTemplate {
    /// `<prefix>-terraform-state-<account_id>`: the prefix.
    pub bucket_prefix: String,
    /// Region of bucket and table.
    pub region: String,
    /// Default encryption.
    pub encryption: crate::state::Encryption,
    /// Noncurrent version expiry.
    pub noncurrent_days: u32,
    /// The lock table, when locking uses DynamoDB.
    pub lock_table: Option<String>,
    /// Whether the bucket goes in the account's regional namespace.
    #[serde(default)]
    pub account_regional_namespace: bool,
}

impl BootstrapTemplate {
    /// The bucket as it should be in `account_id`.
    pub fn bucket(&self, account_id: &str) -> BucketState {
        let name = crate::spec::state_bucket_name(
            &self.bucket_prefix,
            account_id,
            &self.region,
            self.account_regional_namespace,
        );
        BucketState {
            account_id: account_id.to_owned(),
            policy: Some(files::state_bucket_policy(&name, account_id)),
            name,
            region: self.region.clone(),
            versioning: true,
            encryption: Some(self.encryption),
            public_access_block: true,
            noncurrent_expiration_days: Some(self.noncurrent_days),
            object_lock: false,
        }
    }

    /// The lock table as it should be in `account_id`.
    pub fn table(&self, account_id: &str) -> Option<TableState> {
        self.lock_table.as_ref().map(|name| TableState {
            account_id: account_id.to_owned(),
            name: name.clone(),
            region: self.region.clone(),
            hash_key: "LockID".to_owned(),
            on_demand: true,
            point_in_time_recovery: true,
            encrypted: true,
        })
    }
}

/// One change. Serialised with an `action` tag for saved plans and `--format json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Change {
    /// Create the organization (all features) from the management account.
    CreateOrganization {
        /// Its management account.
        management_account_id: String,
    },
    /// Enable SCPs or RCPs on the root.
    EnablePolicyType {
        /// The type.
        kind: PolicyKind,
    },
    /// Create a policy.
    CreatePolicy {
        /// Spec key.
        key: String,
        /// Type.
        kind: PolicyKind,
        /// Name.
        name: String,
        /// Description.
        description: String,
        /// Document.
        content: String,
    },
    /// Replace a policy's document or description.
    UpdatePolicy {
        /// Spec key.
        key: String,
        /// Its id.
        id: String,
        /// Name.
        name: String,
        /// New description.
        description: String,
        /// New document.
        content: String,
        /// What changes, one line each, for the plan.
        diff: Vec<String>,
    },
    /// Create an OU.
    CreateUnit {
        /// Spec key.
        key: String,
        /// Name.
        name: String,
        /// Parent.
        parent: Ref,
        /// Parent's name, for the plan.
        parent_name: String,
    },
    /// Create an account and wait until it exists (it appears at the root).
    CreateAccount {
        /// Spec key.
        key: String,
        /// Name.
        name: String,
        /// Root email.
        email: String,
        /// Tags.
        tags: BTreeMap<String, String>,
    },
    /// Wait for a `CreateAccount` request already under way (a resumed vending).
    AwaitAccount {
        /// Spec key.
        key: String,
        /// Name.
        name: String,
        /// The request.
        request_id: String,
    },
    /// Invite an existing account into the organization.
    InviteAccount {
        /// Spec key.
        key: String,
        /// Its id.
        id: String,
        /// Name.
        name: String,
        /// Email.
        email: String,
    },
    /// Move an account to its OU.
    MoveAccount {
        /// Spec key.
        key: String,
        /// The account.
        account: Ref,
        /// Name, for the plan.
        name: String,
        /// Current parent.
        from: Ref,
        /// Its name.
        from_name: String,
        /// New parent.
        to: Ref,
        /// Its name.
        to_name: String,
    },
    /// Set and remove account tags.
    TagAccount {
        /// Spec key.
        key: String,
        /// The account.
        account: Ref,
        /// Name, for the plan.
        name: String,
        /// Tags to set.
        set: BTreeMap<String, String>,
        /// Tags to remove.
        remove: Vec<String>,
    },
    /// Attach a policy.
    AttachPolicy {
        /// The policy.
        policy: Ref,
        /// Its name.
        policy_name: String,
        /// The root, OU or account.
        target: Ref,
        /// Its name.
        target_name: String,
    },
    /// Detach a policy.
    DetachPolicy {
        /// The policy.
        policy: Ref,
        /// Its name.
        policy_name: String,
        /// The root, OU or account.
        target: Ref,
        /// Its name.
        target_name: String,
    },
    /// Delete a policy the spec no longer declares (needs `--allow-destroy`).
    DeletePolicy {
        /// The policy.
        policy: Ref,
        /// Name.
        name: String,
    },
    /// Delete an OU the spec no longer declares (needs `--allow-destroy`).
    DeleteUnit {
        /// Its id.
        id: String,
        /// Name.
        name: String,
    },
    /// Enable trusted access for a service.
    EnableServiceAccess {
        /// Service principal.
        service_principal: String,
    },
    /// Register a delegated administrator.
    RegisterDelegatedAdmin {
        /// The account.
        account: Ref,
        /// Its name.
        account_name: String,
        /// Service principal.
        service_principal: String,
    },
    /// Create or repair the log archive bucket.
    PutLogBucket {
        /// The log archive account.
        account: Ref,
        /// Its name.
        account_name: String,
        /// The bucket as it should be (its `account_id` filled at apply when new).
        bucket: BucketState,
        /// Settings that differ, when it exists.
        drift: Vec<String>,
    },
    /// Create or repair the organization trail.
    PutTrail {
        /// The trail as it should be.
        trail: TrailState,
        /// Settings that differ, when it exists.
        drift: Vec<String>,
    },
    /// Create or repair the Config aggregator.
    PutAggregator {
        /// The aggregator as it should be.
        aggregator: AggregatorState,
        /// Settings that differ, when it exists.
        drift: Vec<String>,
    },
    /// Bootstrap an account's Terraform state: verify the identity, then bucket and table.
    Bootstrap {
        /// The account.
        account: Ref,
        /// Its name.
        account_name: String,
        /// What to create.
        template: BootstrapTemplate,
        /// Whether the bucket exists and only drifted (`~`), or is new (`+`).
        drift: Vec<String>,
        /// Whether the bucket exists.
        bucket_exists: bool,
        /// Whether the table needs a change.
        table_change: bool,
    },
    /// Wait until the access role can be assumed in a new account and reaches it.
    AwaitAccess {
        /// The account.
        account: Ref,
        /// Its name.
        account_name: String,
    },
    /// Add a vended account to the spec file, keeping its comments and layout.
    AddToSpec {
        /// The spec file, relative to the spec directory.
        file: String,
        /// The new block's key.
        key: String,
        /// Account name.
        name: String,
        /// Email.
        email: String,
        /// The unit's spec key.
        unit: String,
        /// The account, for its id.
        account: Ref,
    },
    /// Write a file under the spec directory.
    WriteFile {
        /// Path relative to the spec directory.
        path: String,
        /// What to write.
        content: FileContent,
        /// Whether the file exists (and differs).
        exists: bool,
    },
}

impl Change {
    /// Whether the change destroys something (and so needs `--allow-destroy`).
    pub fn is_destroy(&self) -> bool {
        match self {
            // The quarantine policy of a vending is orgctl's own, for the vending's duration.
            Self::DeletePolicy { name, .. } => name != vend::QUARANTINE_POLICY,
            Self::DeleteUnit { .. } => true,
            _ => false,
        }
    }

    /// Whether the change calls the backend (file writes do not).
    pub fn touches_backend(&self) -> bool {
        !matches!(self, Self::WriteFile { .. })
    }
}

/// An ordered plan against one base state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    /// The fingerprint of the state the plan was made against.
    pub base: String,
    /// The backend it was made for (`sandbox`, `aws`).
    pub backend: String,
    /// The changes, in the order apply runs them.
    pub changes: Vec<Change>,
    /// Things the plan will not change but the user should know (unmanaged accounts).
    pub notes: Vec<String>,
}

impl Plan {
    /// Whether there is nothing to do.
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }

    /// The changes that destroy.
    pub fn destroys(&self) -> impl Iterator<Item = &Change> {
        self.changes.iter().filter(|c| c.is_destroy())
    }
}

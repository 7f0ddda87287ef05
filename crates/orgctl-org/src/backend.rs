//! The backend trait: every call plan and apply make against an organization.
//!
//! Two implementations fit it: the embedded sandbox (`orgctl-sandbox`, a SQLite file) and AWS
//! (the official SDK). The trait is synchronous; an asynchronous implementation drives its own
//! runtime inside. Calls are fine-grained, one per API action a plan step needs, so that a
//! journal can record exactly which side effects happened.

use std::collections::BTreeMap;

use crate::error::BackendError;
use crate::state::{
    AggregatorState, BucketState, CreateAccountStatus, PolicyKind, State, TableState, TrailState,
};

/// Who a call runs as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallerIdentity {
    /// The account the credentials belong to.
    pub account_id: String,
    /// The principal's ARN.
    pub arn: String,
}

/// Who owns a bucket name in S3's global namespace, seen from one account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BucketOwner {
    /// No bucket has the name.
    Absent,
    /// The account asking owns it.
    Caller,
    /// Another account owns it: never write to it.
    Other {
        /// The owner, when the backend can tell.
        account_id: Option<String>,
    },
}

/// What plan and apply need from an organization.
///
/// Ids are the backend's (`o-`, `r-`, `ou-`, `p-`, 12-digit accounts). Methods that act inside
/// a member account take its id and run as the organization's access role there; the
/// backend enforces the organization's SCPs on those calls as AWS does.
pub trait Backend {
    /// A short name for messages (`sandbox`, `aws`).
    fn kind(&self) -> &'static str;

    /// The API calls made so far, when the backend counts them: (all, mutating).
    fn calls(&self) -> Option<(u64, u64)> {
        None
    }

    /// Reads everything plan needs. `bootstrap` names the buckets and tables to look for in
    /// each account (account id, bucket, table), since a backend cannot list every account's
    /// resources cheaply.
    ///
    /// # Errors
    /// When the backend cannot be read.
    fn read_state(&self, bootstrap: &[BootstrapProbe]) -> Result<State, BackendError>;

    /// Adds the bootstrap resources `probes` name to a state read without them: plan first
    /// reads the organization, then knows which accounts to look in.
    ///
    /// # Errors
    /// When the backend cannot be read.
    fn read_bootstrap(
        &self,
        state: &mut State,
        probes: &[BootstrapProbe],
    ) -> Result<(), BackendError> {
        let full = self.read_state(probes)?;
        state.buckets = full.buckets;
        state.tables = full.tables;
        Ok(())
    }

    /// The identity calls run as: the caller's own, or with `account` the access role's in
    /// that member account.
    ///
    /// # Errors
    /// When the credentials are invalid or the role cannot be assumed.
    fn caller_identity(&self, account: Option<&str>) -> Result<CallerIdentity, BackendError>;

    /// Creates the organization with all features, managed from `management_account_id`.
    ///
    /// # Errors
    /// When one already exists or the caller is not that account.
    fn create_organization(&mut self, management_account_id: &str) -> Result<(), BackendError>;

    /// Enables a policy type on the root; the type's full-access policy is attached everywhere.
    ///
    /// # Errors
    /// Backend failures.
    fn enable_policy_type(&mut self, root_id: &str, kind: PolicyKind) -> Result<(), BackendError>;

    /// Creates an OU under `parent_id` and returns its id.
    ///
    /// # Errors
    /// Duplicate names, depth over the quota.
    fn create_unit(&mut self, parent_id: &str, name: &str) -> Result<String, BackendError>;

    /// Renames an OU.
    ///
    /// # Errors
    /// Duplicate names among siblings.
    fn rename_unit(&mut self, id: &str, name: &str) -> Result<(), BackendError>;

    /// Deletes an empty OU.
    ///
    /// # Errors
    /// When it still contains accounts or OUs.
    fn delete_unit(&mut self, id: &str) -> Result<(), BackendError>;

    /// Starts creating an account; the account exists once the request succeeds.
    ///
    /// # Errors
    /// Quotas, invalid emails.
    fn create_account(
        &mut self,
        name: &str,
        email: &str,
        tags: &BTreeMap<String, String>,
    ) -> Result<CreateAccountStatus, BackendError>;

    /// Polls a `CreateAccount` request.
    ///
    /// # Errors
    /// Unknown request ids.
    fn describe_create_account(
        &self,
        request_id: &str,
    ) -> Result<CreateAccountStatus, BackendError>;

    /// Brings an existing account into the organization (invitation and handshake).
    ///
    /// # Errors
    /// When the account belongs to another organization.
    fn invite_account(
        &mut self,
        account_id: &str,
        name: &str,
        email: &str,
    ) -> Result<(), BackendError>;

    /// Moves an account between parents.
    ///
    /// # Errors
    /// When `from` is not its current parent.
    fn move_account(&mut self, account_id: &str, from: &str, to: &str) -> Result<(), BackendError>;

    /// Sets and removes tags on an account.
    ///
    /// # Errors
    /// Backend failures.
    fn tag_account(
        &mut self,
        account_id: &str,
        set: &BTreeMap<String, String>,
        remove: &[String],
    ) -> Result<(), BackendError>;

    /// Creates a policy and returns its id.
    ///
    /// # Errors
    /// Duplicate names, size quota, malformed documents.
    fn create_policy(
        &mut self,
        kind: PolicyKind,
        name: &str,
        description: &str,
        content: &str,
    ) -> Result<String, BackendError>;

    /// Replaces a policy's name, description and document.
    ///
    /// # Errors
    /// AWS-managed policies, size quota.
    fn update_policy(
        &mut self,
        id: &str,
        name: &str,
        description: &str,
        content: &str,
    ) -> Result<(), BackendError>;

    /// Deletes a policy attached nowhere.
    ///
    /// # Errors
    /// When it is still attached or AWS-managed.
    fn delete_policy(&mut self, id: &str) -> Result<(), BackendError>;

    /// Attaches a policy to a root, OU or account.
    ///
    /// # Errors
    /// Attachment quota.
    fn attach_policy(&mut self, policy_id: &str, target_id: &str) -> Result<(), BackendError>;

    /// Detaches a policy.
    ///
    /// # Errors
    /// When it is the target's last SCP.
    fn detach_policy(&mut self, policy_id: &str, target_id: &str) -> Result<(), BackendError>;

    /// Enables trusted access for a service principal.
    ///
    /// # Errors
    /// Backend failures.
    fn enable_service_access(&mut self, service_principal: &str) -> Result<(), BackendError>;

    /// Registers a member account as delegated administrator for a service.
    ///
    /// # Errors
    /// When the account is the management account or not a member.
    fn register_delegated_admin(
        &mut self,
        account_id: &str,
        service_principal: &str,
    ) -> Result<(), BackendError>;

    /// Creates or updates a trail in the management account.
    ///
    /// # Errors
    /// Missing bucket.
    fn put_trail(&mut self, trail: &TrailState) -> Result<(), BackendError>;

    /// Creates or updates a Config aggregator in the management account.
    ///
    /// # Errors
    /// Backend failures.
    fn put_aggregator(&mut self, aggregator: &AggregatorState) -> Result<(), BackendError>;

    /// Who owns a bucket name, asked from `account_id`.
    ///
    /// # Errors
    /// Backend failures.
    fn bucket_owner(&self, account_id: &str, name: &str) -> Result<BucketOwner, BackendError>;

    /// Creates a bucket in `bucket.account_id` or brings its settings to `bucket`, as the
    /// access role in that account. Refuses a bucket another account owns.
    ///
    /// # Errors
    /// AccessDenied from an SCP, name squatting, backend failures.
    fn put_bucket(&mut self, bucket: &BucketState) -> Result<(), BackendError>;

    /// Creates a lock table in `table.account_id` or brings its settings to `table`.
    ///
    /// # Errors
    /// AccessDenied from an SCP, backend failures.
    fn put_table(&mut self, table: &TableState) -> Result<(), BackendError>;
}

/// The bootstrap resources to look for in one account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BootstrapProbe {
    /// The account.
    pub account_id: String,
    /// Its state bucket's name.
    pub bucket: String,
    /// Its lock table's name, when it has one.
    pub table: Option<String>,
    /// The region of both.
    pub region: String,
}

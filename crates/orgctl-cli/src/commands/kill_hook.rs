//! A test hook, not a feature: with `ORGCTL_TEST_KILL_AFTER_CALLS=N` in the environment, the
//! process kills itself with SIGKILL right after its Nth mutating backend call returns
//! (whether the call succeeded or failed). The crash-consistency tests run the real binary
//! with N = 1, 2, ... to stop an apply at every step the way a power cut or `kill -9` would:
//! no destructor runs, no lock is released by orgctl, no journal line is written after the
//! call. The variable is read by the organization commands only and is in no `--help`.
//!
//! A mutating call is any `&mut self` method of [`Backend`]: the calls that may change the
//! organization. Reads are not counted.

use std::collections::BTreeMap;

use orgctl_org::{
    AggregatorState, Backend, BackendError, BootstrapProbe, BucketOwner, BucketState,
    CallerIdentity, CreateAccountStatus, PolicyKind, State, TableState, TrailState,
};

/// The environment variable of the hook.
pub const VARIABLE: &str = "ORGCTL_TEST_KILL_AFTER_CALLS";

/// `backend`, wrapped to kill the process after the number of mutating calls the
/// environment names; `backend` itself when the variable is not set or not a positive number.
pub fn wrap(backend: Box<dyn Backend>) -> Box<dyn Backend> {
    let after = std::env::var(VARIABLE)
        .ok()
        .and_then(|v| v.trim().parse::<u64>().ok())
        .filter(|n| *n > 0);
    match after {
        Some(after) => Box::new(KillAfter {
            inner: backend,
            left: after,
        }),
        None => backend,
    }
}

/// A backend that dies after a number of mutating calls.
struct KillAfter {
    inner: Box<dyn Backend>,
    /// Mutating calls still to make before dying.
    left: u64,
}

impl KillAfter {
    /// Counts a mutating call that returned, and dies if it was the last one allowed.
    fn returned<T>(&mut self, result: T) -> T {
        self.left = self.left.saturating_sub(1);
        if self.left == 0 {
            die();
        }
        result
    }
}

/// SIGKILL to this very process: it stops here.
#[cfg(unix)]
fn die() -> ! {
    use rustix::process::{Signal, getpid, kill_process};
    let _ = kill_process(getpid(), Signal::KILL);
    // The signal is delivered before the call returns; should it not be, stop anyway
    // without running anything more.
    std::process::abort();
}

#[cfg(not(unix))]
fn die() -> ! {
    std::process::abort();
}

impl Backend for KillAfter {
    fn kind(&self) -> &'static str {
        self.inner.kind()
    }

    fn calls(&self) -> Option<(u64, u64)> {
        self.inner.calls()
    }

    fn read_state(&self, bootstrap: &[BootstrapProbe]) -> Result<State, BackendError> {
        self.inner.read_state(bootstrap)
    }

    fn read_bootstrap(
        &self,
        state: &mut State,
        probes: &[BootstrapProbe],
    ) -> Result<(), BackendError> {
        self.inner.read_bootstrap(state, probes)
    }

    fn caller_identity(&self, account: Option<&str>) -> Result<CallerIdentity, BackendError> {
        self.inner.caller_identity(account)
    }

    fn create_organization(&mut self, management_account_id: &str) -> Result<(), BackendError> {
        let r = self.inner.create_organization(management_account_id);
        self.returned(r)
    }

    fn enable_policy_type(&mut self, root_id: &str, kind: PolicyKind) -> Result<(), BackendError> {
        let r = self.inner.enable_policy_type(root_id, kind);
        self.returned(r)
    }

    fn create_unit(&mut self, parent_id: &str, name: &str) -> Result<String, BackendError> {
        let r = self.inner.create_unit(parent_id, name);
        self.returned(r)
    }

    fn rename_unit(&mut self, id: &str, name: &str) -> Result<(), BackendError> {
        let r = self.inner.rename_unit(id, name);
        self.returned(r)
    }

    fn delete_unit(&mut self, id: &str) -> Result<(), BackendError> {
        let r = self.inner.delete_unit(id);
        self.returned(r)
    }

    fn create_account(
        &mut self,
        name: &str,
        email: &str,
        tags: &BTreeMap<String, String>,
    ) -> Result<CreateAccountStatus, BackendError> {
        let r = self.inner.create_account(name, email, tags);
        self.returned(r)
    }

    fn describe_create_account(
        &self,
        request_id: &str,
    ) -> Result<CreateAccountStatus, BackendError> {
        self.inner.describe_create_account(request_id)
    }

    fn invite_account(
        &mut self,
        account_id: &str,
        name: &str,
        email: &str,
    ) -> Result<(), BackendError> {
        let r = self.inner.invite_account(account_id, name, email);
        self.returned(r)
    }

    fn move_account(&mut self, account_id: &str, from: &str, to: &str) -> Result<(), BackendError> {
        let r = self.inner.move_account(account_id, from, to);
        self.returned(r)
    }

    fn tag_account(
        &mut self,
        account_id: &str,
        set: &BTreeMap<String, String>,
        remove: &[String],
    ) -> Result<(), BackendError> {
        let r = self.inner.tag_account(account_id, set, remove);
        self.returned(r)
    }

    fn create_policy(
        &mut self,
        kind: PolicyKind,
        name: &str,
        description: &str,
        content: &str,
    ) -> Result<String, BackendError> {
        let r = self.inner.create_policy(kind, name, description, content);
        self.returned(r)
    }

    fn update_policy(
        &mut self,
        id: &str,
        name: &str,
        description: &str,
        content: &str,
    ) -> Result<(), BackendError> {
        let r = self.inner.update_policy(id, name, description, content);
        self.returned(r)
    }

    fn delete_policy(&mut self, id: &str) -> Result<(), BackendError> {
        let r = self.inner.delete_policy(id);
        self.returned(r)
    }

    fn attach_policy(&mut self, policy_id: &str, target_id: &str) -> Result<(), BackendError> {
        let r = self.inner.attach_policy(policy_id, target_id);
        self.returned(r)
    }

    fn detach_policy(&mut self, policy_id: &str, target_id: &str) -> Result<(), BackendError> {
        let r = self.inner.detach_policy(policy_id, target_id);
        self.returned(r)
    }

    fn enable_service_access(&mut self, service_principal: &str) -> Result<(), BackendError> {
        let r = self.inner.enable_service_access(service_principal);
        self.returned(r)
    }

    fn register_delegated_admin(
        &mut self,
        account_id: &str,
        service_principal: &str,
    ) -> Result<(), BackendError> {
        let r = self
            .inner
            .register_delegated_admin(account_id, service_principal);
        self.returned(r)
    }

    fn put_trail(&mut self, trail: &TrailState) -> Result<(), BackendError> {
        let r = self.inner.put_trail(trail);
        self.returned(r)
    }

    fn put_aggregator(&mut self, aggregator: &AggregatorState) -> Result<(), BackendError> {
        let r = self.inner.put_aggregator(aggregator);
        self.returned(r)
    }

    fn bucket_owner(&self, account_id: &str, name: &str) -> Result<BucketOwner, BackendError> {
        self.inner.bucket_owner(account_id, name)
    }

    fn put_bucket(&mut self, bucket: &BucketState) -> Result<(), BackendError> {
        let r = self.inner.put_bucket(bucket);
        self.returned(r)
    }

    fn put_table(&mut self, table: &TableState) -> Result<(), BackendError> {
        let r = self.inner.put_table(table);
        self.returned(r)
    }
}

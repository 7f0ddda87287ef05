//! [`Backend`] for [`AwsBackend`]: each method one or a few API calls, in the modules named.

use std::collections::BTreeMap;

use orgctl_org::{
    AggregatorState, Backend, BackendError, BootstrapProbe, BucketOwner, BucketState,
    CallerIdentity, CreateAccountStatus, PolicyKind, State, TableState, TrailState,
};

use crate::AwsBackend;

impl Backend for AwsBackend {
    fn kind(&self) -> &'static str {
        "aws"
    }

    fn calls(&self) -> Option<(u64, u64)> {
        let counts = self.call_counts();
        Some((counts.total(), counts.mutating_total()))
    }

    fn read_state(&self, bootstrap: &[BootstrapProbe]) -> Result<State, BackendError> {
        self.read_all(bootstrap)
    }

    fn read_bootstrap(
        &self,
        state: &mut State,
        probes: &[BootstrapProbe],
    ) -> Result<(), BackendError> {
        // Only the probes: the organization was just read.
        state.buckets.clear();
        state.tables.clear();
        self.read_probes(probes, state)?;
        state.normalize();
        Ok(())
    }

    fn caller_identity(&self, account: Option<&str>) -> Result<CallerIdentity, BackendError> {
        match account {
            None => self.own_identity(),
            Some(account) => Ok(self.session(account)?.identity.clone()),
        }
    }

    fn create_organization(&mut self, management_account_id: &str) -> Result<(), BackendError> {
        self.create_organization_as(management_account_id)
    }

    fn enable_policy_type(&mut self, root_id: &str, kind: PolicyKind) -> Result<(), BackendError> {
        self.enable_type(root_id, kind)
    }

    fn create_unit(&mut self, parent_id: &str, name: &str) -> Result<String, BackendError> {
        self.create_ou(parent_id, name)
    }

    fn rename_unit(&mut self, id: &str, name: &str) -> Result<(), BackendError> {
        self.rename_ou(id, name)
    }

    fn delete_unit(&mut self, id: &str) -> Result<(), BackendError> {
        self.delete_ou(id)
    }

    fn create_account(
        &mut self,
        name: &str,
        email: &str,
        tags: &BTreeMap<String, String>,
    ) -> Result<CreateAccountStatus, BackendError> {
        self.request_account(name, email, tags)
    }

    fn describe_create_account(
        &self,
        request_id: &str,
    ) -> Result<CreateAccountStatus, BackendError> {
        self.poll_account(request_id)
    }

    fn invite_account(
        &mut self,
        account_id: &str,
        name: &str,
        _email: &str,
    ) -> Result<(), BackendError> {
        self.invite(account_id, name)
    }

    fn move_account(&mut self, account_id: &str, from: &str, to: &str) -> Result<(), BackendError> {
        self.move_to(account_id, from, to)
    }

    fn tag_account(
        &mut self,
        account_id: &str,
        set: &BTreeMap<String, String>,
        remove: &[String],
    ) -> Result<(), BackendError> {
        self.retag(account_id, set, remove)
    }

    fn create_policy(
        &mut self,
        kind: PolicyKind,
        name: &str,
        description: &str,
        content: &str,
    ) -> Result<String, BackendError> {
        self.new_policy(kind, name, description, content)
    }

    fn update_policy(
        &mut self,
        id: &str,
        name: &str,
        description: &str,
        content: &str,
    ) -> Result<(), BackendError> {
        self.change_policy(id, name, description, content)
    }

    fn delete_policy(&mut self, id: &str) -> Result<(), BackendError> {
        self.remove_policy(id)
    }

    fn attach_policy(&mut self, policy_id: &str, target_id: &str) -> Result<(), BackendError> {
        self.attach(policy_id, target_id)
    }

    fn detach_policy(&mut self, policy_id: &str, target_id: &str) -> Result<(), BackendError> {
        self.detach(policy_id, target_id)
    }

    fn enable_service_access(&mut self, service_principal: &str) -> Result<(), BackendError> {
        self.enable_access(service_principal)
    }

    fn register_delegated_admin(
        &mut self,
        account_id: &str,
        service_principal: &str,
    ) -> Result<(), BackendError> {
        self.register_admin(account_id, service_principal)
    }

    fn put_trail(&mut self, trail: &TrailState) -> Result<(), BackendError> {
        self.put_trail_state(trail)
    }

    fn put_aggregator(&mut self, aggregator: &AggregatorState) -> Result<(), BackendError> {
        self.put_aggregator_state(aggregator)
    }

    fn bucket_owner(&self, account_id: &str, name: &str) -> Result<BucketOwner, BackendError> {
        self.owner_of(account_id, name)
    }

    fn put_bucket(&mut self, bucket: &BucketState) -> Result<(), BackendError> {
        self.put_bucket_state(bucket)
    }

    fn put_table(&mut self, table: &TableState) -> Result<(), BackendError> {
        self.put_table_state(table)
    }
}

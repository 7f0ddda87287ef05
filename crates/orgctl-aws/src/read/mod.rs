//! `read_state`: the organization from Organizations' listings, the management account's
//! trail and aggregator, and the bootstrap resources the probes name in each account.

mod policies;
mod probes;
mod services;
mod tree;

use orgctl_org::{BackendError, BootstrapProbe, State};

use crate::AwsBackend;

impl AwsBackend {
    /// Everything plan needs, normalized. Without an organization, the empty state.
    pub(crate) fn read_all(&self, probes: &[BootstrapProbe]) -> Result<State, BackendError> {
        let Some(organization) = self.read_organization()? else {
            return Ok(State::default());
        };
        let root_id = organization.root_id.clone();
        let enabled = organization.enabled_policy_types.clone();
        let (units, accounts) = self.read_tree(&root_id)?;
        let account_requests = self.read_requests(&accounts)?;
        let (policies, attachments) = self.read_policies(&enabled)?;
        let own = self.own_session()?;
        let mut state = State {
            organization: Some(organization),
            units,
            accounts,
            account_requests,
            policies,
            attachments,
            trusted_services: self.read_trusted_services()?,
            delegated_admins: self.read_delegated_admins()?,
            trails: self.trails_in(&own, &self.region)?,
            aggregators: self.aggregators_in(&own, &self.region)?,
            buckets: Vec::new(),
            tables: Vec::new(),
        };
        self.read_probes(probes, &mut state)?;
        state.normalize();
        Ok(state)
    }
}

//! The bootstrap resources the probes name: each looked at from inside its account.

use orgctl_org::{BackendError, BootstrapProbe, State};

use crate::AwsBackend;
use crate::buckets::Found;

impl AwsBackend {
    /// Adds to `state` the probed buckets and tables that exist and belong to their account.
    /// Accounts outside the organization, and members whose access role cannot be assumed,
    /// show nothing: the apply step that needs them reports why.
    pub(crate) fn read_probes(
        &self,
        probes: &[BootstrapProbe],
        state: &mut State,
    ) -> Result<(), BackendError> {
        for probe in probes {
            if state.account(&probe.account_id).is_none() {
                continue;
            }
            let session = match self.session(&probe.account_id) {
                Ok(s) => s,
                Err(BackendError::AccessDenied { .. }) => continue,
                Err(e) => return Err(e),
            };
            let known = state.buckets.iter().any(|b| b.name == probe.bucket);
            if !known {
                if let Found::Owned(region) = self.locate(&session, &probe.bucket, &probe.region)? {
                    let current = self.read_bucket(&session, &probe.bucket, &region)?;
                    state.buckets.push(current.state);
                }
            }
            let Some(table) = &probe.table else { continue };
            let seen = state
                .tables
                .iter()
                .any(|t| t.account_id == probe.account_id && &t.name == table);
            if !seen {
                if let Some(found) = self.read_table(&session, table, &probe.region)? {
                    state.tables.push(found);
                }
            }
        }
        Ok(())
    }
}

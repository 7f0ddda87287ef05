//! The organization itself: creating it, enabling policy types, trusted access and
//! delegated administrators.

use aws_sdk_organizations::types::OrganizationFeatureSet;
use orgctl_org::{BackendError, PolicyKind};

use crate::AwsBackend;
use crate::counts::Op;
use crate::kinds;

impl AwsBackend {
    /// `CreateOrganization` with all features, only from `management_account_id` itself.
    pub(crate) fn create_organization_as(
        &self,
        management_account_id: &str,
    ) -> Result<(), BackendError> {
        let own = self.own_identity()?;
        if own.account_id != management_account_id {
            return Err(BackendError::AccessDenied {
                principal: own.arn,
                action: "organizations:CreateOrganization".to_owned(),
                resource: "*".to_owned(),
                reason: format!(
                    "the credentials belong to account {}: creating the organization with them would make that account, not {management_account_id}, its management account",
                    own.account_id
                ),
            });
        }
        self.send(
            None,
            Op::new("organizations", "CreateOrganization"),
            "organization",
            self.management()
                .organizations()
                .create_organization()
                .feature_set(OrganizationFeatureSet::All)
                .send(),
        )?;
        Ok(())
    }

    /// `EnablePolicyType`; Organizations attaches the type's full-access policy everywhere.
    pub(crate) fn enable_type(&self, root_id: &str, kind: PolicyKind) -> Result<(), BackendError> {
        self.send(
            None,
            Op::new("organizations", "EnablePolicyType"),
            &format!("policy type {} on root {root_id}", kind.api_name()),
            self.management()
                .organizations()
                .enable_policy_type()
                .root_id(root_id)
                .policy_type(kinds::policy_type(kind))
                .send(),
        )?;
        Ok(())
    }

    /// `EnableAWSServiceAccess`.
    pub(crate) fn enable_access(&self, service_principal: &str) -> Result<(), BackendError> {
        self.send(
            None,
            Op::new("organizations", "EnableAWSServiceAccess"),
            &format!("trusted access for `{service_principal}`"),
            self.management()
                .organizations()
                .enable_aws_service_access()
                .service_principal(service_principal)
                .send(),
        )?;
        Ok(())
    }

    /// `RegisterDelegatedAdministrator`.
    pub(crate) fn register_admin(
        &self,
        account_id: &str,
        service_principal: &str,
    ) -> Result<(), BackendError> {
        self.send(
            None,
            Op::new("organizations", "RegisterDelegatedAdministrator"),
            &format!("delegated administrator {account_id} for `{service_principal}`"),
            self.management()
                .organizations()
                .register_delegated_administrator()
                .account_id(account_id)
                .service_principal(service_principal)
                .send(),
        )?;
        Ok(())
    }
}

//! Trusted access and delegated administrators.

use orgctl_org::{BackendError, DelegatedAdmin};

use crate::AwsBackend;
use crate::counts::Op;

const ORGS: &str = "organizations";

impl AwsBackend {
    /// `ListAWSServiceAccessForOrganization`.
    pub(crate) fn read_trusted_services(&self) -> Result<Vec<String>, BackendError> {
        let orgs = self.management().organizations();
        let enabled = self.paginate(|token| {
            let out = self.send(
                None,
                Op::new(ORGS, "ListAWSServiceAccessForOrganization"),
                "trusted services",
                orgs.list_aws_service_access_for_organization()
                    .set_next_token(token)
                    .send(),
            )?;
            Ok((
                out.enabled_service_principals().to_vec(),
                out.next_token().map(str::to_owned),
            ))
        })?;
        Ok(enabled
            .iter()
            .filter_map(|s| s.service_principal().map(str::to_owned))
            .collect())
    }

    /// `ListDelegatedAdministrators`, then `ListDelegatedServicesForAccount` per account.
    pub(crate) fn read_delegated_admins(&self) -> Result<Vec<DelegatedAdmin>, BackendError> {
        let orgs = self.management().organizations();
        let admins = self.paginate(|token| {
            let out = self.send(
                None,
                Op::new(ORGS, "ListDelegatedAdministrators"),
                "delegated administrators",
                orgs.list_delegated_administrators()
                    .set_next_token(token)
                    .send(),
            )?;
            Ok((
                out.delegated_administrators().to_vec(),
                out.next_token().map(str::to_owned),
            ))
        })?;
        let mut out = Vec::new();
        for admin in admins {
            let Some(account_id) = admin.id() else {
                continue;
            };
            let services = self.paginate(|token| {
                let page = self.send(
                    None,
                    Op::new(ORGS, "ListDelegatedServicesForAccount"),
                    &format!("services delegated to {account_id}"),
                    orgs.list_delegated_services_for_account()
                        .account_id(account_id)
                        .set_next_token(token)
                        .send(),
                )?;
                Ok((
                    page.delegated_services().to_vec(),
                    page.next_token().map(str::to_owned),
                ))
            })?;
            out.extend(services.iter().filter_map(|s| {
                s.service_principal().map(|p| DelegatedAdmin {
                    account_id: account_id.to_owned(),
                    service_principal: p.to_owned(),
                })
            }));
        }
        Ok(out)
    }
}

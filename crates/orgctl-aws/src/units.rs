//! Organizational units: create, rename, delete.

use orgctl_org::BackendError;

use crate::AwsBackend;
use crate::counts::Op;

impl AwsBackend {
    /// `CreateOrganizationalUnit`: the new OU's id.
    pub(crate) fn create_ou(&self, parent_id: &str, name: &str) -> Result<String, BackendError> {
        let resource = format!("organizational unit `{name}` under {parent_id}");
        let orgs = self.management().organizations();
        self.create_once(
            Op::new("organizations", "CreateOrganizationalUnit"),
            &resource,
            || {
                orgs.create_organizational_unit()
                    .parent_id(parent_id)
                    .name(name)
                    .customize()
                    .config_override(crate::once::no_retries())
                    .send()
            },
            |out| {
                out.organizational_unit()
                    .and_then(|u| u.id())
                    .map(str::to_owned)
                    .ok_or_else(|| BackendError::Backend {
                        backend: "aws".to_owned(),
                        message: format!("CreateOrganizationalUnit returned no id for {resource}"),
                        help: "run `orgctl plan` again: the OU may exist".to_owned(),
                    })
            },
            || self.find_ou(parent_id, name),
        )
    }

    /// `UpdateOrganizationalUnit`.
    pub(crate) fn rename_ou(&self, id: &str, name: &str) -> Result<(), BackendError> {
        self.send(
            None,
            Op::new("organizations", "UpdateOrganizationalUnit"),
            &format!("organizational unit {id}"),
            self.management()
                .organizations()
                .update_organizational_unit()
                .organizational_unit_id(id)
                .name(name)
                .send(),
        )?;
        Ok(())
    }

    /// `DeleteOrganizationalUnit`.
    pub(crate) fn delete_ou(&self, id: &str) -> Result<(), BackendError> {
        self.send(
            None,
            Op::new("organizations", "DeleteOrganizationalUnit"),
            &format!("organizational unit {id}"),
            self.management()
                .organizations()
                .delete_organizational_unit()
                .organizational_unit_id(id)
                .send(),
        )?;
        Ok(())
    }
}

//! Organization policies and their attachments.

use orgctl_org::{BackendError, PolicyKind};

use crate::AwsBackend;
use crate::counts::Op;
use crate::kinds;

impl AwsBackend {
    /// `CreatePolicy`: the new policy's id.
    pub(crate) fn new_policy(
        &self,
        kind: PolicyKind,
        name: &str,
        description: &str,
        content: &str,
    ) -> Result<String, BackendError> {
        let resource = format!("{} policy `{name}`", kind.short());
        let orgs = self.management().organizations();
        self.create_once(
            Op::new("organizations", "CreatePolicy"),
            &resource,
            || {
                orgs.create_policy()
                    .r#type(kinds::policy_type(kind))
                    .name(name)
                    .description(description)
                    .content(content)
                    .customize()
                    .config_override(crate::once::no_retries())
                    .send()
            },
            |out| {
                out.policy()
                    .and_then(|p| p.policy_summary())
                    .and_then(|s| s.id())
                    .map(str::to_owned)
                    .ok_or_else(|| BackendError::Backend {
                        backend: "aws".to_owned(),
                        message: format!("CreatePolicy returned no id for {resource}"),
                        help: "run `orgctl plan` again: the policy may exist".to_owned(),
                    })
            },
            || self.find_policy(kind, name),
        )
    }

    /// `UpdatePolicy`: name, description and document.
    pub(crate) fn change_policy(
        &self,
        id: &str,
        name: &str,
        description: &str,
        content: &str,
    ) -> Result<(), BackendError> {
        self.send(
            None,
            Op::new("organizations", "UpdatePolicy"),
            &format!("policy `{name}` ({id})"),
            self.management()
                .organizations()
                .update_policy()
                .policy_id(id)
                .name(name)
                .description(description)
                .content(content)
                .send(),
        )?;
        Ok(())
    }

    /// `DeletePolicy`.
    pub(crate) fn remove_policy(&self, id: &str) -> Result<(), BackendError> {
        self.send(
            None,
            Op::new("organizations", "DeletePolicy"),
            &format!("policy {id}"),
            self.management()
                .organizations()
                .delete_policy()
                .policy_id(id)
                .send(),
        )?;
        Ok(())
    }

    /// `AttachPolicy`.
    pub(crate) fn attach(&self, policy_id: &str, target_id: &str) -> Result<(), BackendError> {
        self.send(
            None,
            Op::new("organizations", "AttachPolicy"),
            &format!("attachment of policy {policy_id} to {target_id}"),
            self.management()
                .organizations()
                .attach_policy()
                .policy_id(policy_id)
                .target_id(target_id)
                .send(),
        )?;
        Ok(())
    }

    /// `DetachPolicy`.
    pub(crate) fn detach(&self, policy_id: &str, target_id: &str) -> Result<(), BackendError> {
        self.send(
            None,
            Op::new("organizations", "DetachPolicy"),
            &format!("attachment of policy {policy_id} to {target_id}"),
            self.management()
                .organizations()
                .detach_policy()
                .policy_id(policy_id)
                .target_id(target_id)
                .send(),
        )?;
        Ok(())
    }
}
